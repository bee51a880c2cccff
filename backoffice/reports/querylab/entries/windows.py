"""Window functions: the guide's "Advanced Queries" examples and the later "Database Functions
and Advanced Expressions" analytics (`get_product_rankings`)."""

from django.db.models import F, RowRange, Window
from django.db.models.functions import Lag, Lead, Rank, RowNumber

from backoffice.models import Order, Product
from backoffice.reports.querylab.registry import example

SECTION = "Window Functions"


@example(
    SECTION,
    "Rank() of products by price within each category",
    explain=lambda: Product.objects.annotate(
        price_rank=Window(
            expression=Rank(), partition_by=[F("category")], order_by=F("price").desc()
        )
    ),
)
def rank_by_price_in_category():
    products_with_rank = Product.objects.annotate(
        price_rank=Window(
            expression=Rank(),
            partition_by=[F("category")],
            order_by=F("price").desc(),
        )
    )
    return products_with_rank.values("category__name", "name", "price", "price_rank")


@example(
    SECTION,
    "RowNumber() by creation date",
    explain=lambda: Product.objects.annotate(
        row_number=Window(expression=RowNumber(), order_by=[F("created_at").desc()])
    ),
)
def row_number_by_created():
    products_with_row_number = Product.objects.annotate(
        row_number=Window(
            expression=RowNumber(),
            order_by=[F("created_at").desc()],
        )
    )
    return products_with_row_number.values("row_number", "name", "created_at")


@example(
    SECTION,
    "Lag()/Lead(): each customer's previous and next order total",
    errata=("E29",),
    explain=lambda: Order.objects.annotate(
        prev_order_total=Window(
            expression=Lag("total_amount"), partition_by=[F("customer")], order_by="order_date"
        )
    ),
)
def lag_lead_orders():
    """Changed: the guide writes `order_by=F('order_date')`; on Django 5.2 `Window` raises
    "ValueError: Window.order_by must be either a string reference to a field, an expression,
    or a list or tuple of them" (a bare F() is neither). `'order_date'` (or
    `F('order_date').asc()`) works."""
    orders_with_comparison = Order.objects.annotate(
        prev_order_total=Window(
            expression=Lag("total_amount"),
            partition_by=[F("customer")],
            order_by="order_date",
        ),
        next_order_total=Window(
            expression=Lead("total_amount"),
            partition_by=[F("customer")],
            order_by="order_date",
        ),
    )
    return orders_with_comparison.values(
        "id", "customer_id", "order_date", "total_amount", "prev_order_total", "next_order_total"
    )


@example(SECTION, "get_product_rankings(): ranks, Lag/Lead, running total", errata=("E20", "E32"))
def product_rankings():
    """Changed, three ways, because the guide's code cannot run on Django 5.2:
    - it imports `Sum as WindowSum, Avg as WindowAvg` from `django.db.models.functions`, where
      they do not exist (ImportError): the aggregates come from `django.db.models`;
    - `order_by=F('price')` raises ValueError (a bare F() is not accepted): `'price'`;
    - `frame=Window.UNBOUNDED_PRECEDING` does not exist (AttributeError): a running total is
      `frame=RowRange(start=None, end=0)`, i.e. ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW.
    Lag/Lead over ascending price give the next CHEAPER (prev_price) and next DEARER
    (next_price) product of the category."""
    from django.db.models import Avg as WindowAvg
    from django.db.models import Sum as WindowSum

    def get_product_rankings():
        return (
            Product.objects.annotate(
                # Rank products by price within category
                price_rank_in_category=Window(
                    expression=Rank(),
                    partition_by=[F("category")],
                    order_by=F("price").desc(),
                ),
                # Row number for pagination
                row_number=Window(
                    expression=RowNumber(),
                    order_by=[F("created_at").desc()],
                ),
                # Compare with previous/next product prices
                prev_price=Window(
                    expression=Lag("price"),
                    partition_by=[F("category")],
                    order_by="price",
                ),
                next_price=Window(
                    expression=Lead("price"),
                    partition_by=[F("category")],
                    order_by="price",
                ),
                # Running totals and averages
                running_total_value=Window(
                    expression=WindowSum(F("price") * F("stock_quantity")),
                    order_by=F("created_at").asc(),
                    frame=RowRange(start=None, end=0),
                ),
                # Category statistics
                category_avg_price=Window(
                    expression=WindowAvg("price"),
                    partition_by=[F("category")],
                ),
            )
            .values(
                "name",
                "category__name",
                "price",
                "price_rank_in_category",
                "prev_price",
                "next_price",
                "category_avg_price",
                "running_total_value",
            )
            .order_by("category__name", "-price")
        )

    rankings = get_product_rankings()
    return rankings
