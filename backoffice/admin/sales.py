from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from backoffice.models import Order, OrderItem
from backoffice.resources import OrderItemResource, OrderResource


@admin.register(Order)
class OrderAdmin(ImportExportModelAdmin):
    resource_classes = [OrderResource]
    list_display = ["id", "customer", "status", "order_date", "delivery_date", "total_amount"]
    list_select_related = ["customer__user"]
    search_fields = ["=id", "customer__user__first_name", "customer__user__last_name"]
    ordering = ["-order_date"]


@admin.register(OrderItem)
class OrderItemAdmin(ImportExportModelAdmin):
    resource_classes = [OrderItemResource]
    list_display = ["id", "order", "product", "quantity", "price"]
    list_select_related = ["order", "product"]
    search_fields = ["=order__id", "product__name"]
    ordering = ["-order__order_date", "id"]
