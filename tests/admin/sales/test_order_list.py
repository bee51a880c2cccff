"""The order list: every column, filter and search, on the sample data and on built cases."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from backoffice.models import Order
from tests.factories import CustomerFactory, OrderFactory, OrderItemFactory, ProductFactory
from tests.seed import by_id, dec, rows, when
from tests.truth import sales as truth

URL = reverse("admin:backoffice_order_changelist")


def listed(client, params=None):
    response = client.get(URL, params or {})
    assert response.status_code == 200
    return response, sorted(order.pk for order in response.context["cl"].result_list)


def messages_of(response):
    return " ".join(str(m) for m in response.context["messages"])


def test_every_column_on_the_sample_data(admin_client, seed):
    response, ids = listed(admin_client)
    assert ids == sorted(truth.orders())
    neighbours = truth.neighbours()
    for order in response.context["cl"].result_list:
        row = truth.orders()[order.pk]
        assert str(order.customer) == truth.customer_name(row["customer_id"])
        assert order.status == row["status"]
        assert order.order_date == when(row["order_date"])
        assert order.total_amount == dec(row["total_amount"])
        assert order.items_total == truth.items_total(order.pk)
        assert order.item_count == truth.item_count(order.pk)
        assert order.total_differs == (order.pk in truth.differing_orders())
        assert (order.prev_order_total, order.next_order_total) == neighbours[order.pk]
    html = response.content.decode()
    assert 'class="order-status order-status-cancelled"' in html
    assert "John Doe" in html and "1399.96" in html  # order 1's items total


def test_exactly_orders_1_2_and_4_are_flagged_on_the_sample_data(admin_client, seed):
    assert truth.differing_orders() == [1, 2, 4]
    assert listed(admin_client, {"total_differs": "yes"})[1] == [1, 2, 4]
    assert listed(admin_client, {"total_differs": "no"})[1] == [3, 5, 6, 7]


def test_an_order_without_lines_has_items_total_zero_and_differs_when_charged(admin_client):
    empty = OrderFactory(total_amount=Decimal("0.00"))
    charged = OrderFactory(total_amount=Decimal("5.00"))
    response, ids = listed(admin_client)
    by_pk = {o.pk: o for o in response.context["cl"].result_list}
    assert (by_pk[empty.pk].items_total, by_pk[empty.pk].item_count) == (Decimal("0.00"), 0)
    assert by_pk[empty.pk].total_differs is False
    assert by_pk[charged.pk].total_differs is True


def test_items_total_is_not_multiplied_by_other_joins(admin_client):
    """Two lines and a search through the lines' products still give one row and one sum."""
    order = OrderFactory(total_amount=Decimal("30.00"))
    OrderItemFactory(order=order, quantity=1, price=Decimal("10.00"), product__name="Widget A")
    OrderItemFactory(order=order, quantity=2, price=Decimal("10.00"), product__name="Widget B")
    response, ids = listed(admin_client, {"q": "widget"})
    assert ids == [order.pk]
    only = response.context["cl"].result_list[0]
    assert (only.items_total, only.item_count, only.total_differs) == (Decimal("30.00"), 2, False)


@pytest.mark.parametrize("status", ["pending", "processing", "shipped", "delivered", "cancelled"])
def test_status_filter(admin_client, seed, status):
    expected = sorted(pk for pk, o in truth.orders().items() if o["status"] == status)
    assert listed(admin_client, {"status": status})[1] == expected


def test_delivered_filter(admin_client, seed):
    delivered = sorted(pk for pk, o in truth.orders().items() if o["status"] == "delivered")
    assert listed(admin_client, {"delivered": "yes"})[1] == delivered
    assert listed(admin_client, {"delivered": "no"})[1] == sorted(
        set(truth.orders()) - set(delivered)
    )


def test_order_date_and_delivery_date_ranges(admin_client, seed):
    start, end = "2024-03-01", "2024-03-08"
    expected = sorted(
        pk for pk, o in truth.orders().items() if start <= o["order_date"][:10] <= end
    )
    assert expected == [1, 4, 6, 7]
    params = {"order_date__range__gte": start, "order_date__range__lte": end}
    assert listed(admin_client, params)[1] == expected
    delivered_by = sorted(
        pk
        for pk, o in truth.orders().items()
        if o["delivery_date"] and o["delivery_date"][:10] <= "2024-03-05"
    )
    assert delivered_by == [1, 3]
    assert listed(admin_client, {"delivery_date__range__lte": "2024-03-05"})[1] == delivered_by


@pytest.mark.parametrize("segment", ["VIP", "Premium", "High Value", "Regular"])
def test_customer_segment_filter(admin_client, seed, segment):
    stats = truth.customer_stats()
    expected = sorted(
        pk for pk, o in truth.orders().items() if stats[o["customer_id"]]["segment"] == segment
    )
    assert listed(admin_client, {"segment": segment})[1] == expected


def test_contains_product_filter(admin_client, seed):
    garden_tools = 9
    assert truth.orders_with_product(garden_tools) == [4, 6]
    response, ids = listed(admin_client, {"product": str(garden_tools)})
    assert ids == [4, 6]
    html = response.content.decode()
    # The autocomplete widget shows the chosen product, and asks the admin's autocomplete view.
    assert 'data-model-name="orderitem"' in html and 'data-field-name="product"' in html
    assert "Garden Tools Set</option>" in html


