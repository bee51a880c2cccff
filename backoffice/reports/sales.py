"""Sales reports: monthly sales (raw SQL on PostgreSQL, ORM elsewhere) and order statistics.

Revenue follows docs/design.md: the sum of quantity × price of the items of orders that are not
cancelled. Cancelled orders are left out of every figure here except the status counts.
"""

from collections import defaultdict
from datetime import UTC

from django import forms
from django.db import connection
from django.db.models import Count, Sum
from django.db.models.functions import (
    ExtractIsoYear,
    ExtractWeek,
    TruncDate,
    TruncMonth,
    TruncWeek,
    TruncYear,
)

from backoffice.models import Category, Order, OrderItem, OrderStatus, Product
from backoffice.querysets.expressions import cents
from backoffice.querysets.sales import UNCOUNTED_STATUS
from backoffice.reports.base import Column, DateRangeForm, ReportTable

MONTHLY_COLUMNS = [
    Column("month", "Month"),
    Column("order_count", "Orders", "int"),
    Column("revenue", "Revenue", "money"),
    Column("avg_order_value", "Average order value", "money"),
    Column("unique_customers", "Customers", "int"),
    Column("categories", "Categories sold"),
]


def _monthly_row(month, order_count, revenue, unique_customers, categories) -> dict:
    revenue = cents(revenue)
    return {
        "month": month.astimezone(UTC).strftime("%Y-%m") if hasattr(month, "astimezone") else month,
        "order_count": order_count,
        "revenue": revenue,
        "avg_order_value": cents(revenue / order_count) if order_count else cents(0),
        "unique_customers": unique_customers,
        "categories": categories or "",
    }


# The guide's raw-SQL analytics, made correct: order figures come from one row per order (the
# guide joins order items first, which multiplies COUNT and SUM by the number of lines), and
# every value is a query parameter, never formatted into the text.
MONTHLY_SALES_SQL = """
WITH counted AS (
    SELECT o.id,
           o.customer_id,
           DATE_TRUNC('month', o.order_date AT TIME ZONE 'UTC') AS month,
           COALESCE((SELECT SUM(oi.quantity * oi.price)
                     FROM {item} oi WHERE oi.order_id = o.id), 0) AS items_total
    FROM {order} o
    WHERE o.status <> %(uncounted)s
      AND (%(start)s::timestamptz IS NULL OR o.order_date >= %(start)s::timestamptz)
      AND (%(end)s::timestamptz IS NULL OR o.order_date < %(end)s::timestamptz)
),
categories AS (
    SELECT c.month, STRING_AGG(DISTINCT cat.name, ', ' ORDER BY cat.name) AS names
    FROM counted c
    JOIN {item} oi ON oi.order_id = c.id
    JOIN {product} p ON p.id = oi.product_id
    JOIN {category} cat ON cat.id = p.category_id
    GROUP BY c.month
)
SELECT c.month,
       COUNT(*) AS order_count,
       SUM(c.items_total) AS revenue,
       COUNT(DISTINCT c.customer_id) AS unique_customers,
       MAX(categories.names) AS categories
FROM counted c
LEFT JOIN categories ON categories.month = c.month
GROUP BY c.month
ORDER BY c.month
"""


def monthly_sales_sql(start=None, end=None) -> list[dict]:
    """PostgreSQL: DATE_TRUNC, STRING_AGG and COUNT(DISTINCT …) with bound parameters."""
    sql = MONTHLY_SALES_SQL.format(
        order=connection.ops.quote_name(Order._meta.db_table),
        item=connection.ops.quote_name(OrderItem._meta.db_table),
        product=connection.ops.quote_name(Product._meta.db_table),
        category=connection.ops.quote_name(Category._meta.db_table),
    )
    params = {"uncounted": UNCOUNTED_STATUS, "start": start, "end": end}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            _monthly_row(month.replace(tzinfo=UTC), count, revenue, customers, names)
            for month, count, revenue, customers, names in cursor.fetchall()
        ]


def counted_orders(start=None, end=None):
    """Orders that count as sales, in [start, end), each with its ``items_total``."""
    return Order.objects.counted().placed_between(start, end).with_items_total()


def _per_period(truncated, start=None, end=None):
    """Counted orders grouped by ``truncated`` (a Trunc… of the order date) as ``period``:
    ``order_count``, ``revenue`` (their line totals) and ``unique_customers``, oldest first."""
    return (
        counted_orders(start, end)
        .annotate(period=truncated)
        .order_by()
        .values("period")
        .annotate(
            order_count=Count("pk"),
            revenue=Sum("items_total"),
            unique_customers=Count("customer", distinct=True),
        )
        .order_by("period")
    )


