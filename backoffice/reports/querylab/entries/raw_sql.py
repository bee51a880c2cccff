"""The guide's "Raw SQL and Custom Queries: Using Raw SQL for Complex Analytics": the monthly
sales report in PostgreSQL SQL (DATE_TRUNC, STRING_AGG, INTERVAL), so PostgreSQL only.

Table names come from ``Model._meta.db_table`` (quoted); values are always query parameters.
"""

from datetime import timedelta

from django.db import connection
from django.db.models import Max

from backoffice.models import Category, Order, OrderItem, Product
from backoffice.reports.querylab.registry import example

SECTION = "Raw SQL and Custom Queries"


@example(
    SECTION,
    "Monthly sales report, as printed (this project's table names)",
    errata=("E18",),
    postgres_only=True,
)
def monthly_sales_report_as_printed():
    """Only the table names changed: `orders_order`, `orders_orderitem`, `products_product`
    and `products_category` are `Order`, `OrderItem`, `Product` and `Category`'s db_table.
    `WHERE o.order_date >= NOW() - INTERVAL '6 months'` leaves out every order older than six
    months, so on the 2024 dataset the report is empty. And the JOIN with the order items
    repeats each order once per line: COUNT(o.id) counts lines and SUM(o.total_amount) adds an
    order's total once per line. See the corrected report."""
    order_table = connection.ops.quote_name(Order._meta.db_table)
    item_table = connection.ops.quote_name(OrderItem._meta.db_table)
    product_table = connection.ops.quote_name(Product._meta.db_table)
    category_table = connection.ops.quote_name(Category._meta.db_table)

    def get_monthly_sales_report():
        """Complex analytics that's easier with raw SQL"""
        with connection.cursor() as cursor:
            cursor.execute(f"""
                SELECT
                    DATE_TRUNC('month', o.order_date) as month,
                    COUNT(o.id) as order_count,
                    SUM(o.total_amount) as revenue,
                    AVG(o.total_amount) as avg_order_value,
                    COUNT(DISTINCT o.customer_id) as unique_customers,
                    STRING_AGG(DISTINCT c.name, ', ') as top_categories
                FROM {order_table} o
                JOIN {item_table} oi ON o.id = oi.order_id
                JOIN {product_table} p ON oi.product_id = p.id
                JOIN {category_table} c ON p.category_id = c.id
                WHERE o.order_date >= NOW() - INTERVAL '6 months'
                GROUP BY DATE_TRUNC('month', o.order_date)
                ORDER BY month DESC
            """)

            columns = [col[0] for col in cursor.description]
            return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]

    monthly_report = get_monthly_sales_report()
    return monthly_report


@example(
    SECTION,
    "Monthly sales report, corrected",
    errata=("E18",),
    postgres_only=True,
)
def monthly_sales_report_corrected():
    """Corrected: (1) the start date is a query parameter; the lab counts the six months back
    from the latest order rather than from today, so the 2024 dataset shows up; (2) orders are
    counted and summed once each (a CTE of the orders, no join), and the categories of each
    month are collected separately, in alphabetical order. All orders count, cancelled ones
    included, as in the guide."""
    order_table = connection.ops.quote_name(Order._meta.db_table)
    item_table = connection.ops.quote_name(OrderItem._meta.db_table)
    product_table = connection.ops.quote_name(Product._meta.db_table)
    category_table = connection.ops.quote_name(Category._meta.db_table)

    def get_monthly_sales_report(since):
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH recent_orders AS (
                    SELECT o.id, o.customer_id, o.total_amount,
                           DATE_TRUNC('month', o.order_date) AS month
                    FROM {order_table} o
                    WHERE o.order_date >= %s
                ),
                month_categories AS (
                    SELECT DISTINCT ro.month, c.name
                    FROM recent_orders ro
                    JOIN {item_table} oi ON oi.order_id = ro.id
                    JOIN {product_table} p ON p.id = oi.product_id
                    JOIN {category_table} c ON c.id = p.category_id
                )
                SELECT
                    ro.month,
                    COUNT(*) AS order_count,
                    SUM(ro.total_amount) AS revenue,
                    ROUND(AVG(ro.total_amount), 2) AS avg_order_value,
                    COUNT(DISTINCT ro.customer_id) AS unique_customers,
                    (SELECT STRING_AGG(mc.name, ', ' ORDER BY mc.name)
                     FROM month_categories mc WHERE mc.month = ro.month) AS categories
                FROM recent_orders ro
                GROUP BY ro.month
                ORDER BY ro.month DESC
                """,
                [since],
            )
            columns = [col[0] for col in cursor.description]
            return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]

    latest_order = Order.objects.aggregate(latest=Max("order_date"))["latest"]
    if latest_order is None:
        return []
    return get_monthly_sales_report(since=latest_order - timedelta(days=183))
