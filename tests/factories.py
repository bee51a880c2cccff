"""factory_boy factories: small valid objects, overridable per test."""

import itertools
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q

from backoffice import models


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Category
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Category {n}")
    description = "Things"


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Supplier

    name = factory.Sequence(lambda n: f"Supplier {n}")
    email = factory.LazyAttribute(lambda o: f"{o.name.lower().replace(' ', '')}@example.com")
    phone = "555-0000"
    address = "1 Supply Road"
    rating = 4.0


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Product

    name = factory.Sequence(lambda n: f"Product {n}")
    description = "A product"
    price = Decimal("20.00")
    stock_quantity = 10
    category = factory.SubFactory(CategoryFactory)
    supplier = factory.SubFactory(SupplierFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = factory.Sequence(lambda n: f"Last{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")


STAFF_PASSWORD = "a-long-test-password-42"
# Staff ids far from the sample data's users (1-5) and the test superuser (10,000), so an
# import of users.json never meets a staff account it would refuse to overwrite.
_staff_ids = itertools.count(20_000)


def staff_user(*permissions: str, username: str | None = None, **fields):
    """A staff account (not a superuser) holding exactly ``permissions``, password
    ``STAFF_PASSWORD``: the one way the tests make staff, so that "who may do what" is
    always spelled the same.

    A permission is ``"app_label.codename"`` or a bare codename of this project's app or of
    ``auth``. A name that matches no permission is an error, not a silently weaker user.
    """
    wanted = Q(pk__in=[])
    for permission in permissions:
        app_label, _, codename = permission.rpartition(".")
        labels = [app_label] if app_label else ["backoffice", "auth"]
        wanted |= Q(content_type__app_label__in=labels, codename=codename)
    granted = list(Permission.objects.filter(wanted))
    found = {p.codename for p in granted} | {
        f"{p.content_type.app_label}.{p.codename}" for p in granted
    }
    missing = [p for p in permissions if p not in found]
    assert not missing, f"no such permission: {missing}"
    if username is not None:
        fields["username"] = username
    fields.setdefault("pk", next(_staff_ids))
    user = UserFactory(is_staff=True, **fields)
    user.set_password(STAFF_PASSWORD)
    user.save()
    user.user_permissions.set(granted)
    return user


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Customer

    user = factory.SubFactory(UserFactory)
    phone = "555-0100"
    address = "1 Main Street"


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Order

    customer = factory.SubFactory(CustomerFactory)
    status = models.OrderStatus.PENDING
    total_amount = Decimal("0.00")


class OrderItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.OrderItem

    order = factory.SubFactory(OrderFactory)
    product = factory.SubFactory(ProductFactory)
    quantity = 1
    price = factory.LazyAttribute(lambda o: o.product.price)


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Review

    customer = factory.SubFactory(CustomerFactory)
    product = factory.SubFactory(ProductFactory)
    rating = 4
    comment = "Fine"


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"tag{n}")
