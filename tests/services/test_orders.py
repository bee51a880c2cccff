"""Order services: placing, changing lines, status moves and total fixes keep stock and totals
right, write the stock and status trail, and change nothing when they refuse."""

from decimal import Decimal

import pytest
from django.utils import timezone

from backoffice.models import InventoryLog, Order, OrderItem, OrderStatus, OrderStatusChange
from backoffice.services.inventory import StockError
from backoffice.services.orders import (
    ALLOWED_MOVES,
    OrderLine,
    OrderLinesError,
    OrderStatusError,
    order_create,
    order_recalculate_total,
    order_save_with_items,
    order_set_status,
    order_stock_refusals,
    orders_recalculate_totals,
    orders_set_status,
)
from tests.factories import (
    CustomerFactory,
    OrderFactory,
    OrderItemFactory,
    ProductFactory,
    UserFactory,
)
from tests.seed import by_id, dec, rows

pytestmark = pytest.mark.django_db


def stock(product):
    product.refresh_from_db()
    return product.stock_quantity


def test_order_create_takes_stock_totals_the_lines_and_logs_who():
    user = UserFactory()
    laptop = ProductFactory(price=Decimal("999.99"), stock_quantity=3)
    mouse = ProductFactory(price=Decimal("19.50"), stock_quantity=10)
    order = order_create(
        customer=CustomerFactory(),
        lines=[
            OrderLine(laptop.pk, 2),  # the product's current price
            OrderLine(mouse.pk, 3, price=Decimal("15.00")),  # a price agreed with the customer
        ],
        user=user,
    )
    assert order.status == OrderStatus.PENDING
    assert order.total_amount == Decimal("2044.98")  # 2 x 999.99 + 3 x 15.00
    assert sorted(order.items.values_list("product_id", "quantity", "price")) == sorted(
        [(laptop.pk, 2, Decimal("999.99")), (mouse.pk, 3, Decimal("15.00"))]
    )
    assert (stock(laptop), stock(mouse)) == (1, 7)
    logs = InventoryLog.objects.order_by("product_id")
    assert [
        (log.product_id, log.change, log.stock_after, log.reason, log.user) for log in logs
    ] == [
        (laptop.pk, -2, 1, "sale", user),
        (mouse.pk, -3, 7, "sale", user),
    ]
    timeline = list(order.status_changes.values_list("from_status", "to_status", "user"))
    assert timeline == [("", "pending", user.pk)]


def test_order_create_refuses_more_than_the_stock_and_writes_nothing():
    scarce = ProductFactory(stock_quantity=1, name="Scarce")
    plenty = ProductFactory(stock_quantity=9)
    with pytest.raises(StockError) as refused:
        order_create(
            customer=CustomerFactory(),
            lines=[OrderLine(plenty.pk, 1), OrderLine(scarce.pk, 2)],
        )
    assert refused.value.refusals == {scarce.pk: "Scarce: only 1 in stock, 2 asked."}
    assert Order.objects.count() == 0
    assert OrderItem.objects.count() == 0
    assert OrderStatusChange.objects.count() == 0
    assert InventoryLog.objects.count() == 0
    assert (stock(scarce), stock(plenty)) == (1, 9)


def test_changing_lines_moves_only_the_difference():
    user = UserFactory()
    kept, grown, removed, added = (ProductFactory(stock_quantity=10) for _ in range(4))
    order = order_create(
        customer=CustomerFactory(),
        lines=[OrderLine(kept.pk, 1), OrderLine(grown.pk, 2), OrderLine(removed.pk, 3)],
    )
    items = {item.product_id: item for item in order.items.all()}
    result = order_save_with_items(
        order=Order.objects.get(pk=order.pk),
        lines=[
            OrderLine(kept.pk, 1, items[kept.pk].price, item_id=items[kept.pk].pk),
            OrderLine(grown.pk, 5, items[grown.pk].price, item_id=items[grown.pk].pk),
            OrderLine(added.pk, 4),
        ],
        user=user,
    )
    assert [stock(p) for p in (kept, grown, removed, added)] == [9, 5, 10, 6]
    assert [item.product_id for item in result.created] == [added.pk]
    assert [(item.product_id, fields) for item, fields in result.changed] == [
        (grown.pk, ["quantity"])
    ]
    assert [item.product_id for item in result.deleted] == [removed.pk]
    changes = dict(
        InventoryLog.objects.filter(reason="order_change", user=user).values_list(
            "product_id", "change"
        )
    )
    assert changes == {grown.pk: -3, removed.pk: 3, added.pk: -4}
    order.refresh_from_db()
    assert order.total_amount == Decimal("20.00") * (1 + 5 + 4)


def test_unchanged_lines_keep_what_the_customer_was_charged():
    order = OrderFactory(total_amount=Decimal("50.00"), status=OrderStatus.PROCESSING)
    item = OrderItemFactory(order=order, quantity=2, price=Decimal("20.00"))
    order_save_with_items(
        order=order,
        lines=[OrderLine(item.product_id, 2, Decimal("20.00"), item_id=item.pk)],
    )
    order.refresh_from_db()
    assert order.total_amount == Decimal("50.00")
    assert InventoryLog.objects.count() == 0


def test_saving_without_lines_leaves_lines_and_stock_alone():
    product = ProductFactory(stock_quantity=5)
    order = order_create(customer=CustomerFactory(), lines=[OrderLine(product.pk, 2)])
    order.customer = CustomerFactory()
    result = order_save_with_items(order=order, lines=None)
    assert not result.lines_changed
    assert stock(product) == 3
    assert InventoryLog.objects.count() == 1
    assert Order.objects.get(pk=order.pk).customer == order.customer


