from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from backoffice.models import Category, Product, ProductMeta, Supplier, Tag
from backoffice.resources import (
    CategoryResource,
    ProductMetaResource,
    ProductResource,
    SupplierResource,
    TagResource,
)


@admin.register(Category)
class CategoryAdmin(ImportExportModelAdmin):
    resource_classes = [CategoryResource]
    list_display = ["name", "description", "created_at"]
    search_fields = ["name", "description"]
    ordering = ["name"]


@admin.register(Supplier)
class SupplierAdmin(ImportExportModelAdmin):
    resource_classes = [SupplierResource]
    list_display = ["name", "email", "phone", "rating"]
    search_fields = ["name", "email", "phone"]
    ordering = ["name"]


@admin.register(Tag)
class TagAdmin(ImportExportModelAdmin):
    resource_classes = [TagResource]
    list_display = ["name"]
    search_fields = ["name"]
    ordering = ["name"]


@admin.register(Product)
class ProductAdmin(ImportExportModelAdmin):
    resource_classes = [ProductResource]
    list_display = ["name", "sku", "category", "supplier", "price", "stock_quantity", "is_active"]
    list_select_related = ["category", "supplier"]
    search_fields = ["name", "description", "sku", "category__name"]
    ordering = ["name"]
    filter_horizontal = ["tags"]


@admin.register(ProductMeta)
class ProductMetaAdmin(ImportExportModelAdmin):
    resource_classes = [ProductMetaResource]
    list_display = ["product", "metadata"]
    list_select_related = ["product"]
    search_fields = ["product__name"]
    ordering = ["product__name"]
