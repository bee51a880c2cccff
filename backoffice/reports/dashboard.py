"""The dashboard on the admin index: KPI cards, three charts and four short lists.

Figures are cached in the shared cache through ``backoffice.cache`` (so every server process
sees one copy), which services and ``backoffice.signals`` drop whenever products, orders, order
items or reviews change, so a change shows up on the next page view in every process.
"""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from backoffice.cache import dashboard_cached
from backoffice.models import (
    Customer,
    DayCategorySales,
    DaySales,
    Order,
    OrderItem,
    OrderStatus,
    Product,
)
from backoffice.querysets.catalog import LOW_STOCK
from backoffice.querysets.expressions import cents
from backoffice.reports.charts import bar_chart
from backoffice.reports.quality import orders_differing_from_items, reviews_by_non_buyers

TOP = 5
SLOW_MOVER_DAYS = 30


def dashboard_figures() -> dict:
    return dashboard_cached(compute_dashboard)


def low_stock_products():
    """Active products below the guide's low-stock threshold (out of stock included)."""
    return Product.objects.active().low_stock()


def slow_movers(now=None):
    """Products with stock but no counted sale in the last SLOW_MOVER_DAYS days."""
    since = (now or timezone.now()) - timedelta(days=SLOW_MOVER_DAYS)
    recent_sale = OrderItem.objects.filter(
        product=OuterRef("pk"), order__order_date__gte=since
    ).counted()
    return Product.objects.active().filter(stock_quantity__gt=0).filter(~Exists(recent_sale))


def compute_dashboard() -> dict:
    # Shop-wide sums come from the kept day sales (``DaySales``): the same definitions, a
    # few thousand rows instead of every order line.
    revenue = DaySales.objects.revenue()
    statuses = Order.objects.status_summary()
    products = Product.objects.aggregate(
        active=Count("pk", filter=Q(is_active=True)),
        low=Count("pk", filter=Q(is_active=True) & LOW_STOCK),
    )
    kpis = {
        "orders": statuses["total_orders"],
        "cancelled_orders": statuses["cancelled_orders"],
        "revenue": revenue,
        "average_order_value": cents(revenue / statuses["counted_orders"])
        if statuses["counted_orders"]
        else cents(0),
        "customers": Customer.objects.count(),
        "active_products": products["active"],
        "low_stock_products": products["low"],
        "orders_differing": orders_differing_from_items().count(),
        "reviews_by_non_buyers": reviews_by_non_buyers().count(),
    }
    months = DaySales.objects.per_period(TruncMonth("day"))
    categories = DayCategorySales.objects.revenue_by_category()
    top_products = (
        Product.objects.with_catalog_stats()
        .filter(revenue__gt=0)
        .order_by("-revenue", "name")[:TOP]
    )
    top_customers = (
        Customer.objects.with_order_stats()
        .select_related("user")
        .filter(total_spent__gt=0)
        .order_by("-total_spent", "pk")[:TOP]
    )
    return {
        "kpis": kpis,
        "charts": [
            bar_chart(
                "Revenue per month",
                [(m["period"].strftime("%Y-%m"), m["revenue"]) for m in months],
            ),
            bar_chart("Revenue by category", categories),
            bar_chart(
                "Order status mix",
                [(s.label, statuses["by_status"][s]["count"]) for s in OrderStatus],
                money=False,
            ),
        ],
        "top_products": [
            {"pk": p.pk, "name": p.name, "revenue": cents(p.revenue), "units": p.units_sold}
            for p in top_products
        ],
        "top_customers": [
            {"pk": c.pk, "name": str(c), "spent": cents(c.total_spent), "orders": c.order_count}
            for c in top_customers
        ],
        "low_stock": [
            {"pk": p.pk, "name": p.name, "stock": p.stock_quantity}
            for p in low_stock_products().order_by("stock_quantity", "name")[:TOP]
        ],
        "slow_movers": [
            {"pk": p.pk, "name": p.name, "stock": p.stock_quantity}
            for p in slow_movers().order_by("-stock_quantity", "name")[:TOP]
        ],
        "computed_at": timezone.now(),
        "zero": Decimal(0),
    }
