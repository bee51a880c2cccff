"""The customer list's analytics, filters and search; the one-page "new customer"; the orders
on the customer page; the deactivate action."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from backoffice.models import Customer
from backoffice.querysets.sales import SEGMENT_THRESHOLDS, segment_for
from tests.factories import STAFF_PASSWORD as PASSWORD
from tests.factories import CustomerFactory, OrderFactory, OrderItemFactory, staff_user
from tests.seed import by_id, rows
from tests.truth import sales as truth

pytestmark = pytest.mark.django_db

User = get_user_model()
URL = reverse("admin:backoffice_customer_changelist")
ADD_URL = reverse("admin:backoffice_customer_add")
FIELDS = [
    "order_count",
    "cancelled_order_count",
    "total_spent",
    "avg_order_value",
    "first_order_date",
    "last_order_date",
    "latest_order_total",
    "has_order_over_500",
    "segment",
]


def listed(client, params=None):
    response = client.get(URL, params or {})
    assert response.status_code == 200
    return response, sorted(c.pk for c in response.context["cl"].result_list)


def test_every_column_on_the_sample_data(admin_client, seed):
    response, ids = listed(admin_client)
    assert ids == sorted(by_id("customers"))
    expected = truth.customer_stats()
    for customer in response.context["cl"].result_list:
        assert {name: getattr(customer, name) for name in FIELDS} == expected[customer.pk]
        user = by_id("users")[by_id("customers")[customer.pk]["user_id"]]
        assert str(customer) == f"{user['first_name']} {user['last_name']}"
        assert customer.user.email == user["email"]
    segments = {pk: s["segment"] for pk, s in expected.items()}
    assert segments == {1: "Premium", 2: "VIP", 3: "Regular", 4: "Regular", 5: "Regular"}
    html = response.content.decode()
    assert "jane@example.com" in html and "1989.96" in html


def test_cancelled_orders_count_toward_nothing(admin_client, seed):
    """docs/customer-segments.md: Charlie's only order (999.99) was cancelled."""
    charlie = Customer.objects.with_order_stats().get(pk=5)
    assert (charlie.order_count, charlie.cancelled_order_count) == (0, 1)
    assert (charlie.total_spent, charlie.segment, charlie.has_order_over_500) == (
        Decimal("0.00"),
        "Regular",
        False,
    )
    assert charlie.latest_order_total is None and charlie.last_order_date is None


def test_cancelled_orders_on_built_customers():
    customer = CustomerFactory()
    OrderFactory(customer=customer, status="delivered", total_amount=Decimal("600.00"))
    OrderFactory(customer=customer, status="cancelled", total_amount=Decimal("2000.00"))
    stats = Customer.objects.with_order_stats().get(pk=customer.pk)
    assert (stats.order_count, stats.total_spent, stats.segment) == (
        1,
        Decimal("600.00"),
        "High Value",
    )
    assert stats.has_order_over_500 is True
    assert stats.latest_order_total == Decimal("600.00")


@pytest.mark.parametrize(
    ("spent", "segment"),
    [
        ("1500.00", "VIP"),
        ("1499.99", "Premium"),
        ("1000.00", "Premium"),
        ("999.99", "High Value"),
        ("500.00", "High Value"),
        ("499.99", "Regular"),
        ("0.00", "Regular"),
    ],
)
def test_segment_thresholds_in_sql_and_python(spent, segment):
    customer = CustomerFactory()
    # Two orders whose sum is exact: the SQL sum must land on the threshold.
    half = (Decimal(spent) / 2).quantize(Decimal("0.01"))
    OrderFactory(customer=customer, status="delivered", total_amount=half)
    OrderFactory(customer=customer, status="pending", total_amount=Decimal(spent) - half)
    assert Customer.objects.with_order_stats().get(pk=customer.pk).segment == segment
    assert segment_for(Decimal(spent)) == segment


def test_thresholds_are_the_documented_ones():
    assert (
        (Decimal("1500.00"), "VIP"),
        (Decimal("1000.00"), "Premium"),
        (Decimal("500.00"), "High Value"),
    ) == SEGMENT_THRESHOLDS


