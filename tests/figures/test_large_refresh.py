"""A large refresh (more ids than ``SET_BASED_FROM``: set-based on PostgreSQL, the ORM path on
SQLite) gives exactly the recomputed truth (``rebuild.check``), kept figures wrong or missing
before it; and with the set-based path forced for every size, so do the kinds and the
concurrent writers the small sets reach."""

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F

from backoffice.figures import keeping, refresh
from backoffice.figures.rebuild import check
from backoffice.models import (
    Category,
    CategoryFigures,
    Customer,
    CustomerFigures,
    DaySales,
    Order,
    OrderFigures,
    OrderItem,
    OrderStatus,
    Product,
    ProductFigures,
    Review,
    ReviewFigures,
    Supplier,
    SupplierFigures,
)
from backoffice.querysets.days import utc_day
from backoffice.services.orders import OrderLine, order_create
from tests.factories import CustomerFactory, OrderFactory, ProductFactory
from tests.figures.test_concurrent_writes import at_once

ORDERS = 2_500  # over SET_BASED_FROM


@pytest.fixture
def shop(db):
    call_command(
        "generate_shop", "--orders", str(ORDERS), "--seed", "3", "--until", "2026-06-15",
        stdout=StringIO(),
    )  # fmt: skip
    # rows without sources of their figures: an order without lines, a customer without
    # orders, a product never sold or reviewed; a cancelled order; a NULL-free odd charge
    CustomerFactory()
    ProductFactory()
    OrderFactory(total_amount=Decimal("12.34"))
    Order.objects.filter(pk__in=Order.objects.order_by("pk").values("pk")[:300]).update(
        status=OrderStatus.CANCELLED
    )
    # charges: orders whose total includes them (not differing) and one whose doesn't
    charged = list(Order.objects.order_by("-pk").values_list("pk", flat=True)[:40])
    Order.objects.filter(pk__in=charged[:20]).update(
        shipping_amount=Decimal("4.95"),
        tax_amount=Decimal("1.10"),
        discount_amount=Decimal("2.00"),
        total_amount=F("total_amount") + Decimal("4.05"),
    )
    Order.objects.filter(pk__in=charged[20:]).update(shipping_amount=Decimal("3.00"))
    assert Order.objects.count() > keeping.SET_BASED_FROM
    assert check() == []


def _spoil():
    """Every kind's kept figures wrong, some rows missing, a day's sales gone."""
    ProductFigures.objects.update(units_sold=7, avg_rating=1.5, revenue=Decimal("1.00"))
    ProductFigures.objects.filter(pk__in=Product.objects.order_by("pk").values("pk")[:5]).delete()
    OrderFigures.objects.update(items_total=Decimal("0.01"), item_count=99, total_differs=False)
    OrderFigures.objects.filter(pk__in=Order.objects.order_by("-pk").values("pk")[:5]).delete()
    CustomerFigures.objects.update(
        order_count=0, total_spent=Decimal("3.00"), latest_order_total=None, has_order_over_500=True
    )
    CustomerFigures.objects.filter(pk__in=Customer.objects.values("pk")[:5]).delete()
    CategoryFigures.objects.update(revenue=Decimal("2.00"), min_price=None)
    SupplierFigures.objects.update(review_count=0, total_stock=-1)
    ReviewFigures.objects.update(bought=True)
    ReviewFigures.objects.filter(pk__in=Review.objects.values("pk")[:5]).delete()
    DaySales.objects.filter(day=DaySales.objects.order_by("day").values_list("day")[:1]).delete()
    assert len(check(limit=10_000)) > 1_000


def _refresh_everything():
    days = {utc_day(moment) for moment in Order.objects.values_list("order_date", flat=True)}
    refresh(
        products=Product.objects.values_list("pk", flat=True),
        orders=Order.objects.values_list("pk", flat=True),
        customers=Customer.objects.values_list("pk", flat=True),
        categories=Category.objects.values_list("pk", flat=True),
        suppliers=Supplier.objects.values_list("pk", flat=True),
        days=days | {date(2000, 1, 1)},
    )


def test_a_large_refresh_gives_the_recomputed_truth(shop):
    _spoil()
    _refresh_everything()
    assert check() == []


@pytest.fixture
def set_based_always(monkeypatch):
    monkeypatch.setattr(keeping, "SET_BASED_FROM", 1)


@pytest.mark.postgres_only
def test_every_kind_set_based_gives_the_recomputed_truth(shop, set_based_always):
    _spoil()
    # ids that are gone or being deleted are left out, as on the small path
    refresh(orders=[10**9], products=[10**9], skip={"products": [10**9]})
    _refresh_everything()
    assert check() == []


@pytest.mark.postgres_only
def test_set_based_small_writes_keep_every_figure(shop, set_based_always):
    product = Product.objects.filter(is_active=True, stock_quantity__gt=5).first()
    customer = Customer.objects.first()
    order = order_create(customer=customer, lines=[OrderLine(product.pk, 2)])
    assert check() == []
    order.items.first().delete()
    Order.objects.filter(pk=order.pk).update(order_date=order.order_date - timedelta(days=3))
    Product.objects.filter(pk=product.pk).update(category=Category.objects.last())
    Review.objects.filter(product=product).delete()
    OrderItem.objects.filter(order__customer=customer).delete()
    assert check() == []


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_set_based_concurrent_writers_lose_no_update(set_based_always):
    product = ProductFactory(stock_quantity=100, price=Decimal("3.00"))
    other = ProductFactory(stock_quantity=100, price=Decimal("5.00"))
    customer = CustomerFactory()

    def place(i):
        lines = [OrderLine(product.pk, 1 + i % 3), OrderLine(other.pk, 1)]
        order_create(customer=customer, lines=lines if i % 2 else lines[::-1])

    assert at_once(8, place) == []
    assert ProductFigures.objects.get(pk=product.pk).units_sold == sum(1 + i % 3 for i in range(8))
    assert CustomerFigures.objects.get(pk=customer.pk).order_count == 8
    assert check() == []
    connection.close()
