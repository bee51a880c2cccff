"""Sales reports: monthly sales (raw SQL on PostgreSQL, ORM elsewhere), sales over time and
order statistics, from the kept day sales (``backoffice.querysets.days``) but for the distinct
customers, which are counted over the orders.

Revenue follows docs/design.md: the sum of quantity × price of the items of orders that are not
cancelled. Cancelled orders are left out of every figure here except the status counts.
"""

from datetime import UTC

from django import forms
from django.db import connection
from django.db.models import Count, DateField, F
from django.db.models.functions import Trunc, TruncMonth

from backoffice.models import Category, DayCategorySales, DaySales, Order, OrderStatus
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
        "month": month.strftime("%Y-%m"),
        "order_count": order_count,
        "revenue": revenue,
        "avg_order_value": cents(revenue / order_count) if order_count else cents(0),
        "unique_customers": unique_customers,
        "categories": categories or "",
    }


# The guide's raw-SQL analytics, made correct and sized for a real shop: orders and revenue
# per month add up the kept day sales (one row per day and status, not a join of the order
# lines, which multiplied COUNT and SUM by the number of lines in the guide), the categories
# sold add up the kept day-and-category sales, and only the distinct customers are counted
# over the orders themselves (a distinct count does not add up across days). Every value is a
# query parameter, never formatted into the text.
MONTHLY_SALES_SQL = """
WITH months AS (
    SELECT DATE_TRUNC('month', d.day)::date AS month,
           SUM(d.order_count) AS order_count,
           SUM(d.items_total) AS revenue
    FROM {day_sales} d
    WHERE d.status <> %(uncounted)s
      AND (%(start)s::date IS NULL OR d.day >= %(start)s::date)
      AND (%(end)s::date IS NULL OR d.day < %(end)s::date)
    GROUP BY 1
),
customers AS (
    SELECT DATE_TRUNC('month', o.order_date AT TIME ZONE 'UTC')::date AS month,
           COUNT(DISTINCT o.customer_id) AS unique_customers
    FROM {order} o
    WHERE o.status <> %(uncounted)s
      AND (%(start)s::timestamptz IS NULL OR o.order_date >= %(start)s::timestamptz)
      AND (%(end)s::timestamptz IS NULL OR o.order_date < %(end)s::timestamptz)
    GROUP BY 1
),
categories AS (
    SELECT DATE_TRUNC('month', dc.day)::date AS month,
           STRING_AGG(DISTINCT cat.name, ', ' ORDER BY cat.name) AS names
    FROM {day_category_sales} dc
    JOIN {category} cat ON cat.id = dc.category_id
    WHERE dc.units > 0
      AND (%(start)s::date IS NULL OR dc.day >= %(start)s::date)
      AND (%(end)s::date IS NULL OR dc.day < %(end)s::date)
    GROUP BY 1
)
SELECT months.month, months.order_count, months.revenue,
       COALESCE(customers.unique_customers, 0), categories.names
FROM months
LEFT JOIN customers ON customers.month = months.month
LEFT JOIN categories ON categories.month = months.month
ORDER BY months.month
"""


def monthly_sales_sql(start=None, end=None) -> list[dict]:
    """PostgreSQL: DATE_TRUNC, STRING_AGG and COUNT(DISTINCT …) with bound parameters."""
    quote = connection.ops.quote_name
    sql = MONTHLY_SALES_SQL.format(
        order=quote(Order._meta.db_table),
        day_sales=quote(DaySales._meta.db_table),
        day_category_sales=quote(DayCategorySales._meta.db_table),
        category=quote(Category._meta.db_table),
    )
    params = {"uncounted": UNCOUNTED_STATUS, "start": start, "end": end}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            _monthly_row(month, count, revenue, customers, names)
            for month, count, revenue, customers, names in cursor.fetchall()
        ]


def counted_orders(start=None, end=None):
    """Orders that count as sales, in [start, end)."""
    return Order.objects.counted().placed_between(start, end)


def _customers_per_period(kind: str, start=None, end=None) -> dict:
    """{period start (a date): distinct customers with a counted order in it}: counted over
    the orders themselves (a distinct count does not add up across the kept days)."""
    rows = (
        counted_orders(start, end)
        .annotate(period=Trunc("order_date", kind, output_field=DateField(), tzinfo=UTC))
        .order_by()
        .values_list("period")
        .annotate(Count("customer", distinct=True))
    )
    return dict(rows)


def _sales_per_period(kind: str, start=None, end=None) -> list[dict]:
    """Counted sales per day, week, month or year from the kept day sales, oldest first:
    ``period`` (its first day), ``order_count``, ``revenue``, ``unique_customers``."""
    days = DaySales.objects.placed_between(start, end)
    period = F("day") if kind == "day" else Trunc("day", kind, output_field=DateField())
    customers = _customers_per_period(kind, start, end)
    return [
        {**row, "unique_customers": customers.get(row["period"], 0)}
        for row in days.per_period(period)
    ]


def monthly_sales_orm(start=None, end=None) -> list[dict]:
    """Any database: TruncMonth over the kept days, the same rows as the raw SQL (three
    queries)."""
    names = DayCategorySales.objects.placed_between(start, end).category_names_per_period(
        TruncMonth("day")
    )
    return [
        _monthly_row(
            row["period"],
            row["order_count"],
            row["revenue"],
            row["unique_customers"],
            ", ".join(names.get(row["period"], [])),
        )
        for row in _sales_per_period("month", start, end)
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
    # period -> how a period (the date it starts on) is written; weeks are ISO weeks
    "day": lambda period: period.isoformat(),
    "week": lambda period: "{}-W{:02}".format(*period.isocalendar()[:2]),
    "month": lambda period: period.strftime("%Y-%m"),
    "year": lambda period: period.strftime("%Y"),
}


class SalesPeriodForm(DateRangeForm):
    period = forms.ChoiceField(
        choices=[(key, key.capitalize()) for key in PERIODS], initial="month", required=False
    )

    def chosen_period(self) -> str:
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("period") or "month"


def sales_by_period(period: str, start=None, end=None) -> list[dict]:
    """Counted orders per day, ISO week, month or year (``Trunc``): orders, revenue, average
    order value, customers. Orders and revenue add up the kept day sales; revenue is the sum of
    the order lines (docs/design.md)."""
    label = PERIODS[period]
    result = []
    for row in _sales_per_period(period, start, end):
        revenue = row["revenue"]
        result.append(
            {
                "period": label(row["period"]),
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
