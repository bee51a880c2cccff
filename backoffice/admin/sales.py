from django.contrib import admin

from backoffice.admin.base import BackofficeAdmin
from backoffice.admin.readonly import ReadOnlyAdminMixin
from backoffice.models import Order, OrderItem, OrderStatusChange
from backoffice.resources import OrderItemResource, OrderResource


@admin.register(Order)
class OrderAdmin(BackofficeAdmin):
    resource_classes = [OrderResource]
    list_display = ["id", "customer", "status", "order_date", "delivery_date", "total_amount"]
    list_select_related = ["customer__user"]
    search_fields = ["=id", "customer__user__first_name", "customer__user__last_name"]
    ordering = ["-order_date"]


@admin.register(OrderItem)
class OrderItemAdmin(BackofficeAdmin):
    resource_classes = [OrderItemResource]
    list_display = ["id", "order", "product", "quantity", "price"]
    list_select_related = ["order", "product"]
    search_fields = ["=order__id", "product__name"]
    ordering = ["-order__order_date", "id"]


@admin.register(OrderStatusChange)
class OrderStatusChangeAdmin(ReadOnlyAdminMixin, BackofficeAdmin):
    """Every status change of every order, with who and when (read-only)."""

    list_display = ["changed_at", "order", "from_status", "to_status", "user", "note"]
    list_filter = ["to_status"]
    list_select_related = ["order", "user"]
    search_fields = ["=order__id", "user__username"]
    ordering = ["-changed_at", "-id"]
