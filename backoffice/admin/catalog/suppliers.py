"""Suppliers with their products' figures (``SupplierQuerySet.with_performance``, kept in ``SupplierFigures``:
one join, not an aggregate over thousands of products per row); the change page lists the first
of the supplier's products, read-only and linked, and links to all of them in the product list."""

from django.contrib import admin
from django.db.models import F

from backoffice.admin.catalog.columns import FiguresOrderedAdmin, product_table_field
from backoffice.admin.catalog.filters import SupplierRatingBandFilter
from backoffice.admin.common.columns import annotation_column, money, rating_column
from backoffice.models import Product, Supplier
from backoffice.resources import SupplierResource


@admin.register(Supplier)
class SupplierAdmin(FiguresOrderedAdmin):
    resource_classes = [SupplierResource]
    list_display = [
        "name",
        "product_count",
        "avg_product_price",
        "review_count",
        "avg_review_rating",
        "total_stock",
        "own_rating",
    ]
    list_filter = [SupplierRatingBandFilter]
    search_fields = ["name", "email", "phone", "=external_ref"]
    # Best reviewed first; suppliers with no reviews last on every database.
    list_default_ordering = [F("avg_review_rating").desc(nulls_last=True), "name"]
    readonly_fields = ["product_table"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_performance()

    product_count = annotation_column("product_count", "products")
    avg_product_price = annotation_column("avg_product_price", "avg product price", show=money)
    review_count = annotation_column("review_count", "reviews")

    avg_review_rating = rating_column("avg_review_rating", "avg review rating")

    total_stock = annotation_column("total_stock", "total stock")

    @admin.display(description="own rating", ordering="rating")
    def own_rating(self, obj):
        """The shop's rating of the supplier, not its products' reviews."""
        return obj.rating

    product_table = product_table_field(
        "products of this supplier",
        lambda supplier: Product.objects.filter(supplier=supplier),
        "supplier__id__exact",
    )
