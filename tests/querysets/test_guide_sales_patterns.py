"""The guide's order and customer patterns, run as printed (where they run) on the loaded
dataset, with expected values from seed_data/ and the admin's own version next to them.

docs/query-patterns.md ("Orders and customers") maps each test here to the admin page where staff meet it.
"""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    When,
    Window,
)
from django.db.models.functions import Lag, Lead

from backoffice.models import Customer, Order
from tests.seed import by_id, dec, rows
from tests.truth import sales as truth

pytestmark = pytest.mark.django_db

User = get_user_model()


def test_forward_relations_order_to_customer_to_user(seed, django_assert_num_queries):
    with django_assert_num_queries(1):
        orders = list(Order.objects.select_related("customer__user").order_by("pk"))
        names = [order.customer.user.get_full_name() for order in orders]
    assert names == [truth.customer_name(o["customer_id"]) for o in rows("orders")]


def test_reverse_foreign_key_customer_orders_and_order_items(seed, django_assert_num_queries):
    with django_assert_num_queries(3):
        customers = list(Customer.objects.prefetch_related("orders__items").order_by("pk"))
        seen = {c.pk: sorted(o.pk for o in c.orders.all()) for c in customers}
        lines = {o.pk: len(o.items.all()) for c in customers for o in c.orders.all()}
    expected = {}
    for order in rows("orders"):
        expected.setdefault(order["customer_id"], []).append(order["id"])
    assert seen == {pk: sorted(ids) for pk, ids in expected.items()}
    assert lines == {pk: truth.item_count(pk) for pk in truth.orders()}


def test_one_to_one_both_ways(seed, admin_user):
    customer = Customer.objects.select_related("user").get(pk=1)
    assert customer.user.email == by_id("users")[1]["email"]  # forward
    john = User.objects.get(username="john_doe")
    assert john.customer.phone == by_id("customers")[1]["phone"]  # reverse
    assert hasattr(john, "customer") and not hasattr(admin_user, "customer")
    with pytest.raises(Customer.DoesNotExist):
        admin_user.customer  # noqa: B018 - the access is the test


def test_customers_who_placed_orders_guide_and_ours(seed):
    guide = Customer.objects.filter(orders__isnull=False).distinct()
    assert guide.count() == len({o["customer_id"] for o in rows("orders")}) == 5
    # Ours does not count a customer whose only order was cancelled (Charlie).
    assert sorted(Customer.objects.with_orders().values_list("pk", flat=True)) == [1, 2, 3, 4]


def test_customer_statistics_guide_and_ours(seed):
    """The guide's join aggregate counts the cancelled order as spending (E26)."""
    from django.db.models import Avg, Max

    guide = Customer.objects.annotate(
        total_orders=Count("orders"),
        total_spent=Sum("orders__total_amount"),
        avg_order_value=Avg("orders__total_amount"),
        last_order_date=Max("orders__order_date"),
    ).filter(total_orders__gt=0)
    spent = {c.pk: c.total_spent for c in guide}
    assert spent[5] == dec(by_id("orders")[7]["total_amount"])  # Charlie's cancelled order
    ours = {c.pk: c.total_spent for c in Customer.objects.with_order_stats()}
    assert ours == {pk: s["total_spent"] for pk, s in truth.customer_stats().items()}
    assert ours[5] == Decimal("0.00")


def test_subquery_latest_order_and_exists_high_value_order(seed):
    latest = Order.objects.filter(customer=OuterRef("pk")).order_by("-order_date")
    guide = Customer.objects.annotate(
        latest_order_total=Subquery(latest.values("total_amount")[:1]),
        has_high_value_order=Exists(
            Order.objects.filter(customer=OuterRef("pk"), total_amount__gt=500)
        ),
    )
    totals = {c.pk: (c.latest_order_total, c.has_high_value_order) for c in guide}
    assert totals[5] == (Decimal("999.99"), True)  # the guide counts the cancelled order
    stats = truth.customer_stats()
    ours = Customer.objects.with_order_stats()
    assert {c.pk: (c.latest_order_total, c.has_order_over_500) for c in ours} == {
        pk: (s["latest_order_total"], s["has_order_over_500"]) for pk, s in stats.items()
    }


def test_window_lag_lead_over_all_orders_matches_the_admins_neighbours(seed):
    guide = Order.objects.annotate(
        prev_order_total=Window(
            Lag("total_amount"), partition_by=[F("customer")], order_by=F("order_date").asc()
        ),
        next_order_total=Window(
            Lead("total_amount"), partition_by=[F("customer")], order_by=F("order_date").asc()
        ),
    )
    expected = truth.neighbours()
    assert {o.pk: (o.prev_order_total, o.next_order_total) for o in guide} == expected
    ours = Order.objects.with_customer_neighbours()
    assert {o.pk: (o.prev_order_total, o.next_order_total) for o in ours} == expected


def test_conditional_aggregation_order_statistics(seed):
    """The guide's order statistics (printed figures wrong: E11)."""
    stats = Order.objects.aggregate(
        total_orders=Count("id"),
        delivered=Count(Case(When(status="delivered", then=1), output_field=IntegerField())),
        total_revenue=Sum(
            Case(When(status="delivered", then="total_amount"), output_field=DecimalField())
        ),
        pending_revenue=Sum(
            Case(
                When(status__in=["processing", "shipped", "pending"], then="total_amount"),
                output_field=DecimalField(),
            )
        ),
    )
    orders = rows("orders")
    delivered = [dec(o["total_amount"]) for o in orders if o["status"] == "delivered"]
    open_ = [
        dec(o["total_amount"])
        for o in orders
        if o["status"] in ("pending", "processing", "shipped")
    ]
    assert stats["total_orders"] == len(orders)
    assert stats["delivered"] == len(delivered)
    assert stats["total_revenue"].quantize(Decimal("0.01")) == sum(delivered) == Decimal("3319.95")
    assert stats["pending_revenue"].quantize(Decimal("0.01")) == sum(open_) == Decimal("379.95")
    summary = Order.objects.status_summary()
    assert summary["by_status"]["delivered"]["count"] == len(delivered)
    assert summary["charged"] == sum(delivered) + sum(open_)


def test_items_total_via_subquery_is_not_multiplied(seed):
    """The guide's 'orders with details' counts lines with a join; ours uses a subquery and
    still agrees when another join is added."""
    guide = Order.objects.annotate(item_count=Count("items")).order_by("pk")
    assert [o.item_count for o in guide] == [truth.item_count(pk) for pk in sorted(truth.orders())]
    joined = Order.objects.with_item_totals().filter(Q(items__quantity__gte=1)).distinct()
    assert {o.pk: o.items_total for o in joined} == {
        pk: truth.items_total(pk) for pk in truth.orders()
    }
