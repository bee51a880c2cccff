"""The order lines list (read-only: lines change on their order's page)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from backoffice.admin.common.base import BackofficeAdmin
from backoffice.admin.common.columns import annotation_column
from backoffice.admin.common.filters import CheckedDateRangeFilter
from backoffice.admin.common.readonly import ReadOnlyPermissionsMixin
from backoffice.admin.sales.filters import (
    ItemCategoryFilter,
    ItemOrderStatusFilter,
)
from backoffice.models import OrderItem
from backoffice.resources import OrderItemResource


@admin.register(OrderItem)
class OrderItemAdmin(ReadOnlyPermissionsMixin, BackofficeAdmin):
    """Every order line with its price drift. Lines are edited on their order's page only,
    where stock and totals follow; here they are read (and exported)."""

    resource_classes = [OrderItemResource]
    list_display = [
        "id",
        "order_link",
        "product",
        "category",
        "quantity",
        "price",
        "line_amount",
        "current_price",
        "price_drift",
    ]
    list_filter = [
        ItemOrderStatusFilter,
        ItemCategoryFilter,
        ("order__order_date", CheckedDateRangeFilter),
    ]
    search_fields = ["order__id__exact", "product__name"]
    ordering = ["-order__order_date", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_line_details()

    @admin.display(description="order", ordering="order__order_date")
    def order_link(self, item):
        url = reverse("admin:backoffice_order_change", args=[item.order_id])
        return format_html('<a href="{}">#{}</a>', url, item.order_id)

    @admin.display(description="category", ordering="product__category__name")
    def category(self, item):
        return item.product.category.name

    line_amount = annotation_column("line_amount", "line total")
    current_price = annotation_column("current_price", "today's price")
    # Not sortable: today's price minus the price paid spans two tables, so no index can order
    # three million lines by it (the sort read and sorted all of them, half a second and more).
    price_drift = annotation_column("price_drift", "price drift", sortable=False)
