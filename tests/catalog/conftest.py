"""Fixtures of the catalog tests: staff users, a product that exposes row multiplication."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from backoffice.models import OrderStatus, Product
from tests.factories import (
    CategoryFactory,
    OrderFactory,
    OrderItemFactory,
    ProductFactory,
    ReviewFactory,
    SupplierFactory,
    UserFactory,
)

CATALOG_MODELS = ["product", "category", "supplier", "tag", "review", "productmeta"]


def staff_with(*codenames: str):
    user = UserFactory(is_staff=True)
    user.set_password("pw")
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="backoffice", codename__in=codenames)
    )
    return user


@pytest.fixture
def viewer(db):
    """Staff who may look at the catalog but change nothing."""
    return staff_with(*(f"view_{model}" for model in [*CATALOG_MODELS, "inventorylog"]))


@pytest.fixture
def editor(db):
    """A catalog editor: may view, add, change and delete catalog rows."""
    codenames = [
        f"{action}_{model}"
        for model in CATALOG_MODELS
        for action in ("view", "add", "change", "delete")
    ]
    return staff_with(*codenames, "view_inventorylog")


@dataclass
class BusyProduct:
    product: Product
    review_count: int
    avg_rating: float
    units_sold: int
    revenue: Decimal


@pytest.fixture
def busy_product(db):
    """A product with 3 reviews and 4 order lines, one of them in a cancelled order.

    A query joining reviews and order items in one aggregate would see 12 rows: review_count
    4 times too big, units sold and revenue 3 times too big.
    """
    product = ProductFactory(price=Decimal("10.00"), stock_quantity=7)
    for rating in (5, 4, 2):
        ReviewFactory(product=product, rating=rating)
    lines = [
        (OrderStatus.DELIVERED, 2, Decimal("10.00")),
        (OrderStatus.PENDING, 1, Decimal("12.50")),
        (OrderStatus.SHIPPED, 3, Decimal("9.99")),
        (OrderStatus.CANCELLED, 5, Decimal("10.00")),
    ]
    for status, quantity, price in lines:
        OrderItemFactory(
            order=OrderFactory(status=status), product=product, quantity=quantity, price=price
        )
    counted = [(q, p) for s, q, p in lines if s != OrderStatus.CANCELLED]
    return BusyProduct(
        product=product,
        review_count=3,
        avg_rating=(5 + 4 + 2) / 3,
        units_sold=sum(q for q, _ in counted),
        revenue=sum((q * p for q, p in counted), Decimal("0.00")),
    )


@pytest.fixture
def quiet_product(db):
    """A product with no reviews and no sales (figures must be 0, not NULL)."""
    return ProductFactory(category=CategoryFactory(), supplier=SupplierFactory(), stock_quantity=0)
