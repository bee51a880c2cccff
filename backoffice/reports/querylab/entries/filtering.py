"""The guide's "Filtering and Lookups": filter/exclude, Q objects, field lookups, relations."""

from datetime import UTC, datetime

from django.db.models import Count, Q
from django.utils import timezone

from backoffice.models import Customer, Product
from backoffice.reports.permissions import CUSTOMER_DATA
from backoffice.reports.querylab.registry import example

SECTION = "Filtering and Lookups"


# --- Basic filtering ---------------------------------------------------------------------------


@example(
    SECTION,
    "Equal: filter(category__name=...)",
    explain=lambda: Product.objects.filter(category__name="Electronics"),
)
def filter_equal():
    electronics = Product.objects.filter(category__name="Electronics")
    return electronics.values("id", "name", "price", "category__name")


@example(
    SECTION,
    "Multiple conditions (AND)",
    explain=lambda: Product.objects.filter(category__name="Electronics", price__gt=500),
)
def filter_and():
    expensive_electronics = Product.objects.filter(category__name="Electronics", price__gt=500)
    return expensive_electronics.values("id", "name", "price", "category__name")


@example(
    SECTION,
    "OR conditions with Q",
    explain=lambda: Product.objects.filter(Q(price__lt=50) | Q(category__name="Books")),
)
def filter_or():
    cheap_or_books = Product.objects.filter(Q(price__lt=50) | Q(category__name="Books"))
    return cheap_or_books.values("id", "name", "price", "category__name")


@example(
    SECTION,
    "NOT conditions: exclude()",
    explain=lambda: Product.objects.exclude(category__name="Electronics"),
)
def filter_not():
    not_electronics = Product.objects.exclude(category__name="Electronics")
    return not_electronics.values("id", "name", "category__name", "price")


@example(
    SECTION,
    "Complex Q objects",
    errata=("E07",),
    explain=lambda: Product.objects.filter(
        Q(category__name="Electronics") & (Q(price__lt=1000) | Q(stock_quantity__gt=30))
    ),
)
def filter_complex_q():
    """The inner condition is an OR: price below 1000 OR more than 30 in stock."""
    complex_filter = Product.objects.filter(
        Q(category__name="Electronics") & (Q(price__lt=1000) | Q(stock_quantity__gt=30))
    )
    return complex_filter.values("id", "name", "price", "stock_quantity", "category__name")


# --- Field lookups -----------------------------------------------------------------------------


@example(SECTION, "exact (the default)", explain=lambda: Product.objects.filter(name="MacBook Pro"))
def lookup_exact():
    products = Product.objects.filter(name="MacBook Pro")
    return products.values("id", "name", "description", "price")


@example(SECTION, "iexact", explain=lambda: Product.objects.filter(name__iexact="macbook pro"))
def lookup_iexact():
    products = Product.objects.filter(name__iexact="macbook pro")
    return products.values("id", "name")


@example(SECTION, "contains", explain=lambda: Product.objects.filter(name__contains="iPhone"))
def lookup_contains():
    """`contains` is case-sensitive on PostgreSQL; on SQLite, LIKE ignores the case of ASCII
    letters, so `contains` behaves like `icontains` there."""
    products = Product.objects.filter(name__contains="iPhone")
    return products.values("id", "name", "description", "price")


@example(SECTION, "icontains", explain=lambda: Product.objects.filter(name__icontains="samsung"))
def lookup_icontains():
    products = Product.objects.filter(name__icontains="samsung")
    return products.values("id", "name")


@example(SECTION, "startswith / endswith")
def lookup_starts_ends_with():
    starts_with_products = Product.objects.filter(name__startswith="Data")
    ends_with_products = Product.objects.filter(name__endswith="Course")
    return {
        "startswith 'Data'": list(starts_with_products.values_list("name", flat=True)),
        "endswith 'Course'": list(ends_with_products.values_list("name", flat=True)),
    }


@example(SECTION, "Numeric comparisons: gt, lt, gte/lte", errata=("E02",))
def lookup_numeric():
    expensive = Product.objects.filter(price__gt=100)  # Greater than
    cheap = Product.objects.filter(price__lt=50)  # Less than
    mid_range = Product.objects.filter(price__gte=50, price__lte=200)  # Between
    return {
        "expensive (> $100) count": expensive.count(),
        "expensive": list(expensive.values_list("name", flat=True)),
        "cheap (< $50) count": cheap.count(),
        "cheap": list(cheap.values_list("name", flat=True)),
        "mid-range ($50-$200) count": mid_range.count(),
        "mid-range": list(mid_range.values_list("name", flat=True)),
    }


@example(
    SECTION,
    "in a list",
    explain=lambda: Product.objects.filter(category__name__in=["Electronics", "Books"]),
)
def lookup_in():
    multiple_categories = Product.objects.filter(category__name__in=["Electronics", "Books"])
    return multiple_categories.values("id", "name", "category__name", "price")


