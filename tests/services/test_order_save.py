"""``order_save_with_items`` decides before it writes: lock, version, lines, status move, stock
(issue 10, point 5). A refusal runs no write query and leaves the order object as it came."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backoffice.models import InventoryLog, Order, OrderStatusChange, Product
from backoffice.services.edits import EditConflict
from backoffice.services.inventory import StockError
from backoffice.services.orders import (
    OrderLine,
    OrderStatusError,
    order_create,
    order_save_with_items,
)
from tests.factories import CustomerFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


def writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


def as_passed(order):
    return (order.pk, order._state.adding, order.status, order.total_amount, order.edit_version)


def test_lines_and_a_status_move_in_one_call():
    user = UserFactory()
    product = ProductFactory(stock_quantity=10, price=Decimal("5.00"))
    order = order_create(customer=CustomerFactory(), lines=[OrderLine(product.pk, 1)])
    item = order.items.get()
    order_save_with_items(
        order=order,
        lines=[OrderLine(product.pk, 3, item.price, item_id=item.pk)],
        user=user,
        seen_version=order.edit_version,
        to_status="processing",
    )
    order.refresh_from_db()
    assert (order.status, order.total_amount) == ("processing", Decimal("15.00"))
    assert Product.objects.get(pk=product.pk).stock_quantity == 7
    assert list(order.status_changes.values_list("to_status", "user")) == [
        ("pending", None),
        ("processing", user.pk),
    ]


def test_the_current_status_asked_again_is_no_move():
    order = order_create(customer=CustomerFactory(), lines=[OrderLine(ProductFactory().pk, 1)])
    order_save_with_items(order=order, lines=None, to_status="pending")
    assert OrderStatusChange.objects.count() == 1


@pytest.mark.parametrize("to_status", ["delivered", "shipped"])  # not from pending
def test_a_refused_move_writes_nothing_and_leaves_the_order_as_passed(to_status):
    product = ProductFactory(stock_quantity=10)
    order = order_create(customer=CustomerFactory(), lines=[OrderLine(product.pk, 1)])
    item = order.items.get()
    before = as_passed(order)
    with CaptureQueriesContext(connection) as queries, pytest.raises(OrderStatusError):
        order_save_with_items(
            order=order,
            lines=[OrderLine(product.pk, 2, item.price, item_id=item.pk)],
            seen_version=order.edit_version,
            to_status=to_status,
        )
    assert writes(queries.captured_queries) == []
    assert as_passed(order) == before
    assert order.items.get().quantity == 1
    assert InventoryLog.objects.count() == 1


def test_a_stale_version_is_refused_before_any_write():
    product = ProductFactory(stock_quantity=10)
    order = order_create(customer=CustomerFactory(), lines=[OrderLine(product.pk, 1)])
    item = order.items.get()
    before = as_passed(order)
    with CaptureQueriesContext(connection) as queries, pytest.raises(EditConflict):
        order_save_with_items(
            order=order,
            lines=[OrderLine(product.pk, 2, item.price, item_id=item.pk)],
            seen_version=order.edit_version - 1,
        )
    assert writes(queries.captured_queries) == []
    assert as_passed(order) == before


def test_a_new_order_short_of_stock_is_refused_before_it_is_inserted():
    product = ProductFactory(stock_quantity=1)
    order = Order(customer=CustomerFactory())
    before = as_passed(order)
    with CaptureQueriesContext(connection) as queries, pytest.raises(StockError):
        order_save_with_items(order=order, lines=[OrderLine(product.pk, 2)])
    assert writes(queries.captured_queries) == []
    assert as_passed(order) == before
    assert Order.objects.count() == 0
