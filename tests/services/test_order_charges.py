"""An order's charges (docs/design.md, "Charged amount"): total = items + shipping + tax −
discount; the differs flag (kept and computed), the recalculation and the order page's save
use them; revenue stays the sum of the lines."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import F

from backoffice.figures.rebuild import check
from backoffice.models import Order, OrderItem, OrderStatus
from backoffice.querysets.sales import charged_for
from backoffice.services.orders import (
    OrderChargesError,
    OrderLine,
    order_create,
    order_recalculate_total,
    order_save_with_items,
    orders_recalculate_totals,
)
from tests.factories import CustomerFactory, OrderFactory, OrderItemFactory, ProductFactory

pytestmark = pytest.mark.django_db

CHARGES = {
    "shipping_amount": Decimal("8.72"),
    "tax_amount": Decimal("3.10"),
    "discount_amount": Decimal("5.00"),
}


def order_with_lines(*, total, status=OrderStatus.PENDING, **charges):
    """An order whose lines come to 2 × 19.99 + 1 × 0.03 = 40.01."""
    order = OrderFactory(total_amount=total, status=status, **charges)
    OrderItemFactory(order=order, product=ProductFactory(price=Decimal("19.99")), quantity=2)
    OrderItemFactory(order=order, product=ProductFactory(price=Decimal("0.03")), quantity=1)
    return order


def kept(order) -> Order:
    return Order.objects.with_item_totals().with_charge_for_items().get(pk=order.pk)


def test_charged_for_in_sql_and_in_python_agree():
    # 40.01 + 8.72 + 3.10 − 5.00 = 46.83
    order = order_with_lines(total=Decimal("46.83"), **CHARGES)
    sql = (
        Order.objects.filter(pk=order.pk)
        .annotate(charge=charged_for(F("kept_figures__items_total")))
        .values_list("charge", flat=True)
        .get()
    )
    assert sql == order.charged_for(Decimal("40.01")) == Decimal("46.83")


def test_an_order_charged_its_items_and_charges_does_not_differ():
    order = order_with_lines(total=Decimal("46.83"), **CHARGES)
    figures = kept(order)
    assert (figures.items_total, figures.charge_for_items) == (Decimal("40.01"), Decimal("46.83"))
    assert figures.total_differs is False
    computed = Order.objects.with_line_figures().get(pk=order.pk)
    assert computed.total_differs is False and computed.charge_for_items == Decimal("46.83")


@pytest.mark.parametrize(
    "total",
    [Decimal("40.01"), Decimal("46.82"), Decimal("46.84")],
    ids=["items only", "-1c", "+1c"],
)
def test_an_order_charged_otherwise_differs(total):
    order = order_with_lines(total=total, **CHARGES)
    assert kept(order).total_differs is True
    assert Order.objects.with_line_figures().get(pk=order.pk).total_differs is True


def test_changing_a_charge_moves_the_kept_flag_and_check_stays_clean():
    order = order_with_lines(total=Decimal("46.83"), **CHARGES)
    Order.objects.filter(pk=order.pk).update(shipping_amount=Decimal("0.00"))
    assert kept(order).total_differs is True
    order.refresh_from_db()
    order.tax_amount = Decimal("11.82")  # 40.01 + 0 + 11.82 − 5.00 = 46.83 again
    order.save()
    assert kept(order).total_differs is False
    assert check() == []


def test_revenue_stays_the_sum_of_the_lines():
    order_with_lines(total=Decimal("46.83"), **CHARGES)
    assert OrderItem.objects.revenue() == Decimal("40.01")


def test_the_recalculation_sets_the_total_to_items_and_charges():
    order = order_with_lines(total=Decimal("40.01"), **CHARGES)
    fix = order_recalculate_total(order=order)
    assert (fix.old_total, fix.new_total) == (Decimal("40.01"), Decimal("46.83"))
    order.refresh_from_db()
    assert order.total_amount == Decimal("46.83")
    assert kept(order).total_differs is False
    assert orders_recalculate_totals(order_ids=[order.pk]) == []  # matches now


def test_placing_an_order_totals_its_lines_and_charges():
    product = ProductFactory(price=Decimal("10.00"), stock_quantity=5)
    order = Order(customer=CustomerFactory(), **CHARGES)
    order_save_with_items(order=order, lines=[OrderLine(product.pk, 3)])
    order.refresh_from_db()
    assert order.total_amount == Decimal("36.82")  # 30.00 + 8.72 + 3.10 − 5.00
    assert kept(order).total_differs is False


@pytest.mark.parametrize("status", [OrderStatus.PENDING, OrderStatus.PROCESSING])
def test_charges_change_on_an_open_order_and_the_total_follows(status):
    order = order_with_lines(total=Decimal("40.01"), status=status)
    order = Order.objects.get(pk=order.pk)
    order.shipping_amount = Decimal("4.99")
    order_save_with_items(order=order, lines=None)
    order.refresh_from_db()
    assert (order.shipping_amount, order.total_amount) == (Decimal("4.99"), Decimal("45.00"))
    assert kept(order).total_differs is False


@pytest.mark.parametrize(
    "status", [OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.CANCELLED]
)
def test_charges_of_an_order_that_left_cannot_change(status):
    order = order_with_lines(total=Decimal("40.01"), status=status)
    order = Order.objects.get(pk=order.pk)
    order.discount_amount = Decimal("1.00")
    with pytest.raises(OrderChargesError, match="only while it is pending or processing"):
        order_save_with_items(order=order, lines=None)
    stored = Order.objects.get(pk=order.pk)
    assert (stored.discount_amount, stored.total_amount) == (Decimal("0.00"), Decimal("40.01"))


def test_a_discount_above_items_shipping_and_tax_is_refused():
    product = ProductFactory(price=Decimal("10.00"), stock_quantity=5)
    order = Order(
        customer=CustomerFactory(),
        shipping_amount=Decimal("2.00"),
        discount_amount=Decimal("12.01"),
    )
    with pytest.raises(OrderChargesError, match="more than the items, shipping and tax"):
        order_save_with_items(order=order, lines=[OrderLine(product.pk, 1)])
    assert not Order.objects.filter(customer=order.customer).exists()
    product.refresh_from_db()
    assert product.stock_quantity == 5  # nothing written


def test_a_discount_equal_to_everything_makes_a_free_order():
    product = ProductFactory(price=Decimal("10.00"), stock_quantity=5)
    order = order_create(customer=CustomerFactory(), lines=[OrderLine(product.pk, 1)])
    order = Order.objects.get(pk=order.pk)
    order.discount_amount = Decimal("10.00")
    order_save_with_items(order=order, lines=None)
    order.refresh_from_db()
    assert order.total_amount == Decimal("0.00")


@pytest.mark.parametrize("name", ["shipping_amount", "tax_amount", "discount_amount"])
def test_negative_charges_are_refused_by_validation(name):
    order = OrderFactory.build(customer=CustomerFactory(), **{name: Decimal("-0.01")})
    with pytest.raises(ValidationError) as refused:
        order.full_clean()
    assert name in refused.value.message_dict


def test_the_database_refuses_negative_charges():
    from django.db import IntegrityError, transaction

    order = OrderFactory()
    for name in ("shipping_amount", "tax_amount", "discount_amount"):
        with pytest.raises(IntegrityError), transaction.atomic():
            Order.objects.filter(pk=order.pk).update(**{name: Decimal("-1.00")})
