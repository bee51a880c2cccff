"""The guide's "Aggregation and Annotation", conditional aggregation included.

Where the guide aggregates over two reverse relations in one query (reviews AND order items),
the joins multiply rows; the lab runs the query as printed and, next to it, a correct version.
"""

from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    DecimalField,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from backoffice.models import Category, Customer, Order, OrderItem, Product, Review, Supplier
from backoffice.reports.querylab.registry import comparison, example

SECTION = "Aggregation and Annotation"


# --- Basic aggregation -------------------------------------------------------------------------


@example(SECTION, "count() and aggregate()", errata=("E08",))
def product_statistics():
    total_products = Product.objects.count()
    stats = Product.objects.aggregate(
        total_products=Count("id"),
        avg_price=Avg("price"),
        max_price=Max("price"),
        min_price=Min("price"),
        total_stock=Sum("stock_quantity"),
    )
    return {"count()": total_products, **stats}


@example(
    SECTION,
    "Category-wise aggregation",
    explain=lambda: Category.objects.annotate(
        product_count=Count("products"), avg_price=Avg("products__price")
    ),
)
def category_statistics():
    category_stats = Category.objects.annotate(
        product_count=Count("products"),
        avg_price=Avg("products__price"),
        total_stock=Sum("products__stock_quantity"),
        max_price=Max("products__price"),
        min_price=Min("products__price"),
    ).values("name", "product_count", "avg_price", "total_stock", "max_price", "min_price")
    return category_stats


# --- Advanced aggregation with annotations -----------------------------------------------------


@example(SECTION, "Products: review count, average rating, units ordered", errata=("E09",))
def products_review_stats():
    """As printed. The query joins reviews AND order items: each review row is repeated once
    per order line, so a product with one review and two order lines (iPhone 15, Garden Tools
    Set) gets review_count 2. See the comparison "…: as printed vs corrected"."""
    products_with_stats = Product.objects.annotate(
        review_count=Count("reviews"),
        avg_rating=Avg("reviews__rating"),
        total_ordered=Sum("orderitem__quantity"),
    ).filter(review_count__gt=0)
    return products_with_stats.values("id", "name", "review_count", "avg_rating", "total_ordered")


def products_review_stats_distinct():
    products_with_stats = Product.objects.annotate(
        review_count=Count("reviews", distinct=True),
        avg_rating=Avg("reviews__rating"),
        total_ordered=Sum("orderitem__quantity"),
    ).filter(review_count__gt=0)
    return products_with_stats.values("id", "name", "review_count", "avg_rating", "total_ordered")


def products_review_stats_subquery():
    units_ordered = (
        OrderItem.objects.filter(product=OuterRef("pk"))
        .values("product")
        .annotate(units=Sum("quantity"))
        .values("units")
    )
    products_with_stats = Product.objects.annotate(
        review_count=Count("reviews"),
        avg_rating=Avg("reviews__rating"),
        total_ordered=Subquery(units_ordered),
    ).filter(review_count__gt=0)
    return products_with_stats.values("id", "name", "review_count", "avg_rating", "total_ordered")


comparison(
    SECTION,
    "Products: review count and units ordered — as printed vs corrected",
    slug="products-review-stats-corrected",
    errata=("E09",),
    variants=[
        ("As printed: two reverse joins", products_review_stats),
        ("Count(distinct=True)", products_review_stats_distinct),
        ("Subquery for the order lines", products_review_stats_subquery),
    ],
    note=(
        "Same question, three queries. As printed, reviews and order lines are joined in one "
        "query, so every review is counted once per order line. Count(distinct=True) fixes the "
        "count, but Sum and Avg cannot be fixed that way: a second review would double "
        "total_ordered again. A Subquery sums the order lines on their own and is right "
        "whatever the number of reviews."
    ),
)


@example(
    SECTION,
    "Customers with order statistics",
    errata=("E26",),
    explain=lambda: Customer.objects.annotate(total_orders=Count("orders")).filter(
        total_orders__gt=0
    ),
)
def customers_order_stats():
    """One reverse relation (orders) only, so no multiplication. `total_spent` sums every
    order, the cancelled one included."""
    customers_with_stats = Customer.objects.annotate(
        total_orders=Count("orders"),
        total_spent=Sum("orders__total_amount"),
        avg_order_value=Avg("orders__total_amount"),
        last_order_date=Max("orders__order_date"),
    ).filter(total_orders__gt=0)
    return customers_with_stats.values(
        "user__first_name",
        "user__last_name",
        "total_orders",
        "total_spent",
        "avg_order_value",
        "last_order_date",
    )