@example(
    SECTION,
    "Date/DateTime range",
    errata=("E03",),
    explain=lambda: Product.objects.filter(
        created_at__range=[datetime(2024, 2, 1, tzinfo=UTC), datetime(2024, 2, 28, tzinfo=UTC)]
    ),
)
def lookup_datetime_range():
    """Changed: the guide passes naive datetimes (`datetime(2024, 2, 1)`); with USE_TZ Django
    warns "received a naive datetime" and reads them as UTC. Here they carry tzinfo=UTC, which
    is what Django assumed anyway, so the result is the same without the warning. Note that the
    range ends at 28 February 00:00, not at the end of that day."""
    recent_products = Product.objects.filter(
        created_at__range=[
            datetime(2024, 2, 1, tzinfo=UTC),
            datetime(2024, 2, 28, tzinfo=UTC),
        ]
    )
    return recent_products.values("id", "name", "created_at")


@example(SECTION, "__date, __month, __year", errata=("E04",))
def lookup_date_parts():
    """Changed: `date.today()` is the server's local date; `timezone.localdate()` is today in
    the project's time zone, which is what `created_at__date` compares with."""
    today_products = Product.objects.filter(created_at__date=timezone.localdate())
    february_products = Product.objects.filter(created_at__month=2)
    year_2024_products = Product.objects.filter(created_at__year=2024)
    return {
        "created today": today_products.count(),
        "created in February": february_products.count(),
        "created in 2024": year_2024_products.count(),
    }


@example(SECTION, "isnull and empty checks")
def lookup_null_and_empty():
    """`description` is a NOT NULL text column, so `isnull=True` can never match: an empty
    description is stored as '' (Django's convention for text fields)."""
    products_without_description = Product.objects.filter(description__isnull=True)
    products_with_description = Product.objects.filter(description__isnull=False)
    empty_descriptions = Product.objects.filter(description__exact="")
    return {
        "no description (NULL)": products_without_description.count(),
        "has description (NOT NULL)": products_with_description.count(),
        "empty description ('')": empty_descriptions.count(),
    }


# --- Advanced filtering ------------------------------------------------------------------------


@example(
    SECTION,
    "Products with reviews (reverse isnull + distinct)",
    errata=("E05",),
    explain=lambda: Product.objects.filter(reviews__isnull=False).distinct(),
)
def products_with_reviews():
    """As printed, the loop asks `product.reviews.count()` once per product: one query for the
    list plus one per product (an N+1, see the Performance section)."""
    products_with_reviews = Product.objects.filter(reviews__isnull=False).distinct()
    return [
        {"id": product.id, "name": product.name, "review_count": product.reviews.count()}
        for product in products_with_reviews
    ]


@example(
    SECTION,
    "Products without reviews",
    explain=lambda: Product.objects.filter(reviews__isnull=True),
)
def products_without_reviews():
    products_without_reviews = Product.objects.filter(reviews__isnull=True)
    return products_without_reviews.values("id", "name", "price", "category__name")


@example(
    SECTION,
    "Products with reviews of 4+ stars",
    explain=lambda: Product.objects.filter(reviews__rating__gte=4).distinct(),
)
def products_highly_rated():
    highly_rated = Product.objects.filter(reviews__rating__gte=4).distinct()
    return highly_rated.values("id", "name")


@example(
    SECTION,
    "Products from suppliers rated 4.0+",
    errata=("E06",),
    explain=lambda: Product.objects.filter(supplier__rating__gte=4.0),
)
def products_from_good_suppliers():
    quality_products = Product.objects.filter(supplier__rating__gte=4.0)
    return quality_products.values("id", "name", "supplier__name", "supplier__rating")


@example(
    SECTION,
    "Customers who have placed orders",
    errata=("E26",),
    explain=lambda: Customer.objects.filter(orders__isnull=False).distinct(),
    requires=CUSTOMER_DATA,
)
def customers_with_orders():
    customers_with_orders = Customer.objects.filter(orders__isnull=False).distinct()
    return customers_with_orders.values("id", "user__first_name", "user__last_name", "user__email")


@example(
    SECTION,
    "Products ordered multiple times: Count('orderitem')",
    explain=lambda: (
        Product.objects.annotate(order_count=Count("orderitem"))
        .filter(order_count__gt=0)
        .order_by("-order_count")
    ),
)
def products_ordered_multiple_times():
    """`Count('orderitem')` counts order lines, not units: Nike T-Shirt was ordered once with
    quantity 2, so its count is 1. Products with the same count come in no particular order
    (add a second `order_by` key such as 'name' to make it stable). Cancelled orders count too."""
    popular_products = (
        Product.objects.annotate(order_count=Count("orderitem"))
        .filter(order_count__gt=0)
        .order_by("-order_count")
    )
    return popular_products.values("id", "name", "order_count")
