"""Customer insights: segments, spending, latest order, inactivity."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from backoffice.models import Customer
from backoffice.querysets.sales import INACTIVE_AFTER_DAYS
from backoffice.reports.base import Column, ReportTable


def customer_insights(form) -> ReportTable:
    """Customers who joined in the date range (all without one), biggest spenders first."""
    start, end = form.bounds()
    customers = Customer.objects.with_order_stats().select_related("user")
    if start:
        customers = customers.filter(user__date_joined__gte=start)
    if end:
        customers = customers.filter(user__date_joined__lt=end)
    customers = customers.order_by("-total_spent", "pk")
    inactive_since = timezone.now() - timedelta(days=INACTIVE_AFTER_DAYS)
    rows = [
        {
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
        for c in customers
    ]
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
        rows=rows,
        links=[reverse("admin:backoffice_customer_change", args=[c.pk]) for c in customers],
        notes=["Segments and what counts as spending: docs/customer-segments.md."],
    )
