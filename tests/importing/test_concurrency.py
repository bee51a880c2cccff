"""No lost updates: an import of prices doesn't overwrite a stock change made at the same time.

The library saves every field of the object it read, so a sale committed between the import's
read and its save is undone. Ours saves only the file's columns (``update_fields``) and, at
confirm, locks the file's rows in id order first. Real threads on PostgreSQL.
"""

import threading
from decimal import Decimal

import pytest
import tablib
from django.db import connection
from django.db.models import F
from import_export.resources import ModelResource

from backoffice.importing.formats import CSV
from backoffice.importing.service import ImportJob, import_apply, import_preview
from backoffice.models import Product
from backoffice.resources import ProductResource
from backoffice.services.seed import seed_data_load

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

PRICES = b"id,price\n1,1199.99\n"


def sell_three_in_another_connection(done: threading.Event):
    try:
        Product.objects.filter(pk=1).update(stock_quantity=F("stock_quantity") - 3)
    finally:
        connection.close()
        done.set()


def with_a_sale_before_saving(resource_class, wait_seconds):
    """A resource that lets another connection sell 3 units right before it saves product 1."""
    sold = threading.Event()
    threads = []
    sold_before_save = []

    class Racing(resource_class):
        class Meta(resource_class.Meta):
            pass

        def before_save_instance(self, instance, row, **kwargs):
            thread = threading.Thread(target=sell_three_in_another_connection, args=(sold,))
            thread.start()
            threads.append(thread)
            sold.wait(wait_seconds)  # the sale commits now, or waits for our lock
            sold_before_save.append(sold.is_set())
            super().before_save_instance(instance, row, **kwargs)

    Racing.sold_before_save = sold_before_save
    return Racing, sold, threads


def test_the_library_default_save_loses_the_sale():
    """The gap: saving every field writes back the stock that was read before the sale."""
    seed_data_load()

    class LibrarySave(ProductResource):
        class Meta(ProductResource.Meta):
            pass

        def do_instance_save(self, instance, is_create):
            ModelResource.do_instance_save(self, instance, is_create)

    racing, sold, threads = with_a_sale_before_saving(LibrarySave, wait_seconds=10)
    dataset = tablib.Dataset([1, "1199.99"], headers=["id", "price"])
    racing().import_data(dataset, use_transactions=True)
    for thread in threads:
        thread.join()
    assert sold.is_set()
    product = Product.objects.get(pk=1)
    assert (product.price, product.stock_quantity) == (Decimal("1199.99"), 25)  # sale lost


def test_a_price_import_keeps_a_sale_committed_before_its_save():
    seed_data_load()
    racing, sold, threads = with_a_sale_before_saving(ProductResource, wait_seconds=10)
    dataset = tablib.Dataset([1, "1199.99"], headers=["id", "price"])
    result = racing().import_data(dataset, use_transactions=True)
    assert not result.has_errors() and not result.has_validation_errors()
    for thread in threads:
        thread.join()
    assert racing.sold_before_save == [True]  # the sale committed between our read and save
    product = Product.objects.get(pk=1)
    assert (product.price, product.stock_quantity) == (Decimal("1199.99"), 22)


def test_a_confirmed_import_locks_its_rows_and_the_sale_waits():
    seed_data_load()
    preview = import_preview(ImportJob(ProductResource, CSV(), PRICES, "prices.csv", user=None))
    assert preview.ok
    racing, sold, threads = with_a_sale_before_saving(ProductResource, wait_seconds=1)
    applied, report = import_apply(
        ImportJob(racing, CSV(), PRICES, "prices.csv", user=None), preview.comparable()
    )
    assert applied, report.problems
    assert racing.sold_before_save == [False]  # the sale waited for the import's lock ...
    for thread in threads:
        thread.join()
    product = Product.objects.get(pk=1)
    assert (product.price, product.stock_quantity) == (Decimal("1199.99"), 22)  # ... and landed
