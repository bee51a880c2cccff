"""Filters whose matching orders are read once as ids (PostgreSQL) give the same orders as
their ``EXISTS`` definition, and say so in their SQL; elsewhere they stay subqueries."""

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef

from backoffice.models import Order, OrderItem
from tests.factories import OrderFactory, OrderItemFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_the_orders_of_a_category_are_those_with_a_line_of_its_products():
    lamp = ProductFactory()
    same_category = ProductFactory(category=lamp.category)
    elsewhere = ProductFactory()
    two_lines = OrderFactory()
    OrderItemFactory(order=two_lines, product=lamp)
    OrderItemFactory(order=two_lines, product=same_category)
    one_line = OrderFactory()
    OrderItemFactory(order=one_line, product=same_category)
    OrderItemFactory(order=OrderFactory(), product=elsewhere)
    OrderFactory()  # no lines at all

    found = Order.objects.containing_category(lamp.category_id)
    lines = OrderItem.objects.filter(order=OuterRef("pk"), product__category=lamp.category_id)
    by_definition = Order.objects.filter(Exists(lines))
    assert sorted(found.values_list("pk", flat=True)) == sorted([two_lines.pk, one_line.pk])
    assert set(found) == set(by_definition)
    assert found.count() == 2  # each order once
    sql = str(found.query)
    assert ("= ANY(" in sql) == (connection.vendor == "postgresql")
