"""The user admin shows the customer profile (reverse one-to-one): inline, column and filter.
And the customer service creates account and profile together or not at all."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from backoffice.models import Customer
from backoffice.services.customers import customer_create, customers_deactivate
from tests.factories import CustomerFactory, UserFactory
from tests.seed import rows

pytestmark = pytest.mark.django_db

User = get_user_model()
URL = reverse("admin:auth_user_changelist")


def test_has_customer_profile_column_and_filter(admin_client, admin_user, seed):
    staff_only = UserFactory(username="staff_only")
    response = admin_client.get(URL)
    flags = {u.username: u.has_customer_profile for u in response.context["cl"].result_list}
    customers = {row["username"] for row in rows("users")}
    assert flags == {
        **{name: True for name in customers},
        admin_user.username: False,
        staff_only.username: False,
    }
    with_profile = admin_client.get(URL, {"has_customer": "yes"}).context["cl"].result_list
    assert {u.username for u in with_profile} == customers
    without = admin_client.get(URL, {"has_customer": "no"}).context["cl"].result_list
    assert {u.username for u in without} == {admin_user.username, "staff_only"}


def test_junk_has_customer_value_gives_the_list_and_a_message(admin_client, seed):
    response = admin_client.get(URL, {"has_customer": "perhaps"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == User.objects.count()
    assert "ignored" in " ".join(str(m) for m in response.context["messages"])


def test_the_user_page_shows_and_saves_the_customer_profile(admin_client, seed):
    user = User.objects.get(username="john_doe")
    url = reverse("admin:auth_user_change", args=[user.pk])
    html = admin_client.get(url).content.decode()
    assert 'name="customer-0-phone"' in html and "555-0101" in html
    profile = user.customer
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": "2024-01-01",
        "date_joined_1": "08:00:00",
        "customer-TOTAL_FORMS": "1",
        "customer-INITIAL_FORMS": "1",
        "customer-MIN_NUM_FORMS": "0",
        "customer-MAX_NUM_FORMS": "1",
        "customer-0-id": str(profile.pk),
        "customer-0-user": str(user.pk),
        "customer-0-phone": "555-9999",
        "customer-0-address": profile.address,
        "customer-0-date_of_birth": "1990-05-15",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    assert Customer.objects.get(pk=profile.pk).phone == "555-9999"


def test_customer_create_makes_both_or_neither():
    customer = customer_create(
        username="both", email="both@example.com", phone="555-0000", address="1 Road"
    )
    assert customer.user.username == "both" and not customer.user.has_usable_password()
    users = User.objects.count()
    with pytest.raises(ValidationError):
        customer_create(username="neither", email="n@example.com", phone="x" * 40, address="1 Road")
    assert User.objects.count() == users
    assert not User.objects.filter(username="neither").exists()


def test_customers_deactivate_counts_what_it_did():
    active, inactive = CustomerFactory(), CustomerFactory(user__is_active=False)
    assert customers_deactivate(customer_ids=[active.pk, inactive.pk]) == (1, 1)
    assert not User.objects.get(pk=active.user_id).is_active
