"""Orders placed at the same moment never oversell (PostgreSQL, real threads and connections).

Each thread has its own database connection; ``stock_apply_changes`` locks the product row, so
the second order waits for the first and then sees what is left.
"""

import threading

import pytest
from django.db import connection

from backoffice.models import InventoryLog, Order, Product
from backoffice.services.inventory import StockError
from backoffice.services.orders import OrderLine, order_create
from tests.factories import CustomerFactory, ProductFactory

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def place_at_once(count, product, customers):
    """Start ``count`` one-unit orders together; return (placed, refusal messages, errors)."""
    barrier = threading.Barrier(count)
    placed, refused, errors = [], [], []

    def place(customer):
        try:
            barrier.wait(timeout=10)
            order = order_create(customer=customer, lines=[OrderLine(product.pk, 1)])
            placed.append(order.pk)
        except StockError as refusal:
            refused.append(refusal.refusals[product.pk])
        except Exception as error:  # any other failure is reported by the test
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=place, args=(customers[i],)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return placed, refused, errors


def test_two_orders_for_the_last_unit_one_wins_the_other_is_told_why():
    product = ProductFactory(stock_quantity=1, name="Last Lamp")
    customers = [CustomerFactory(), CustomerFactory()]
    placed, refused, errors = place_at_once(2, product, customers)
    assert errors == []
    assert len(placed) == 1
    assert refused == ["Last Lamp: only 0 in stock, 1 asked."]
    assert Product.objects.get(pk=product.pk).stock_quantity == 0
    assert Order.objects.count() == 1
    assert list(InventoryLog.objects.values_list("change", "stock_after")) == [(-1, 0)]


def test_twenty_one_unit_orders_on_ten_in_stock_exactly_ten_succeed():
    product = ProductFactory(stock_quantity=10)
    customers = [CustomerFactory() for _ in range(20)]
    placed, refused, errors = place_at_once(20, product, customers)
    assert errors == []
    assert (len(placed), len(refused)) == (10, 10)
    assert Product.objects.get(pk=product.pk).stock_quantity == 0
    assert Order.objects.count() == 10
    assert sorted(InventoryLog.objects.values_list("stock_after", flat=True)) == list(range(10))
