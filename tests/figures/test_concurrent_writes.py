"""Writers touching the same product and customer at once lose no update (PostgreSQL, real
threads and connections): each recomputes after taking the figure rows' locks, so the second
sees the first's committed lines."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from backoffice.figures.rebuild import check
from backoffice.models import CategoryFigures, CustomerFigures, OrderItem, Product, ProductFigures
from backoffice.services.orders import OrderLine, order_create
from tests.factories import CustomerFactory, ProductFactory, ReviewFactory

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def at_once(count, work):
    barrier = threading.Barrier(count)
    errors = []

    def run(i):
        try:
            barrier.wait(timeout=10)
            work(i)
        except Exception as error:  # reported by the test
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_orders_placed_at_once_for_one_product_and_customer_all_count():
    product = ProductFactory(stock_quantity=100, price=Decimal("3.00"))
    other = ProductFactory(stock_quantity=100, price=Decimal("5.00"))
    customer = CustomerFactory()

    def place(i):
        # half the writers lock the products in the other order: still no deadlock
        lines = [OrderLine(product.pk, 1 + i % 3), OrderLine(other.pk, 1)]
        order_create(customer=customer, lines=lines if i % 2 else lines[::-1])

    errors = at_once(8, place)
    assert errors == []
    sold = sum(OrderItem.objects.filter(product=product).values_list("quantity", flat=True))
    assert (
        ProductFigures.objects.get(pk=product.pk).units_sold
        == sold
        == sum(1 + i % 3 for i in range(8))
    )
    assert CustomerFigures.objects.get(pk=customer.pk).order_count == 8
    # the product's category adds up its products' stock and revenue: every sale counted
    category = CategoryFigures.objects.get(pk=product.category_id)
    assert category.total_stock == Product.objects.get(pk=product.pk).stock_quantity == 100 - sold
    assert category.revenue == ProductFigures.objects.get(pk=product.pk).revenue
    assert check() == []


def test_reviews_written_at_once_all_count():
    product = ProductFactory()
    customers = [CustomerFactory() for _ in range(6)]
    errors = at_once(
        6, lambda i: ReviewFactory(product=product, customer=customers[i], rating=i % 5 + 1)
    )
    assert errors == []
    assert ProductFigures.objects.get(pk=product.pk).review_count == 6
    assert check() == []