@example(SECTION, "Suppliers with product performance", errata=("E10",))
def suppliers_performance():
    """As printed. Products and their reviews are joined in one aggregate, so product_count,
    avg_product_price and total_stock would be multiplied as soon as a product had two reviews;
    and `order_by('-avg_rating')` puts SportsTech (no reviews, NULL) first on PostgreSQL and last
    on SQLite."""
    suppliers_performance = Supplier.objects.annotate(
        product_count=Count("products"),
        avg_product_price=Avg("products__price"),
        total_reviews=Count("products__reviews"),
        avg_rating=Avg("products__reviews__rating"),
        total_stock=Sum("products__stock_quantity"),
    ).order_by("-avg_rating")
    return suppliers_performance.values(
        "name",
        "product_count",
        "avg_product_price",
        "total_reviews",
        "avg_rating",
        "total_stock",
    )


def suppliers_performance_subquery():
    supplier_reviews = Review.objects.filter(product__supplier=OuterRef("pk")).values(
        "product__supplier"
    )
    suppliers_performance = Supplier.objects.annotate(
        product_count=Count("products"),
        avg_product_price=Avg("products__price"),
        total_reviews=Coalesce(Subquery(supplier_reviews.annotate(n=Count("id")).values("n")), 0),
        avg_rating=Subquery(supplier_reviews.annotate(avg=Avg("rating")).values("avg")),
        total_stock=Sum("products__stock_quantity"),
    ).order_by(F("avg_rating").desc(nulls_last=True), "name")
    return suppliers_performance.values(
        "name",
        "product_count",
        "avg_product_price",
        "total_reviews",
        "avg_rating",
        "total_stock",
    )


comparison(
    SECTION,
    "Suppliers performance — as printed vs corrected",
    slug="suppliers-performance-corrected",
    errata=("E10",),
    variants=[
        ("As printed: products and reviews joined", suppliers_performance),
        ("Subqueries for the reviews, NULLs last", suppliers_performance_subquery),
    ],
    note=(
        "The corrected query joins only the products; review count and average come from "
        "subqueries, so no figure depends on how many reviews a product has. "
        "F('avg_rating').desc(nulls_last=True) sorts suppliers without reviews last on every "
        "database."
    ),
)


# --- Conditional aggregation -------------------------------------------------------------------


@example(SECTION, "Count(Case(When(...))): products by price range")
def price_distribution():
    price_distribution = Product.objects.aggregate(
        cheap=Count(Case(When(price__lt=50, then=1), output_field=IntegerField())),
        medium=Count(Case(When(price__gte=50, price__lt=200, then=1), output_field=IntegerField())),
        expensive=Count(Case(When(price__gte=200, then=1), output_field=IntegerField())),
    )
    return price_distribution


@example(
    SECTION,
    "Case/When annotation: price category",
    errata=("E27",),
    explain=lambda: Product.objects.annotate(
        price_category=Case(
            When(price__lt=50, then=Value("Cheap")),
            When(price__lt=200, then=Value("Medium")),
            default=Value("Expensive"),
            output_field=CharField(max_length=20),
        )
    ),
)
def price_category():
    """Changed: the guide writes `then='Cheap'` and `default='Expensive'`. In `When(then=...)`
    and `Case(default=...)` a plain string names a FIELD, so the query fails with "Cannot
    resolve keyword 'Cheap' into field". A literal needs `Value('Cheap')`."""
    products_with_category = Product.objects.annotate(
        price_category=Case(
            When(price__lt=50, then=Value("Cheap")),
            When(price__lt=200, then=Value("Medium")),
            default=Value("Expensive"),
            output_field=CharField(max_length=20),
        )
    ).values("name", "price", "price_category")
    return products_with_category


@example(SECTION, "Conditional aggregation by order status", errata=("E11",))
def order_statistics():
    """Added `DecimalField` to the imports: the guide uses it without importing it."""
    order_stats = Order.objects.aggregate(
        total_orders=Count("id"),
        delivered=Count(Case(When(status="delivered", then=1), output_field=IntegerField())),
        processing=Count(Case(When(status="processing", then=1), output_field=IntegerField())),
        shipped=Count(Case(When(status="shipped", then=1), output_field=IntegerField())),
        pending=Count(Case(When(status="pending", then=1), output_field=IntegerField())),
        cancelled=Count(Case(When(status="cancelled", then=1), output_field=IntegerField())),
        total_revenue=Sum(
            Case(When(status="delivered", then="total_amount"), output_field=DecimalField())
        ),
        pending_revenue=Sum(
            Case(
                When(status__in=["processing", "shipped", "pending"], then="total_amount"),
                output_field=DecimalField(),
            )
        ),
    )
    return order_stats
