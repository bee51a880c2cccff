"""Bulk mode (``import_in_bulk``, used for large files): faster, and still all or nothing with
model validation per row. Its speed is measured by benchmarks/import.py, not here."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from backoffice.importing.bulk import BulkImportRefused, import_in_bulk
from backoffice.importing.formats import CSV
from backoffice.models import Product
from backoffice.resources import ProductResource, UserResource
from tests.importing.snapshots import table_snapshot

HEADER = "id,name,sku,price,stock_quantity,category,supplier,updated_at\n"


def bulk(resource_class, text):
    return import_in_bulk(resource_class, CSV(), text.encode())


def test_new_and_updated_rows_in_bulk(seed):
    outcome = bulk(
        ProductResource,
        HEADER
        + "1,MacBook Pro,EL-1001,1249.00,25,Electronics,TechCorp,2024-06-01T12:00:00Z\n"
        + "500,Yoga mat,SP-5000,25.00,10,Sports,SportsTech,2024-06-02T12:00:00Z\n",
    )
    assert outcome.applied, outcome.problems
    assert (outcome.totals["new"], outcome.totals["update"]) == (1, 1)
    macbook, mat = Product.objects.get(pk=1), Product.objects.get(pk=500)
    assert (macbook.price, macbook.sku) == (Decimal("1249.00"), "EL-1001")
    assert mat.category.name == "Sports"
    # auto_now is stamped by bulk_create/bulk_update; the file's timestamps are put back
    assert mat.updated_at == datetime(2024, 6, 2, 12, tzinfo=UTC)
    assert macbook.updated_at == datetime(2024, 6, 1, 12, tzinfo=UTC)


def test_a_row_error_in_bulk_writes_nothing(seed):
    before = table_snapshot()
    outcome = bulk(
        ProductResource,
        HEADER
        + "1,MacBook Pro,EL-1001,1249.00,25,Electronics,TechCorp,\n"
        + "500,Yoga mat,EL-5000,25.00,10,Sports,SportsTech,\n",
    )
    assert not outcome.applied
    assert outcome.problems == ["Line 3, sku: The SKU must start with SP- for Sports."]
    assert table_snapshot() == before


def test_a_constraint_only_the_database_checks_in_bulk_writes_nothing(seed):
    """Bulk mode leaves unique checks to the database: the whole file is refused."""
    before = table_snapshot()
    outcome = bulk(
        ProductResource,
        HEADER + "500,MacBook Pro,,1249.00,25,Electronics,TechCorp,\n",  # name+supplier taken
    )
    assert not outcome.applied
    assert "The database refused this change" in outcome.problems[0]
    assert table_snapshot() == before


def test_bulk_updates_keep_the_columns_not_in_the_file(seed):
    # (order lines can't be changed by an import at all: tests/importing/test_rules.py)
    Product.objects.filter(pk=1).update(stock_quantity=7)
    outcome = bulk(ProductResource, "id,price\n1,1111.11\n")
    assert outcome.applied, outcome.problems
    product = Product.objects.get(pk=1)
    assert (product.price, product.stock_quantity) == (Decimal("1111.11"), 7)


def test_bulk_mode_is_refused_where_it_is_not_safe(seed):
    with pytest.raises(BulkImportRefused, match="tags"):
        bulk(ProductResource, "id,tags\n1,new\n")
    with pytest.raises(BulkImportRefused, match="UserResource"):
        bulk(UserResource, "username,email\nx,x@example.com\n")
