"""The guide's "Advanced Queries": raw SQL, subqueries, Exists and JSON field queries.

(Its window functions and database functions have their own sections in the lab.)
"""

from django.db import connection
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.fields.json import KeyTextTransform

from backoffice.models import Category, Customer, Order, Product, ProductMeta, Review
from backoffice.reports.querylab.registry import example

SECTION = "Advanced Queries"

# The dataset has no product metadata; the JSON examples first give these products some
# (inside the lab's transaction, so it is rolled back like every write).
SAMPLE_METADATA = {
    "MacBook Pro": {"color": "silver", "specs": {"weight": 1.6, "ram_gb": 16}},
    "iPhone 15": {"color": "black", "specs": {"weight": 0.17, "storage_gb": 128}},
    "Nike T-Shirt": {"color": "red", "specs": {"weight": 0.2, "material": "cotton"}},
    "Tennis Racket": {"color": "red", "specs": {"weight": 0.3}},
    "Garden Tools Set": {"color": "green", "specs": {"weight": 3.5, "pieces": 5}},
}


# --- Raw SQL -----------------------------------------------------------------------------------


@example(SECTION, "raw(): model instances from SQL")
def raw_products():
    """Changed: the guide's table is `myapp_product`, which does not exist here. The table name
    comes from `Product._meta.db_table` (quoted), and the value stays a query parameter (%s):
    never format values into SQL."""
    table = connection.ops.quote_name(Product._meta.db_table)
    products = Product.objects.raw(f"SELECT * FROM {table} WHERE price > %s", [100])
    return [
        {"id": product.id, "name": product.name, "price": product.price} for product in products
    ]


@example(SECTION, "connection.cursor(): custom SQL")
def cursor_custom_sql():
    """Changed: `myapp_category`/`myapp_product` are this project's `Category._meta.db_table`
    and `Product._meta.db_table`. On SQLite AVG() of a decimal column is a float."""
    category_table = connection.ops.quote_name(Category._meta.db_table)
    product_table = connection.ops.quote_name(Product._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"""
            SELECT c.name, COUNT(p.id) as product_count, AVG(p.price) as avg_price
            FROM {category_table} c
            LEFT JOIN {product_table} p ON c.id = p.category_id
            GROUP BY c.id, c.name
            ORDER BY product_count DESC
        """)
        results = cursor.fetchall()
    return [
        {"category": row[0], "products": row[1], "avg_price": f"${row[2]:.2f}"} for row in results
    ]


# --- Subqueries --------------------------------------------------------------------------------


@example(
    SECTION,
    "Subquery: each customer's latest order",
    explain=lambda: Customer.objects.annotate(
        latest_order_date=Subquery(
            Order.objects.filter(customer=OuterRef("pk"))
            .order_by("-order_date")
            .values("order_date")[:1]
        )
    ),
)
def subquery_latest_order():
    latest_orders = Order.objects.filter(customer=OuterRef("pk")).order_by("-order_date")

    customers_with_latest_order = Customer.objects.annotate(
        latest_order_date=Subquery(latest_orders.values("order_date")[:1]),
        latest_order_total=Subquery(latest_orders.values("total_amount")[:1]),
    )
    return customers_with_latest_order.values(
        "user__first_name", "user__last_name", "latest_order_date", "latest_order_total"
    )


@example(
    SECTION,
    "Subquery: each product's highest review rating",
    explain=lambda: Product.objects.annotate(
        highest_rating=Subquery(
            Review.objects.filter(product=OuterRef("pk")).order_by("-rating").values("rating")[:1]
        )
    ),
)
def subquery_highest_rating():
    highest_ratings = Review.objects.filter(product=OuterRef("pk")).order_by("-rating")

    products_with_highest_rating = Product.objects.annotate(
        highest_rating=Subquery(highest_ratings.values("rating")[:1])
    )
    return products_with_highest_rating.values("id", "name", "highest_rating")


@example(
    SECTION,
    "Customers with an order over $500: join + distinct()",
    explain=lambda: Customer.objects.filter(orders__total_amount__gt=500).distinct(),
)
def customers_high_value_join():
    """Charlie Davis's $999.99 order is cancelled; the query does not look at the status."""
    customers_with_high_value_orders = Customer.objects.filter(
        orders__total_amount__gt=500
    ).distinct()
    return customers_with_high_value_orders.values("id", "user__first_name", "user__last_name")


@example(
    SECTION,
    "Customers with an order over $500: Exists()",
    explain=lambda: Customer.objects.filter(
        Exists(Order.objects.filter(customer=OuterRef("pk"), total_amount__gt=500))
    ),
)
def customers_high_value_exists():
    """Same customers as the join + distinct() version, without a join that has to be
    de-duplicated: the database can stop at the first matching order."""
    high_value_orders = Order.objects.filter(customer=OuterRef("pk"), total_amount__gt=500)
    customers_with_high_value_orders = Customer.objects.annotate(
        has_high_value_order=Exists(high_value_orders)
    ).filter(has_high_value_order=True)
    return customers_with_high_value_orders.values("id", "user__first_name", "user__last_name")


# --- JSON field queries ------------------------------------------------------------------------


@example(SECTION, "JSONField: filter on a key", writes=True)
def json_filter_key():
    """`ProductMeta.metadata` is a `models.JSONField`: it works on PostgreSQL and on SQLite.
    The shop has no metadata yet, so the example first gives a few products some (rolled
    back)."""
    for product in Product.objects.filter(name__in=SAMPLE_METADATA, productmeta__isnull=True):
        ProductMeta.objects.create(product=product, metadata=SAMPLE_METADATA[product.name])

    products = ProductMeta.objects.filter(metadata__color="red")
    return products.values("product__name", "metadata")


@example(SECTION, "JSONField: filter on a nested key", writes=True)
def json_filter_nested_key():
    """Writes sample metadata first, as the previous example."""
    for product in Product.objects.filter(name__in=SAMPLE_METADATA, productmeta__isnull=True):
        ProductMeta.objects.create(product=product, metadata=SAMPLE_METADATA[product.name])

    products = ProductMeta.objects.filter(metadata__specs__weight__gt=1.0)
    return products.values("product__name", "metadata")


@example(SECTION, "JSONField: extract values with KeyTextTransform", writes=True, errata=("E24",))
def json_extract_values():
    """Changed: the guide imports `JSONField` from `django.contrib.postgres.fields`, which was
    removed in Django 4.0, and never imports `KeyTextTransform`; it lives in
    `django.db.models.fields.json`. Writes sample metadata first, as the previous examples."""
    for product in Product.objects.filter(name__in=SAMPLE_METADATA, productmeta__isnull=True):
        ProductMeta.objects.create(product=product, metadata=SAMPLE_METADATA[product.name])

    products = ProductMeta.objects.annotate(
        color=KeyTextTransform("color", "metadata"),
        weight=KeyTextTransform("weight", KeyTextTransform("specs", "metadata")),
    )
    return products.values("product__name", "color", "weight")
