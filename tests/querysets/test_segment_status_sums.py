"""The orders of a customer segment are counted and summed per status from the customers'
kept figures (``CustomerFigures``'s per-status columns), with the answer the orders give."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backoffice.models import Order
from backoffice.querysets.sales import SEGMENTS
from backoffice.services.order_status import order_set_status
from backoffice.services.orders import OrderLine, order_create
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db


def summed(orders):
    with CaptureQueriesContext(connection) as queries:
        summary, count = orders.status_summary(), orders.count()
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    return summary, count, sql


@pytest.mark.parametrize("segment", SEGMENTS)
def test_a_segments_orders_per_status_are_those_of_its_orders(seed, segment):
    orders = Order.objects.of_segment(segment)
    summary, count, sql = summed(orders)
    assert "backoffice_customerfigures" in sql and 'FROM "backoffice_order"' not in sql
    read = orders.filter(pk__gt=0)  # a second condition: the orders are read
    assert summary == read.status_summary()
    assert count == read.count() == len(list(orders))


def test_status_moves_and_cancellations_move_the_segment_sums():
    product, customer = ProductFactory(stock_quantity=20), CustomerFactory()
    first = order_create(customer=customer, lines=[OrderLine(product.pk, 2)])
    order_create(customer=customer, lines=[OrderLine(product.pk, 1)])
    order_set_status(order=first, to_status="cancelled")
    orders = Order.objects.filter(customer__in=[customer.pk])
    summary, count, sql = summed(
        Order.objects.filter(
            customer__in=type(customer).objects.filter(pk=customer.pk).values("pk")
        )
    )
    assert "backoffice_customerfigures" in sql
    assert count == 2
    assert summary == orders.filter(pk__gt=0).status_summary()
    assert summary["cancelled_orders"] == 1
