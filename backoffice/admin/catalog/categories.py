"""Categories with their products' figures (``CategoryQuerySet.with_product_stats``, kept in
``CategoryFigures``: one join, not an aggregate over thousands of products per row); the change
page lists the first of the category's products, read-only and linked, and links to all of them
in the product list."""

from django.contrib import admin

from backoffice.admin.catalog.columns import FiguresOrderedAdmin, product_table_field
from backoffice.admin.catalog.filters import CategoryHasProductsFilter
from backoffice.admin.common.columns import annotation_column, money
from backoffice.models import Category, Product
from backoffice.resources import CategoryResource


@admin.register(Category)
class CategoryAdmin(FiguresOrderedAdmin):
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
    list_default_ordering = ["-product_count", "name"]  # biggest categories first
    readonly_fields = ["product_table", "created_at"]
    fields = ["name", "description", "created_at", "product_table"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_product_stats()

    product_count = annotation_column("product_count", "products")
    active_product_count = annotation_column("active_product_count", "active")
    avg_price = annotation_column("avg_price", "avg price", show=money)
    min_price = annotation_column("min_price", "min price", show=money)
    max_price = annotation_column("max_price", "max price", show=money)
    total_stock = annotation_column("total_stock", "total stock")
    revenue = annotation_column("revenue", "revenue", show=money)

    product_share = annotation_column(
        "product_share", "share of products", show=lambda share: f"{share:.1f}%"
    )

    product_table = product_table_field(
        "products in this category",
        lambda category: Product.objects.filter(category=category),
        "category__id__exact",
    )
