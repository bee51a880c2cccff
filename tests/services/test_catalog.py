"""Catalog services: pricing, tags, activation and stock (restock, transfer, set)."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection

from backoffice.models import InventoryLog, InventoryReason, Product
from backoffice.services.inventory import StockError, stock_restock, stock_set, stock_transfer
from backoffice.services.pricing import price_adjusted, prices_adjust
from backoffice.services.products import products_set_active
from backoffice.services.tags import (
    product_tags_add,
    product_tags_clear,
    product_tags_remove,
    product_tags_replace,
)
from tests.factories import CategoryFactory, ProductFactory, TagFactory, UserFactory


@pytest.mark.parametrize(
    ("price", "percent", "expected"),
    [
        ("39.99", "-10", "35.99"),  # 35.991
        ("10.05", "-10", "9.05"),  # 9.045: half a cent goes up
        ("0.05", "-10", "0.05"),  # 0.045 -> 0.05
        ("1299.99", "-15", "1104.99"),  # 1104.9915
        ("19.99", "12.5", "22.49"),  # 22.48875
        ("100.00", "0.01", "100.01"),
        ("0.01", "-99.99", "0.00"),
    ],
)
def test_rounding_rule(price, percent, expected):
    assert price_adjusted(Decimal(price), Decimal(percent)) == Decimal(expected)


@pytest.mark.django_db
def test_prices_adjust_reports_changed_unchanged_and_refused():
    electronics = CategoryFactory(name="Electronics")
    book = ProductFactory(price=Decimal("39.99"))
    penny = ProductFactory(price=Decimal("0.01"))
    laptop = ProductFactory(category=electronics, price=Decimal("100.00"))
    result = prices_adjust(product_ids=[book.pk, penny.pk, laptop.pk], percent=Decimal("-10"))
    assert (result.changed, result.unchanged) == (1, 1)
    assert list(result.refusals) == [laptop.pk]
    assert "Electronics items must cost at least $100." in result.refusals[laptop.pk]
    prices = dict(Product.objects.values_list("pk", "price"))
    assert prices == {book.pk: Decimal("35.99"), penny.pk: Decimal("0.01"), laptop.pk: 100}


@pytest.mark.django_db
def test_prices_adjust_refuses_a_price_that_would_reach_zero():
    product = ProductFactory(price=Decimal("0.01"))
    result = prices_adjust(product_ids=[product.pk], percent=Decimal("-99.99"))
    assert "below 0.01" in result.refusals[product.pk]
    with pytest.raises(ValidationError):
        prices_adjust(product_ids=[product.pk], percent=Decimal("-100"))


@pytest.mark.django_db
def test_tag_services_count_real_changes():
    a, b = ProductFactory(), ProductFactory()
    red, blue = TagFactory(name="red"), TagFactory(name="blue")
    assert product_tags_add(product_ids=[a.pk, b.pk], tag=red) == 2
    assert product_tags_add(product_ids=[a.pk, b.pk], tag=red) == 0
    assert product_tags_remove(product_ids=[a.pk], tag=red) == 1
    assert product_tags_replace(product_ids=[a.pk, b.pk], tags=[red]) == 1  # b had exactly red
    assert product_tags_replace(product_ids=[a.pk, b.pk], tags=[blue]) == 2
    assert set(a.tags.all()) == set(b.tags.all()) == {blue}
    assert product_tags_clear(product_ids=[a.pk, b.pk]) == 2
    assert product_tags_clear(product_ids=[a.pk, b.pk]) == 0


@pytest.mark.django_db
def test_tag_services_take_fixed_queries(django_assert_max_num_queries):
    products = [ProductFactory() for _ in range(30)]
    tag, other = TagFactory(), TagFactory()
    ids = [p.pk for p in products]
    # + 4: the products' kept tag counts, recomputed once: find, lock (PostgreSQL), update;
    # + 7: their owners, then their categories' and suppliers' figures (find, lock on
    # PostgreSQL, update each): a tag moves neither, but a product's recompute recomputes its
    # owners whatever moved (constant in the number of products, as the test asks)
    with django_assert_max_num_queries(17):
        product_tags_add(product_ids=ids, tag=tag)
    with django_assert_max_num_queries(17):
        product_tags_replace(product_ids=ids, tags=[other])
    assert other.products.count() == 30 and tag.products.count() == 0


@pytest.mark.django_db
def test_products_set_active_counts_changes():
    on, off = ProductFactory(is_active=True), ProductFactory(is_active=False)
    assert products_set_active(product_ids=[on.pk, off.pk], active=True) == 1
    assert products_set_active(product_ids=[on.pk, off.pk], active=False) == 2


@pytest.mark.django_db
def test_restock_and_set_log_every_change():
    user = UserFactory()
    product = ProductFactory(stock_quantity=3)
    assert stock_restock(product_ids=[product.pk], quantity=4, note="delivery", user=user) == {
        product.pk: 7
    }
    assert stock_set(product_id=product.pk, quantity=2, note="count", user=user) == 2
    stock_set(product_id=product.pk, quantity=2, note="same")  # no change, no log
    logs = list(InventoryLog.objects.order_by("id").values_list("change", "stock_after", "reason"))
    assert logs == [(4, 7, InventoryReason.RESTOCK), (-5, 2, InventoryReason.ADJUSTMENT)]
    with pytest.raises(ValidationError):
        stock_restock(product_ids=[product.pk], quantity=0, note="x")
    with pytest.raises(ValidationError):
        stock_set(product_id=product.pk, quantity=-1)


@pytest.mark.django_db
def test_transfer_refuses_more_than_in_stock_and_to_itself():
    a, b = ProductFactory(stock_quantity=2), ProductFactory(stock_quantity=0)
    with pytest.raises(StockError) as refused:
        stock_transfer(from_product_id=a.pk, to_product_id=b.pk, quantity=3)
    assert refused.value.refusals == {a.pk: f"{a.name}: only 2 in stock, 3 asked."}
    with pytest.raises(ValidationError):
        stock_transfer(from_product_id=a.pk, to_product_id=a.pk, quantity=1)
    assert not InventoryLog.objects.exists()
    assert [p.stock_quantity for p in Product.objects.order_by("pk")] == [2, 0]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_opposite_transfers_at_the_same_time_neither_deadlock_nor_lose_stock():
    """Two threads move stock A->B and B->A over and over, at the same time.

    Each transfer locks both rows in primary-key order whatever its direction, so they queue;
    locking in argument order would let each hold one row and wait for the other (deadlock).
    """
    a, b = ProductFactory(stock_quantity=50), ProductFactory(stock_quantity=50)
    rounds = 25
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def transfer(from_id, to_id):
        try:
            start.wait()
            for _ in range(rounds):
                stock_transfer(from_product_id=from_id, to_product_id=to_id, quantity=2)
        except BaseException as error:  # any error reaching the user fails the test
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [
        threading.Thread(target=transfer, args=(a.pk, b.pk)),
        threading.Thread(target=transfer, args=(b.pk, a.pk)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    stocks = dict(Product.objects.values_list("pk", "stock_quantity"))
    assert stocks[a.pk] + stocks[b.pk] == 100
    assert stocks == {a.pk: 50, b.pk: 50}
    assert InventoryLog.objects.count() == 2 * 2 * rounds
    assert sum(InventoryLog.objects.values_list("change", flat=True)) == 0
