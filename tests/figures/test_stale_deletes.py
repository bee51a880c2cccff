"""Deleting an instance loaded before a set-based update moved it: the figures of the owner it
belongs to now (read from its stored row, not from the stale instance) stay right. Found by the
property test: ``products_category_update`` then ``product_delete`` of the stale product."""

from datetime import timedelta

import pytest

from backoffice.figures.rebuild import check
from backoffice.models import Order, OrderItem, Product, Review
from backoffice.services.orders import OrderLine, order_create
from tests.factories import CategoryFactory, CustomerFactory, ProductFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def test_a_product_moved_by_a_set_based_update_then_deleted_from_a_stale_instance():
    product = ProductFactory(stock_quantity=10)
    category, supplier = CategoryFactory(), SupplierFactory()
    Product.objects.filter(pk=product.pk).update(category=category, supplier=supplier)
    assert check() == []

    product.delete()  # its attributes still name the old category and supplier

    assert check() == []


def test_an_order_moved_to_another_customer_and_day_then_deleted_from_a_stale_instance():
    product, customer, other = (
        ProductFactory(stock_quantity=10),
        CustomerFactory(),
        CustomerFactory(),
    )
    order = order_create(customer=customer, lines=[OrderLine(product.pk, 2)])
    Order.objects.filter(pk=order.pk).update(
        customer=other, order_date=order.order_date - timedelta(days=3)
    )
    assert check() == []

    order.delete()

    assert check() == []


def test_a_line_and_a_review_moved_to_another_product_then_deleted_from_stale_instances():
    product, other, customer = (
        ProductFactory(stock_quantity=10),
        ProductFactory(),
        CustomerFactory(),
    )
    order = order_create(customer=customer, lines=[OrderLine(product.pk, 2)])
    line = order.items.get()
    review = Review.objects.create(product=product, customer=customer, rating=4, comment="Good")
    OrderItem.objects.filter(pk=line.pk).update(product=other)
    Review.objects.filter(pk=review.pk).update(product=other)
    assert check() == []

    line.delete()
    review.delete()

    assert check() == []