@pytest.mark.parametrize("status", ["shipped", "delivered", "cancelled"])
def test_lines_of_an_order_that_left_cannot_change(status):
    order = OrderFactory(status=status)
    item = OrderItemFactory(order=order, quantity=1)
    with pytest.raises(OrderLinesError):
        order_save_with_items(
            order=order, lines=[OrderLine(item.product_id, 2, item.price, item_id=item.pk)]
        )
    item.refresh_from_db()
    assert item.quantity == 1
    assert InventoryLog.objects.count() == 0


def test_stock_refusals_preview_what_the_save_would_refuse():
    product = ProductFactory(stock_quantity=2, name="Lamp")
    order = order_create(customer=CustomerFactory(), lines=[OrderLine(product.pk, 1)])
    item = order.items.get()
    # 1 already taken; 3 more asked, 1 left.
    wanted = [OrderLine(product.pk, 4, item.price, item_id=item.pk)]
    assert order_stock_refusals(order=order, lines=wanted) == {
        product.pk: "Lamp: only 1 in stock, 3 asked."
    }
    assert (
        order_stock_refusals(order=order, lines=[OrderLine(product.pk, 2, item_id=item.pk)]) == {}
    )
    with pytest.raises(StockError):
        order_save_with_items(order=order, lines=wanted)
    assert stock(product) == 1


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [(a, b) for a in OrderStatus.values for b in OrderStatus.values if b not in ALLOWED_MOVES[a]],
)
def test_forbidden_moves_are_refused_and_change_nothing(from_status, to_status):
    order = OrderFactory(status=from_status)
    OrderItemFactory(order=order, quantity=1, product__stock_quantity=5)
    with pytest.raises(OrderStatusError):
        order_set_status(order=order, to_status=to_status)
    order.refresh_from_db()
    assert (order.status, order.delivery_date) == (from_status, None)
    assert OrderStatusChange.objects.count() == 0
    assert InventoryLog.objects.count() == 0


def test_the_allowed_moves_are_exactly_design_md():
    assert {a: set(b) for a, b in ALLOWED_MOVES.items()} == {
        "pending": {"processing", "cancelled"},
        "processing": {"shipped", "cancelled"},
        "shipped": {"delivered", "cancelled"},
        "delivered": set(),
        "cancelled": set(),
    }


def test_an_order_goes_from_pending_to_delivered_with_a_timeline():
    user = UserFactory()
    order = order_create(customer=CustomerFactory(), lines=[OrderLine(ProductFactory().pk, 1)])
    before = timezone.now()
    for status in ("processing", "shipped", "delivered"):
        order_set_status(order=order, to_status=status, user=user)
    order.refresh_from_db()
    assert order.status == "delivered"
    assert order.delivery_date >= before
    steps = list(order.status_changes.values_list("from_status", "to_status"))
    assert steps == [
        ("", "pending"),
        ("pending", "processing"),
        ("processing", "shipped"),
        ("shipped", "delivered"),
    ]
    assert set(order.status_changes.exclude(from_status="").values_list("user", flat=True)) == {
        user.pk
    }


def test_cancelling_returns_the_stock_of_every_line_and_logs_it():
    user = UserFactory()
    first, second = ProductFactory(stock_quantity=5), ProductFactory(stock_quantity=5)
    order = order_create(
        customer=CustomerFactory(), lines=[OrderLine(first.pk, 2), OrderLine(second.pk, 1)]
    )
    order_set_status(order=order, to_status="cancelled", user=user)
    assert (stock(first), stock(second)) == (5, 5)
    returned = InventoryLog.objects.filter(reason="cancellation").order_by("product_id")
    assert [(log.product_id, log.change, log.user) for log in returned] == [
        (first.pk, 2, user),
        (second.pk, 1, user),
    ]


def test_orders_set_status_reports_each_order(seed):
    outcomes = orders_set_status(order_ids=[1, 2, 5, 7], to_status="shipped")
    assert [(o.order_id, o.done) for o in outcomes] == [
        (1, False),  # delivered
        (2, True),  # processing -> shipped
        (5, False),  # pending must be processed first
        (7, False),  # cancelled
    ]
    assert "cannot become shipped" in outcomes[0].message
    statuses = dict(Order.objects.values_list("pk", "status"))
    expected = {row["id"]: row["status"] for row in rows("orders")}
    expected[2] = "shipped"
    assert statuses == expected


def test_recalculation_fixes_exactly_the_orders_that_differ_on_the_sample_data(seed):
    sums = {}
    for item in rows("order_items"):
        sums[item["order_id"]] = (
            sums.get(item["order_id"], Decimal(0)) + dec(item["price"]) * item["quantity"]
        )
    charged = {pk: dec(row["total_amount"]) for pk, row in by_id("orders").items()}
    differing = sorted(pk for pk in charged if charged[pk] != sums[pk])
    assert differing == [1, 2, 4]  # the statement, checked against the files

    fixes = orders_recalculate_totals(order_ids=list(charged))
    assert [(f.order_id, f.old_total, f.new_total) for f in fixes] == [
        (pk, charged[pk], sums[pk]) for pk in differing
    ]
    assert dict(Order.objects.values_list("pk", "total_amount")) == sums
    assert orders_recalculate_totals(order_ids=list(charged)) == []


def test_order_recalculate_total_fixes_one_order():
    order = OrderFactory(total_amount=Decimal("1.00"))
    OrderItemFactory(order=order, quantity=2, price=Decimal("4.25"))
    fix = order_recalculate_total(order=order)
    assert (fix.old_total, fix.new_total, order.total_amount) == (
        Decimal("1.00"),
        Decimal("8.50"),
        Decimal("8.50"),
    )
    assert Order.objects.get(pk=order.pk).total_amount == Decimal("8.50")
    assert order_recalculate_total(order=order) is None