def test_latest_order_and_averages_on_built_orders():
    customer = CustomerFactory()
    day = timezone.now() - timedelta(days=3)
    OrderFactory(customer=customer, order_date=day, total_amount=Decimal("10.00"))
    OrderFactory(customer=customer, order_date=day, total_amount=Decimal("20.01"))  # same time
    stats = Customer.objects.with_order_stats().get(pk=customer.pk)
    assert stats.latest_order_total == Decimal("20.01")  # ties go to the later id
    assert stats.avg_order_value == Decimal("15.01")  # 15.005 rounded half away from zero
    assert stats.first_order_date == stats.last_order_date == day


def test_stats_are_not_multiplied_by_lines():
    customer = CustomerFactory()
    order = OrderFactory(customer=customer, total_amount=Decimal("30.00"))
    OrderItemFactory.create_batch(3, order=order, price=Decimal("10.00"))
    stats = Customer.objects.with_order_stats().get(pk=customer.pk)
    assert (stats.order_count, stats.total_spent) == (1, Decimal("30.00"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [("yes", [1, 2, 3, 4]), ("no", [5]), ("only_cancelled", [5])],
)
def test_has_orders_filter(admin_client, seed, value, expected):
    assert listed(admin_client, {"has_orders": value})[1] == expected


def test_no_orders_includes_customers_who_never_ordered(admin_client, seed):
    new = CustomerFactory()
    assert listed(admin_client, {"has_orders": "no"})[1] == [5, new.pk]
    assert listed(admin_client, {"has_orders": "only_cancelled"})[1] == [5]


@pytest.mark.parametrize("segment", ["VIP", "Premium", "High Value", "Regular"])
def test_segment_filter(admin_client, seed, segment):
    expected = sorted(pk for pk, s in truth.customer_stats().items() if s["segment"] == segment)
    assert listed(admin_client, {"segment": segment})[1] == expected


def test_inactive_filter(admin_client, seed):
    recent = CustomerFactory()
    OrderFactory(customer=recent, order_date=timezone.now() - timedelta(days=5))
    lapsed = CustomerFactory()
    OrderFactory(customer=lapsed, order_date=timezone.now() - timedelta(days=91))
    cancelled_only = CustomerFactory()
    OrderFactory(customer=cancelled_only, status="cancelled")
    everyone = sorted(by_id("customers")) + [lapsed.pk, cancelled_only.pk]
    assert listed(admin_client, {"inactive": "yes"})[1] == sorted(everyone)
    assert listed(admin_client, {"inactive": "no"})[1] == [recent.pk]


def test_date_of_birth_and_joined_ranges(admin_client, seed):
    born = sorted(
        c["id"] for c in rows("customers") if "1988-01-01" <= c["date_of_birth"] <= "1992-12-31"
    )
    assert born == [1, 2, 4]
    params = {"date_of_birth__range__gte": "1988-01-01", "date_of_birth__range__lte": "1992-12-31"}
    assert listed(admin_client, params)[1] == born
    joined = {
        "user__date_joined__range__gte": "2024-01-02",
        "user__date_joined__range__lte": "2024-01-03",
    }
    assert listed(admin_client, joined)[1] == [2, 3]


@pytest.mark.parametrize(
    ("term", "expected"),
    [("davis", [5]), ("bob@example.com", [3]), ("555-0104", [4]), ("jane_smith", [2])],
)
def test_search(admin_client, seed, term, expected):
    assert listed(admin_client, {"q": term})[1] == expected


@pytest.mark.parametrize(
    ("term", "expected"), [("BOB@EXAMPLE.COM", [3]), ("bob@", []), ("jan", [2])]
)
def test_search_takes_an_exact_email_and_the_start_of_a_name(admin_client, seed, term, expected):
    """``=user__email`` (any case, never a part of an address) and ``^`` on names."""
    assert listed(admin_client, {"q": term})[1] == expected


@pytest.mark.parametrize(
    "params",
    [
        {"has_orders": "maybe"},
        {"segment": "Gold"},
        {"inactive": "2"},
        {"date_of_birth__range__gte": "yesterday"},
        {"user__date_joined__range__lte": "2024-02-31"},
    ],
)
def test_junk_filter_values_give_the_list_and_a_message(admin_client, seed, params):
    response = admin_client.get(URL, params, follow=True)
    assert response.status_code == 200
    assert response.context["cl"].result_count == len(rows("customers"))
    assert "ignored" in " ".join(str(m) for m in response.context["messages"])


def test_counts_next_to_each_filter_choice(admin_client, seed):
    response = admin_client.get(URL, {"_facets": "True"})
    assert response.status_code == 200
    assert "VIP (1)" in response.content.decode()


def test_the_change_page_lists_the_customers_orders_with_links_and_totals(admin_client, seed):
    response = admin_client.get(reverse("admin:backoffice_customer_change", args=[2]))
    html = response.content.decode()
    for pk in (3, 4):
        assert f'href="{reverse("admin:backoffice_order_change", args=[pk])}"' in html
    assert "1849.98" in html and "149.98" in html  # order 3 total, order 4 items total
    assert 'name="orders-0-status"' not in html  # read-only


def test_a_new_customer_is_created_with_their_account_on_one_page(admin_client):
    data = {
        "username": "new_shopper",
        "first_name": "Nia",
        "last_name": "Shopper",
        "email": "nia@example.com",
        "password1": "",
        "password2": "",
        "phone": "555-0199",
        "address": "9 New Street",
        "date_of_birth": "1999-09-09",
    }
    response = admin_client.post(ADD_URL, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    customer = Customer.objects.select_related("user").get(user__username="new_shopper")
    assert (customer.user.first_name, customer.user.email, customer.phone) == (
        "Nia",
        "nia@example.com",
        "555-0199",
    )
    assert not customer.user.has_usable_password()
    assert not customer.user.is_staff


def test_a_new_customer_with_a_password_can_log_in(admin_client, client):
    data = {
        "username": "with_pw",
        "first_name": "Pat",
        "last_name": "Word",
        "email": "pat@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "phone": "555-0198",
        "address": "1 Road",
    }
    assert admin_client.post(ADD_URL, data).status_code == 302
    assert User.objects.get(username="with_pw").check_password(PASSWORD)


def test_a_refused_new_customer_creates_no_account(admin_client):
    CustomerFactory(user__username="taken")
    users_before = User.objects.count()
    data = {
        "username": "taken",
        "first_name": "A",
        "last_name": "B",
        "email": "a@example.com",
        "phone": "x" * 30,  # longer than the 15 characters allowed
        "address": "1 Road",
    }
    response = admin_client.post(ADD_URL, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) >= {"username", "phone"}
    assert User.objects.count() == users_before


def test_deactivate_accounts_asks_first_then_switches_accounts_off(admin_client, seed):
    data = {"action": "deactivate_accounts", helpers.ACTION_CHECKBOX_NAME: ["1", "2"]}
    page = admin_client.post(URL, data)
    assert "Yes, deactivate" in page.content.decode()
    assert User.objects.filter(is_active=False).count() == 0
    response = admin_client.post(URL, {**data, "confirm_action": "yes"}, follow=True)
    assert set(User.objects.filter(is_active=False).values_list("username", flat=True)) == {
        "john_doe",
        "jane_smith",
    }
    assert "2 accounts deactivated" in " ".join(str(m) for m in response.context["messages"])
    assert Customer.objects.count() == 5  # profiles and orders stay


def test_deactivating_needs_the_right_to_change_user_accounts(client, seed):
    staff = staff_user("view_customer", "change_customer")
    client.force_login(staff)
    form = client.get(URL).context["action_form"]
    assert form is None or "deactivate_accounts" not in dict(form.fields["action"].choices)
    data = {
        "action": "deactivate_accounts",
        helpers.ACTION_CHECKBOX_NAME: ["1"],
        "confirm_action": "yes",
    }
    client.post(URL, data)
    assert User.objects.get(username="john_doe").is_active
