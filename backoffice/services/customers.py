"""Customer writes: an account and its shop profile are created together, or not at all."""

from django.contrib.auth import get_user_model
from django.db import transaction

from backoffice.models import Customer
from backoffice.services.history import history_record_changes

User = get_user_model()


def customer_create(
    *,
    username: str,
    email: str,
    first_name: str = "",
    last_name: str = "",
    password: str | None = None,
    phone: str,
    address: str,
    date_of_birth=None,
    customer: Customer | None = None,
) -> Customer:
    """Create a user account and its customer profile in one transaction.

    Without a password the account cannot log in until the customer sets one (password reset).
    ``customer`` is an unsaved profile to complete (the admin passes its form's instance).
    """
    with transaction.atomic():
        user = User(username=username, email=email, first_name=first_name, last_name=last_name)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean()
        user.save()
        customer = customer or Customer()
        customer.user = user
        customer.phone, customer.address, customer.date_of_birth = phone, address, date_of_birth
        customer.full_clean()
        customer.save()
    return customer


def customers_deactivate(*, customer_ids, user=None) -> tuple[int, int]:
    """Switch off the user accounts of these customers; return (deactivated, already inactive).

    Their orders and history stay; a deactivated account simply can't log in.
    """
    with transaction.atomic():
        users = User.objects.filter(customer__pk__in=customer_ids)
        already = users.filter(is_active=False).count()
        accounts = list(users.filter(is_active=True).select_for_update().order_by("pk"))
        deactivated = User.objects.filter(pk__in=[a.pk for a in accounts]).update(is_active=False)
        history_record_changes(
            user=user, objects=accounts, message="Account deactivated (bulk action)."
        )
    return deactivated, already
