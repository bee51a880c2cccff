"""Product.objects.with_catalog_stats(): every figure of the product list, exactly."""

from decimal import Decimal

import pytest

from backoffice.models import Product
from backoffice.querysets import catalog as thresholds
from backoffice.querysets.catalog import CATALOG_FIGURES
from tests.factories import ProductFactory
from tests.truth import catalog as truth

FIGURES = CATALOG_FIGURES


def figures_of(product: Product) -> dict:
    return {name: getattr(product, name) for name in FIGURES}


@pytest.mark.usefixtures("seed")
def test_every_figure_matches_the_seed_data():
    expected = truth.product_figures()
    got = {p.pk: figures_of(p) for p in Product.objects.with_catalog_stats()}
    assert got.keys() == expected.keys()
    for pk, figures in expected.items():
        assert got[pk]["avg_rating"] == pytest.approx(figures.pop("avg_rating")), pk
        got[pk].pop("avg_rating")
        assert got[pk] == figures, pk


@pytest.mark.usefixtures("seed")
def test_cancelled_orders_are_not_sales():
    """iPhone 15 (id 2) has one line in a delivered order and one in cancelled order 7."""
    iphone = Product.objects.with_catalog_stats().get(pk=2)
    assert (iphone.units_sold, iphone.revenue) == (1, Decimal("999.99"))


def test_three_reviews_and_four_order_lines_are_not_multiplied(busy_product):
    product = Product.objects.with_catalog_stats().get(pk=busy_product.product.pk)
    assert product.review_count == busy_product.review_count == 3
    assert product.avg_rating == pytest.approx(busy_product.avg_rating)
    assert product.units_sold == busy_product.units_sold == 6
    assert product.revenue == busy_product.revenue == Decimal("62.47")
    assert isinstance(product.revenue, Decimal)


def test_a_product_without_reviews_or_sales_has_zeros(quiet_product):
    product = Product.objects.with_catalog_stats().get(pk=quiet_product.pk)
    assert product.review_count == 0
    assert product.avg_rating is None
    assert product.units_sold == 0
    assert product.revenue == Decimal("0.00")
    assert str(product.revenue) == "0.00"
    assert product.stock_status == "Out of stock"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("stock", "status"),
    [
        (0, "Out of stock"),
        (1, "Low stock"),
        (9, "Low stock"),
        (10, "Medium stock"),
        (24, "Medium stock"),
        (25, "Well stocked"),
        (1000, "Well stocked"),
    ],
)
def test_stock_status_thresholds(stock, status):
    product = ProductFactory(stock_quantity=stock)
    assert Product.objects.with_catalog_stats().get(pk=product.pk).stock_status == status
    assert truth.stock_status(stock) == status


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("price", "band"),
    [
        ("0.01", "Cheap"),
        ("49.99", "Cheap"),
        ("50.00", "Medium"),
        ("199.99", "Medium"),
        ("200.00", "Expensive"),
    ],
)
def test_price_band_thresholds(price, band):
    product = ProductFactory(price=Decimal(price))
    assert Product.objects.with_catalog_stats().get(pk=product.pk).price_band == band


def test_thresholds_are_module_constants_for_reports():
    assert thresholds.STOCK_LOW_BELOW == 10
    assert thresholds.STOCK_MEDIUM_BELOW == 25
    assert Decimal("50") == thresholds.PRICE_CHEAP_BELOW
    assert Decimal("200") == thresholds.PRICE_MEDIUM_BELOW
    assert thresholds.STOCK_STATUSES == (
        "Out of stock",
        "Low stock",
        "Medium stock",
        "Well stocked",
    )
    assert thresholds.PRICE_BANDS == ("Cheap", "Medium", "Expensive")


@pytest.mark.usefixtures("seed")
@pytest.mark.parametrize("figure", FIGURES)
def test_every_figure_sorts_in_the_database(figure):
    """Ordering by each annotation works and agrees with sorting the values in Python."""
    rows = list(Product.objects.with_catalog_stats().order_by(figure, "pk"))
    values = [getattr(p, figure) for p in rows]
    present = [v for v in values if v is not None]
    assert present == sorted(present)


@pytest.mark.usefixtures("seed")
def test_no_join_of_reviews_or_order_items_in_the_outer_query():
    """The list reads kept figures: the outer FROM is the product table and its one-to-one
    figures row, never reviews or order items (which would multiply rows)."""
    sql = str(Product.objects.with_catalog_stats().query)
    outer_from = sql[sql.rindex(" FROM ") :]
    assert outer_from.count("JOIN") == 1
    assert 'JOIN "backoffice_productfigures"' in outer_from
    assert "backoffice_review" not in outer_from and "backoffice_orderitem" not in outer_from
