"""stock_apply_changes: the single place that moves stock."""

import pytest

from backoffice.models import InventoryLog, InventoryReason, Product
from backoffice.services.inventory import StockChange, StockError, stock_apply_changes
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_changes_stock_and_logs_each_change():
    user = UserFactory()
    first, second = ProductFactory(stock_quantity=5), ProductFactory(stock_quantity=0)
    result = stock_apply_changes(
        [
            StockChange(first.pk, -2, InventoryReason.TRANSFER_OUT, "to second"),
            StockChange(second.pk, 2, InventoryReason.TRANSFER_IN, "from first"),
        ],
        user=user,
    )
    assert result == {first.pk: 3, second.pk: 2}
    assert Product.objects.get(pk=first.pk).stock_quantity == 3
    assert Product.objects.get(pk=second.pk).stock_quantity == 2
    logs = {log.product_id: log for log in InventoryLog.objects.all()}
    assert (logs[first.pk].change, logs[first.pk].stock_after, logs[first.pk].user) == (-2, 3, user)
    assert (logs[second.pk].reason, logs[second.pk].note) == ("transfer_in", "from first")


def test_refuses_to_go_below_zero_and_changes_nothing():
    product, other = ProductFactory(stock_quantity=1), ProductFactory(stock_quantity=4)
    with pytest.raises(StockError) as raised:
        stock_apply_changes(
            [
                StockChange(other.pk, -1, InventoryReason.SALE),
                StockChange(product.pk, -2, InventoryReason.SALE),
            ]
        )
    assert raised.value.refusals == {product.pk: f"{product.name}: only 1 in stock, 2 asked."}
    assert Product.objects.get(pk=other.pk).stock_quantity == 4
    assert InventoryLog.objects.count() == 0


def test_several_changes_to_one_product_apply_in_order():
    product = ProductFactory(stock_quantity=1)
    stock_apply_changes(
        [
            StockChange(product.pk, 3, InventoryReason.RESTOCK),
            StockChange(product.pk, -4, InventoryReason.SALE),
        ]
    )
    assert Product.objects.get(pk=product.pk).stock_quantity == 0
    assert list(InventoryLog.objects.order_by("id").values_list("stock_after", flat=True)) == [4, 0]


def test_zero_changes_do_nothing():
    product = ProductFactory(stock_quantity=1)
    assert stock_apply_changes([StockChange(product.pk, 0, InventoryReason.ADJUSTMENT)]) == {}
    assert InventoryLog.objects.count() == 0