def monthly_sales_orm(start=None, end=None) -> list[dict]:
    """Any database: TruncMonth, the same rows as the raw SQL (two queries)."""
    months = _per_period(TruncMonth("order_date", tzinfo=UTC), start, end)
    names = defaultdict(set)
    category_rows = (
        OrderItem.objects.filter(order__in=counted_orders(start, end).values("pk"))
        .annotate(month=TruncMonth("order__order_date", tzinfo=UTC))
        .values_list("month", "product__category__name")
        .distinct()
    )
    for month, name in category_rows:
        names[month].add(name)
    return [
        _monthly_row(
            row["period"],
            row["order_count"],
            row["revenue"],
            row["unique_customers"],
            ", ".join(sorted(names[row["period"]])),
        )
        for row in months
    ]


def monthly_sales(form) -> ReportTable:
    start, end = form.bounds()
    if connection.vendor == "postgresql":
        rows, how = monthly_sales_sql(start, end), "raw SQL (DATE_TRUNC, STRING_AGG)"
    else:
        rows, how = monthly_sales_orm(start, end), "the ORM (TruncMonth)"
    return ReportTable(
        columns=MONTHLY_COLUMNS,
        rows=rows,
        notes=[
            f"Computed with {how}. Cancelled orders are left out; revenue is the sum of the "
            "order lines (quantity × unit price).",
        ],
    )


def order_statistics_figures(start=None, end=None) -> dict:
    """Conditional aggregation by status (the guide's order statistics), in one query:
    ``OrderQuerySet.status_summary()`` of the orders placed in [start, end)."""
    return Order.objects.placed_between(start, end).status_summary()


def order_statistics(form) -> ReportTable:
    start, end = form.bounds()
    figures = order_statistics_figures(start, end)
    total = figures["total_orders"]
    rows = [
        {
            "status": status.label,
            "orders": figures["by_status"][status]["count"],
            "share": round(100 * figures["by_status"][status]["count"] / total, 1)
            if total
            else 0.0,
            "charged": cents(figures["by_status"][status]["charged"]),
        }
        for status in OrderStatus
    ]
    return ReportTable(
        columns=[
            Column("status", "Status"),
            Column("orders", "Orders", "int"),
            Column("share", "Share of orders (%)", "percent"),
            Column("charged", "Total charged", "money"),
        ],
        rows=rows if total else [],
        notes=["Total charged is what the customers were charged (Order.total_amount)."],
    )


# --- Sales over time: by day, week, month or year ---------------------------------------------

PERIODS = {
    # period -> (the guide's Trunc function, how a period is written)
    "day": (lambda field: TruncDate(field, tzinfo=UTC), lambda row: row["period"].isoformat()),
    "week": (
        lambda field: TruncWeek(field, tzinfo=UTC),
        lambda row: f"{row['iso_year']}-W{row['week']:02}",
    ),
    "month": (
        lambda field: TruncMonth(field, tzinfo=UTC),
        lambda row: row["period"].strftime("%Y-%m"),
    ),
    "year": (lambda field: TruncYear(field, tzinfo=UTC), lambda row: row["period"].strftime("%Y")),
}


class SalesPeriodForm(DateRangeForm):
    period = forms.ChoiceField(
        choices=[(key, key.capitalize()) for key in PERIODS], initial="month", required=False
    )

    def chosen_period(self) -> str:
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("period") or "month"


def sales_by_period(period: str, start=None, end=None) -> list[dict]:
    """Counted orders per day, ISO week, month or year (``Trunc…``; weeks are labelled with
    ``ExtractIsoYear``/``ExtractWeek``): orders, revenue, average order value, customers.
    One grouped query; revenue is the sum of the order lines (docs/design.md)."""
    trunc, label = PERIODS[period]
    rows = _per_period(trunc("order_date"), start, end).annotate(
        iso_year=ExtractIsoYear("period"), week=ExtractWeek("period")
    )
    result = []
    for row in rows:
        revenue = cents(row["revenue"])
        result.append(
            {
                "period": label(row),
                "order_count": row["order_count"],
                "revenue": revenue,
                "avg_order_value": cents(revenue / row["order_count"]),
                "unique_customers": row["unique_customers"],
            }
        )
    return result


def sales_over_time(form) -> ReportTable:
    start, end = form.bounds()
    period = form.chosen_period()
    return ReportTable(
        columns=[
            Column("period", period.capitalize()),
            Column("order_count", "Orders", "int"),
            Column("revenue", "Revenue", "money"),
            Column("avg_order_value", "Average order value", "money"),
            Column("unique_customers", "Customers", "int"),
        ],
        rows=sales_by_period(period, start, end),
        notes=[
            "Weeks are ISO weeks (Monday first), all periods in UTC. Cancelled orders are left "
            "out; revenue is the sum of the order lines (quantity × unit price).",
        ],
    )
