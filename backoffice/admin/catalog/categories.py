"""Categories with their products' figures (``CategoryQuerySet.with_product_stats``: one
subquery per figure); the change page lists the category's products, read-only and linked."""

from django.contrib import admin

from backoffice.admin.catalog.columns import (
    FiguresOrderedChangeList,
    money,
    product_rows,
    products_table,
)
from backoffice.admin.catalog.filters import CategoryHasProductsFilter
from backoffice.admin.common.base import BackofficeAdmin
from backoffice.models import Category, Product
from backoffice.resources import CategoryResource


@admin.register(Category)
class CategoryAdmin(BackofficeAdmin):
    resource_classes = [CategoryResource]
    list_display = [
        "name",
        "product_count",
        "active_product_count",
        "avg_price",
        "min_price",
        "max_price",
        "total_stock",
        "revenue",
        "product_share",
    ]
    list_filter = [CategoryHasProductsFilter]
    search_fields = ["name", "description"]
    ordering = None  # see FiguresOrderedChangeList
    list_default_ordering = ["-product_count", "name"]  # biggest categories first
    readonly_fields = ["product_table", "created_at"]
    fields = ["name", "description", "created_at", "product_table"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_product_stats()

    def get_changelist(self, request, **kwargs):
        return FiguresOrderedChangeList

    @admin.display(description="products", ordering="product_count")
    def product_count(self, obj):
        return obj.product_count

    @admin.display(description="active", ordering="active_product_count")
    def active_product_count(self, obj):
        return obj.active_product_count

    @admin.display(description="avg price", ordering="avg_price")
    def avg_price(self, obj):
        return money(obj.avg_price)

    @admin.display(description="min price", ordering="min_price")
    def min_price(self, obj):
        return money(obj.min_price)

    @admin.display(description="max price", ordering="max_price")
    def max_price(self, obj):
        return money(obj.max_price)

    @admin.display(description="total stock", ordering="total_stock")
    def total_stock(self, obj):
        return obj.total_stock

    @admin.display(description="revenue", ordering="revenue")
    def revenue(self, obj):
        return money(obj.revenue)

    @admin.display(description="share of products", ordering="product_share")
    def product_share(self, obj):
        return f"{obj.product_share:.1f}%"

    @admin.display(description="products in this category")
    def product_table(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return products_table(product_rows(Product.objects.filter(category=obj)))
