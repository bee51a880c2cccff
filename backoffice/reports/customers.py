"""Customer insights: segments, spending, latest order, inactivity."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from backoffice.models import Customer
from backoffice.querysets.sales import INACTIVE_AFTER_DAYS
from backoffice.reports.base import CSV_CHUNK, Column, ReportTable, RowSource

# Biggest spenders first; the id last, so the order is stable and no row is on two pages.
INSIGHTS_ORDER = ("-total_spent", "pk")


def customer_insights(form) -> ReportTable:
    """Customers who joined in the date range (all without one), biggest spenders first,
    from their kept figures (one join), a page at a time."""
    start, end = form.bounds()
    customers = Customer.objects.with_order_stats()
    if start:
        customers = customers.filter(user__date_joined__gte=start)
    if end:
        customers = customers.filter(user__date_joined__lt=end)
    customers = customers.order_by(*INSIGHTS_ORDER)
    with_users = customers.select_related("user")
    inactive_since = timezone.now() - timedelta(days=INACTIVE_AFTER_DAYS)

    def row(c) -> dict:
        return {
            "name": str(c),
            "email": c.user.email,
            "segment": c.segment,
            "order_count": c.order_count,
            "total_spent": c.total_spent,
            "avg_order_value": c.avg_order_value,
            "last_order_date": c.last_order_date,
            "latest_order_total": c.latest_order_total,
            "inactive": c.last_order_date is None or c.last_order_date < inactive_since,
        }

    return ReportTable(
        columns=[
            Column("name", "Customer"),
            Column("email", "Email"),
            Column("segment", "Segment"),
            Column("order_count", "Orders", "int"),
            Column("total_spent", "Total spent", "money"),
            Column("avg_order_value", "Average order", "money"),
            Column("last_order_date", "Last order", "datetime"),
            Column("latest_order_total", "Latest order total", "money"),
            Column("inactive", f"No order in {INACTIVE_AFTER_DAYS} days", "bool"),
        ],
        source=RowSource(
            ids=customers.values_list("pk", flat=True),
            fetch=lambda ids: with_users.filter(pk__in=ids),
            every=lambda: with_users.iterator(chunk_size=CSV_CHUNK),
            row=row,
            link=lambda c: reverse("admin:backoffice_customer_change", args=[c.pk]),
        ),
        notes=["Segments and what counts as spending: docs/customer-segments.md."],
    )
