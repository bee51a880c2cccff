"""Catalog reports: product rankings, inventory analysis, supplier performance."""

from django.db.models import Case, F, FloatField, Q, Value, When
from django.db.models.functions import Cast
from django.urls import reverse

from backoffice.models import Product, Supplier
from backoffice.querysets.catalog import LOW_STOCK, PERFORMANCE_GRADE_ABOVE
from backoffice.reports.base import CSV_CHUNK, Column, ReportTable, RowSource

# Inventory recommendations, first match wins. A product "turns over" well when it sold at
# least a tenth of its current stock (units sold / stock >= 0.1).
GOOD_TURNOVER = 0.1
RECOMMENDATIONS = (
    ("Restock now", Q(stock_quantity__lte=0)),
    ("Restock soon", LOW_STOCK),
    ("Slow mover: consider a promotion", Q(units_sold=0)),
    ("Selling well: keep stock up", Q(turnover__gte=GOOD_TURNOVER)),
)
DEFAULT_RECOMMENDATION = "Steady"


def product_link(pk) -> str:
    return reverse("admin:backoffice_product_change", args=[pk])


# Every ordering ends with the id: a stable order, so no row is on two pages.
RANKINGS_ORDER = ("category__name", "-price", "pk")
INVENTORY_ORDER = ("stock_quantity", "name", "pk")


def ranking_row(p) -> dict:
    return {
        "name": p.name,
        "category": p.category.name,
        "price": p.price,
        "price_rank": p.price_rank,
        "row_number": p.newest_first_number,
        "prev_price": p.prev_price,
        "next_price": p.next_price,
        "category_avg_price": p.category_avg_price,
        "running_inventory_value": p.running_inventory_value,
    }


def ranking_page(ids):
    """The page's products: the category windows over the whole categories of these rows
    (``with_category_position_of``), the row number over every product (one more query)."""
    numbers = Product.objects.newest_first_numbers(ids)
    products = list(Product.objects.with_category_position_of(ids).select_related("category"))
    for product in products:
        product.newest_first_number = numbers[product.pk]
    return products


def product_rankings(form) -> ReportTable:
    """The guide's window-function section: rank, row number, neighbours, running totals.

    Paged: a page's window figures are computed over the categories of its rows, so each is
    what the whole catalogue gives (a rank in its category is over the whole category). The
    CSV computes every window over every product in one streamed query."""
    every = (
        Product.objects.with_category_position()
        .with_newest_first_number()
        .select_related("category")
        .order_by(*RANKINGS_ORDER)
    )
    return ReportTable(
        columns=[
            Column("name", "Product"),
            Column("category", "Category"),
            Column("price", "Price", "money"),
            Column("price_rank", "Price rank in category", "int"),
            Column("row_number", "Row number (newest first)", "int"),
            Column("prev_price", "Next cheaper price", "money"),
            Column("next_price", "Next dearer price", "money"),
            Column("category_avg_price", "Category average price", "money"),
            Column("running_inventory_value", "Running inventory value in category", "money"),
        ],
        source=RowSource(
            ids=Product.objects.order_by(*RANKINGS_ORDER).values_list("pk", flat=True),
            fetch=ranking_page,
            every=lambda: every.iterator(chunk_size=CSV_CHUNK),
            row=ranking_row,
            link=lambda p: product_link(p.pk),
        ),
        notes=[
            "Rank 1 is the dearest product of its category; equal prices share a rank.",
            "Running inventory value adds price × stock over the category's products in the "
            "order they were added.",
        ],
    )


GRADE_NOTE = (
    "Grade: the guide's performance score from revenue (cancelled orders not counted): above "
    + ", ".join(f"{above:,.0f} is {grade}" for grade, above in PERFORMANCE_GRADE_ABOVE.items())
    + ", the rest D."
)


