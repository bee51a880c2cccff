from django.contrib import admin

from backoffice.admin.base import BackofficeAdmin
from backoffice.models import Category, Product, ProductMeta, Supplier, Tag
from backoffice.resources import (
    CategoryResource,
    ProductMetaResource,
    ProductResource,
    SupplierResource,
    TagResource,
)


@admin.register(Category)
class CategoryAdmin(BackofficeAdmin):
    resource_classes = [CategoryResource]
    list_display = ["name", "description", "created_at"]
    search_fields = ["name", "description"]
    ordering = ["name"]


@admin.register(Supplier)
class SupplierAdmin(BackofficeAdmin):
    resource_classes = [SupplierResource]
    list_display = ["name", "email", "phone", "rating"]
    search_fields = ["name", "email", "phone"]
    ordering = ["name"]


@admin.register(Tag)
class TagAdmin(BackofficeAdmin):
    resource_classes = [TagResource]
    list_display = ["name"]
    search_fields = ["name"]
    ordering = ["name"]


@admin.register(Product)
class ProductAdmin(BackofficeAdmin):
    resource_classes = [ProductResource]
    list_display = ["name", "sku", "category", "supplier", "price", "stock_quantity", "is_active"]
    list_select_related = ["category", "supplier"]
    search_fields = ["name", "description", "sku", "category__name"]
    ordering = ["name"]
    filter_horizontal = ["tags"]


@admin.register(ProductMeta)
class ProductMetaAdmin(BackofficeAdmin):
    resource_classes = [ProductMetaResource]
    list_display = ["product", "metadata"]
    list_select_related = ["product"]
    search_fields = ["product__name"]
    ordering = ["product__name"]