@pytest.mark.parametrize("category_id", [1, 2, 3, 4, 5])
def test_contains_a_product_of_a_category_filter(admin_client, seed, category_id):
    expected = truth.orders_with_category(category_id)
    assert listed(admin_client, {"category": str(category_id)})[1] == expected


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("3", [3]),  # exact order number
        ("#5", [5]),
        ("Smith", [3, 4]),  # customer name
        ("jane smith", [3, 4]),
        ("alice@example.com", [6]),  # email
        ("iphone", [3, 7]),  # product name
        ("nothing-like-this", []),
    ],
)
def test_search(admin_client, seed, term, expected):
    assert listed(admin_client, {"q": term})[1] == expected


@pytest.mark.parametrize(
    "params",
    [
        {"status": "lost"},
        {"delivered": "maybe"},
        {"total_differs": "1"},
        {"segment": "Gold"},
        {"product": "abc"},
        {"product": "99999"},
        {"category": "x"},
        {"order_date__range__gte": "not-a-date"},
        {"delivery_date__range__lte": "2024-13-45"},
    ],
)
def test_junk_filter_values_give_the_whole_list_and_a_message(admin_client, seed, params):
    response = admin_client.get(URL, params, follow=True)
    assert response.status_code == 200
    assert response.context["cl"].result_count == len(rows("orders"))
    text = messages_of(response)
    assert "ignored" in text or "could not be applied" in text


def test_counts_next_to_each_filter_choice(admin_client, seed):
    """Django's "Show counts" runs every filter's queryset once per choice."""
    response = admin_client.get(URL, {"_facets": "True", "status": "delivered"})
    assert response.status_code == 200
    html = response.content.decode()
    delivered = sum(1 for o in rows("orders") if o["status"] == "delivered")
    assert f"Delivered ({delivered})" in html
    assert f"Yes ({len(truth.differing_orders())})" in html


def test_unknown_parameters_are_removed_with_a_message(admin_client, seed):
    response = admin_client.get(URL, {"no_such_field": "1"}, follow=True)
    assert response.status_code == 200
    assert "could not be applied" in messages_of(response)


def test_neighbours_stay_true_when_the_list_is_filtered(admin_client, seed):
    """Filtered to delivered orders, order 1's next order is still order 2 (processing)."""
    response, ids = listed(admin_client, {"status": "delivered"})
    assert ids == [1, 3, 6]
    neighbours = truth.neighbours()
    for order in response.context["cl"].result_list:
        assert (order.prev_order_total, order.next_order_total) == neighbours[order.pk]
    assert neighbours[1] == (None, dec(by_id("orders")[2]["total_amount"]))


def test_neighbours_stay_true_across_pages(admin_client):
    customer = CustomerFactory()
    start = timezone.now() - timedelta(days=100)
    orders = [
        OrderFactory(
            customer=customer, order_date=start + timedelta(days=i), total_amount=Decimal(i + 1)
        )
        for i in range(60)
    ]
    OrderFactory(total_amount=Decimal("999.00"))  # another customer in between
    # Page 2 (newest first, 50 per page) holds the 11 oldest orders.
    response = admin_client.get(URL, {"p": "2"})
    page = {o.pk: o for o in response.context["cl"].result_list}
    assert len(page) == 11
    for i, order in enumerate(orders[:10]):
        shown = page[order.pk]
        assert shown.prev_order_total == (Decimal(i) if i else None)
        assert shown.next_order_total == Decimal(i + 2)


def test_a_plain_window_would_be_wrong_on_a_filtered_list(seed):
    """Why the admin's neighbours run the window in a subquery: the guide's plain Lag over a
    filtered queryset skips the orders the filter hides."""
    from django.db.models import F, Window
    from django.db.models.functions import Lead

    plain = (
        Order.objects.filter(status="delivered")
        .annotate(
            next_total=Window(
                Lead("total_amount"), partition_by=[F("customer")], order_by=F("order_date").asc()
            )
        )
        .get(pk=1)
    )
    assert plain.next_total is None  # order 2 is filtered out, so the window never sees it
    assert Order.objects.with_customer_neighbours().get(pk=1).next_order_total == Decimal("89.98")


def test_the_list_shows_a_status_summary_of_the_filtered_orders(admin_client, seed):
    response, _ = listed(admin_client)
    summary = response.context["status_summary"]
    assert summary["total_orders"] == 7
    counts = {row["label"]: row["count"] for row in summary["statuses"]}
    expected_counts = {}
    for order in rows("orders"):
        label = order["status"].capitalize()
        expected_counts[label] = expected_counts.get(label, 0) + 1
    assert {k: v for k, v in counts.items() if v} == expected_counts
    not_cancelled = [dec(o["total_amount"]) for o in rows("orders") if o["status"] != "cancelled"]
    assert summary["charged"] == sum(not_cancelled)
    assert summary["cancelled_amount"] == Decimal("999.99")
    filtered, _ = listed(admin_client, {"status": "delivered"})
    assert filtered.context["status_summary"]["total_orders"] == 3


def test_the_product_filter_offers_no_select_of_every_product(admin_client, seed):
    ProductFactory(name="Not-listed-anywhere")
    response, _ = listed(admin_client)
    assert "Not-listed-anywhere" not in response.content.decode()


def test_the_neighbour_columns_are_not_sortable(admin_client, seed):
    """Sorting by a customer's previous or next order would compute a window over every order;
    the headers offer no sort, and a hand-made ``o=`` for them gives the list and a message."""
    from backoffice.admin.sales.orders import OrderAdmin

    response = admin_client.get(URL)
    columns = OrderAdmin.list_display
    sortable = response.context["cl"].get_ordering_field_columns()
    assert response.status_code == 200
    for name in ("prev_order_total", "next_order_total"):
        assert getattr(getattr(OrderAdmin, name), "admin_order_field", None) is None
    header_links = response.content.decode()
    assert f"o={columns.index('next_order_total')}" not in header_links
    assert sortable  # the list is still sorted (by date)
