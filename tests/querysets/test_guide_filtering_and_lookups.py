"""The guide's "Filtering and Lookups" examples against the loaded dataset.

Each expected id set is computed from seed_data/*.json by a plain-Python predicate.
"""

from collections import Counter
from datetime import date, datetime

import pytest
from django.db.models import Count, Q

from backoffice.models import Customer, Product
from tests.seed import by_id, dec, rows, when

pytestmark = pytest.mark.usefixtures("seed")

CATEGORY_NAME = {row["id"]: row["name"] for row in rows("categories")}
SUPPLIER_RATING = {row["id"]: row["rating"] for row in rows("suppliers")}
REVIEWS = rows("reviews")
PRODUCTS = rows("products")


def product_ids(predicate) -> set[int]:
    return {row["id"] for row in PRODUCTS if predicate(row)}


def category(row) -> str:
    return CATEGORY_NAME[row["category_id"]]


def price(row):
    return dec(row["price"])


GUIDE_FILTERS = {
    "equal": (
        lambda: Product.objects.filter(category__name="Electronics"),
        lambda r: category(r) == "Electronics",
    ),
    "and": (
        lambda: Product.objects.filter(category__name="Electronics", price__gt=500),
        lambda r: category(r) == "Electronics" and price(r) > 500,
    ),
    "or": (
        lambda: Product.objects.filter(Q(price__lt=50) | Q(category__name="Books")),
        lambda r: price(r) < 50 or category(r) == "Books",
    ),
    "not": (
        lambda: Product.objects.exclude(category__name="Electronics"),
        lambda r: category(r) != "Electronics",
    ),
    "complex Q": (
        lambda: Product.objects.filter(
            Q(category__name="Electronics") & (Q(price__lt=1000) | Q(stock_quantity__gt=30))
        ),
        lambda r: category(r) == "Electronics" and (price(r) < 1000 or r["stock_quantity"] > 30),
    ),
    "exact": (
        lambda: Product.objects.filter(name="MacBook Pro"),
        lambda r: r["name"] == "MacBook Pro",
    ),
    "iexact": (
        lambda: Product.objects.filter(name__iexact="macbook pro"),
        lambda r: r["name"].lower() == "macbook pro",
    ),
    "contains": (
        lambda: Product.objects.filter(name__contains="iPhone"),
        lambda r: "iPhone" in r["name"],
    ),
    "icontains": (
        lambda: Product.objects.filter(name__icontains="samsung"),
        lambda r: "samsung" in r["name"].lower(),
    ),
    "startswith": (
        lambda: Product.objects.filter(name__startswith="Data"),
        lambda r: r["name"].startswith("Data"),
    ),
    "endswith": (
        lambda: Product.objects.filter(name__endswith="Course"),
        lambda r: r["name"].endswith("Course"),
    ),
    "gt 100": (lambda: Product.objects.filter(price__gt=100), lambda r: price(r) > 100),
    "lt 50": (lambda: Product.objects.filter(price__lt=50), lambda r: price(r) < 50),
    "between 50 and 200": (
        lambda: Product.objects.filter(price__gte=50, price__lte=200),
        lambda r: 50 <= price(r) <= 200,
    ),
    "in a list": (
        lambda: Product.objects.filter(category__name__in=["Electronics", "Books"]),
        lambda r: category(r) in {"Electronics", "Books"},
    ),
    "created today": (
        lambda: Product.objects.filter(created_at__date=date.today()),
        lambda r: when(r["created_at"]).date() == date.today(),
    ),
    "created in February": (
        lambda: Product.objects.filter(created_at__month=2),
        lambda r: when(r["created_at"]).month == 2,
    ),
    "created in 2024": (
        lambda: Product.objects.filter(created_at__year=2024),
        lambda r: when(r["created_at"]).year == 2024,
    ),
    "description is null": (
        lambda: Product.objects.filter(description__isnull=True),
        lambda r: r["description"] is None,
    ),
    "description not null": (
        lambda: Product.objects.filter(description__isnull=False),
        lambda r: r["description"] is not None,
    ),
    "empty description": (
        lambda: Product.objects.filter(description__exact=""),
        lambda r: r["description"] == "",
    ),
    "with reviews": (
        lambda: Product.objects.filter(reviews__isnull=False).distinct(),
        lambda r: any(v["product_id"] == r["id"] for v in REVIEWS),
    ),
    "without reviews": (
        lambda: Product.objects.filter(reviews__isnull=True),
        lambda r: not any(v["product_id"] == r["id"] for v in REVIEWS),
    ),
    "highly rated (4+)": (
        lambda: Product.objects.filter(reviews__rating__gte=4).distinct(),
        lambda r: any(v["product_id"] == r["id"] and v["rating"] >= 4 for v in REVIEWS),
    ),
    "supplier rated 4.0+": (
        lambda: Product.objects.filter(supplier__rating__gte=4.0),
        lambda r: SUPPLIER_RATING[r["supplier_id"]] >= 4.0,
    ),
}


@pytest.mark.parametrize("example", GUIDE_FILTERS, ids=list(GUIDE_FILTERS))
def test_guide_filter(example):
    queryset, predicate = GUIDE_FILTERS[example]
    result = queryset()
    expected = product_ids(predicate)
    assert set(result.values_list("id", flat=True)) == expected
    assert result.count() == len(expected)


def test_naive_datetime_range_warns_and_reads_as_utc():
    """The guide passes naive datetimes; with USE_TZ Django warns and interprets them in UTC."""
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        result = set(
            Product.objects.filter(
                created_at__range=[datetime(2024, 2, 1), datetime(2024, 2, 28)]
            ).values_list("id", flat=True)
        )
    start, end = when("2024-02-01T00:00:00+00:00"), when("2024-02-28T00:00:00+00:00")
    assert result == product_ids(lambda r: start <= when(r["created_at"]) <= end)


def test_customers_who_have_placed_orders():
    expected = {row["customer_id"] for row in rows("orders")}
    result = Customer.objects.filter(orders__isnull=False).distinct()
    assert set(result.values_list("id", flat=True)) == expected
    assert result.count() == len(expected)


def test_products_ordered_multiple_times():
    lines_per_product = Counter(row["product_id"] for row in rows("order_items"))
    popular = (
        Product.objects.annotate(order_count=Count("orderitem"))
        .filter(order_count__gt=0)
        .order_by("-order_count")
    )
    assert {p.id: p.order_count for p in popular} == dict(lines_per_product)
    counts = [p.order_count for p in popular]
    assert counts == sorted(counts, reverse=True)


def test_reverse_counts_per_product_with_reviews():
    reviews_per_product = Counter(row["product_id"] for row in REVIEWS)
    for product in Product.objects.filter(reviews__isnull=False).distinct():
        assert product.reviews.count() == reviews_per_product[product.id]
    assert set(reviews_per_product) <= set(by_id("products"))