def inventory_products():
    """Products with the inventory report's figures, from their kept figures (one join)."""
    return (
        Product.objects.with_catalog_stats()
        .with_performance_grade()
        .annotate(
            turnover=Case(
                When(stock_quantity__lte=0, then=Value(None)),
                default=Cast(F("units_sold"), FloatField())
                / Cast(F("stock_quantity"), FloatField()),
                output_field=FloatField(),
            )
        )
        .annotate(
            recommendation=Case(
                *(When(condition, then=Value(label)) for label, condition in RECOMMENDATIONS),
                default=Value(DEFAULT_RECOMMENDATION),
            )
        )
        .select_related("category", "supplier")
    )


def inventory_row(p) -> dict:
    return {
        "name": p.name,
        "category": p.category.name,
        "supplier": p.supplier.name,
        "stock": p.stock_quantity,
        "stock_status": p.stock_status,
        "units_sold": p.units_sold,
        "revenue": p.revenue,
        "turnover": None if p.turnover is None else round(p.turnover, 3),
        "avg_rating": None if p.avg_rating is None else round(p.avg_rating, 2),
        "recommendation": p.recommendation,
        "performance_grade": p.performance_grade,
    }


def inventory_analysis(form) -> ReportTable:
    """The guide's inventory query with its arithmetic made right (E16): turnover is a real
    division of units sold (non-cancelled) by current stock, and nothing is multiplied."""
    return ReportTable(
        columns=[
            Column("name", "Product"),
            Column("category", "Category"),
            Column("supplier", "Supplier"),
            Column("stock", "Stock", "int"),
            Column("stock_status", "Stock status"),
            Column("units_sold", "Units sold", "int"),
            Column("revenue", "Revenue", "money"),
            Column("turnover", "Turnover (sold / stock)", "float"),
            Column("avg_rating", "Average rating", "float"),
            Column("recommendation", "Recommendation"),
            Column("performance_grade", "Grade"),
        ],
        source=RowSource(
            ids=Product.objects.order_by(*INVENTORY_ORDER).values_list("pk", flat=True),
            fetch=lambda ids: inventory_products().filter(pk__in=ids),
            every=lambda: (
                inventory_products().order_by(*INVENTORY_ORDER).iterator(chunk_size=CSV_CHUNK)
            ),
            row=inventory_row,
            link=lambda p: product_link(p.pk),
        ),
        notes=[
            "Units sold and revenue count items of orders that are not cancelled.",
            GRADE_NOTE,
            f"Turnover of {GOOD_TURNOVER} or more means the product sold at least a tenth of "
            "its current stock.",
        ],
    )


def supplier_row(s) -> dict:
    return {
        "name": s.name,
        "rating": s.rating,
        "product_count": s.product_count,
        "avg_product_price": s.avg_product_price,
        "review_count": s.review_count,
        "avg_review_rating": None if s.avg_review_rating is None else round(s.avg_review_rating, 2),
        "total_stock": s.total_stock,
        "revenue": s.revenue,
        "performance_grade": s.performance_grade,
    }


def supplier_performance(form) -> ReportTable:
    """Suppliers best reviewed first (names are unique: a stable order), a page at a time."""
    ranked = Supplier.objects.with_performance().by_review_rating()
    return ReportTable(
        columns=[
            Column("name", "Supplier"),
            Column("rating", "Own rating", "float"),
            Column("product_count", "Products", "int"),
            Column("avg_product_price", "Average product price", "money"),
            Column("review_count", "Reviews", "int"),
            Column("avg_review_rating", "Average review rating", "float"),
            Column("total_stock", "Total stock", "int"),
            Column("revenue", "Revenue", "money"),
            Column("performance_grade", "Grade"),
        ],
        source=RowSource(
            ids=ranked.values_list("pk", flat=True),
            fetch=lambda ids: Supplier.objects.with_performance().filter(pk__in=ids),
            every=lambda: ranked.iterator(chunk_size=CSV_CHUNK),
            row=supplier_row,
            link=lambda s: reverse("admin:backoffice_supplier_change", args=[s.pk]),
        ),
        notes=["Suppliers without reviews come last.", GRADE_NOTE],
    )
