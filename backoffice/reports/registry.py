"""The reports staff can open from the dashboard, by slug."""

from backoffice.reports import catalog, customers, quality, sales
from backoffice.reports.base import DateRangeForm, ReportSpec
from backoffice.reports.permissions import CUSTOMER_DATA

REPORTS = {
    spec.slug: spec
    for spec in (
        ReportSpec(
            "monthly-sales",
            "Monthly sales",
            "Orders, revenue, average order value, customers and categories per month.",
            sales.monthly_sales,
            DateRangeForm,
            "No sales in this period.",
        ),
        ReportSpec(
            "sales-over-time",
            "Sales over time",
            "Orders, revenue, average order value and customers by day, week, month or year.",
            sales.sales_over_time,
            sales.SalesPeriodForm,
            "No sales in this period.",
        ),
        ReportSpec(
            "product-rankings",
            "Product rankings",
            "Each product's place in its category: price rank, neighbours, running inventory value.",
            catalog.product_rankings,
            empty_message="No products yet.",
            paged=True,
        ),
        ReportSpec(
            "inventory-analysis",
            "Inventory analysis",
            "Stock status, units sold, revenue, turnover and what to do about it, per product.",
            catalog.inventory_analysis,
            empty_message="No products yet.",
            paged=True,
        ),
        ReportSpec(
            "supplier-performance",
            "Supplier performance",
            "Products, prices, reviews and stock per supplier, best reviewed first.",
            catalog.supplier_performance,
            empty_message="No suppliers yet.",
            paged=True,
        ),
        ReportSpec(
            "customer-insights",
            "Customer insights",
            "Segments, spending, latest order and customers inactive for 90 days.",
            customers.customer_insights,
            DateRangeForm,
            "No customers in this period.",
            requires=CUSTOMER_DATA,
            paged=True,
        ),
        ReportSpec(
            "order-statistics",
            "Order statistics",
            "Orders and amounts by status (conditional aggregation).",
            sales.order_statistics,
            DateRangeForm,
            "No orders in this period.",
        ),
        ReportSpec(
            "data-quality",
            "Data quality",
            "Orders whose total differs from their items, reviews by customers who never bought "
            "the product, active products out of stock, customers without orders.",
            quality.data_quality,
            empty_message="Nothing to fix: every check passed.",
            # names the customers of the orders, reviews and profiles it lists, with e-mails
            requires=CUSTOMER_DATA,
        ),
    )
}
