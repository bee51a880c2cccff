"""Categories, suppliers and tags: lists with their products' figures.

Figures come from ``CategoryQuerySet.with_product_stats``, ``SupplierQuerySet.with_performance``
and ``TagQuerySet.with_product_count`` (one subquery per figure, so none is multiplied by
another relation). The change pages list the related products, read-only and linked.
"""

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import F
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from backoffice.admin.catalog.filters import CategoryHasProductsFilter, SupplierRatingBandFilter
from backoffice.admin.common.base import BackofficeAdmin
from backoffice.models import Category, Product, Supplier, Tag
from backoffice.resources import CategoryResource, SupplierResource, TagResource


def money(value) -> str:
    """A money figure as staff read it: thousands separated, two decimals, a dash for none."""
    return "—" if value is None else f"{value:,.2f}"


def products_table(products) -> str:
    """A read-only table of products, each name linking to its change page."""
    rows = [
        (
            reverse("admin:backoffice_product_change", args=[product.pk]),
            product.name,
            money(product.price),
            product.stock_quantity,
            "yes" if product.is_active else "no",
        )
        for product in products
    ]
    if not rows:
        return "No products."
    return format_html(
        '<table class="related-products"><thead><tr><th>product</th><th>price</th>'
        "<th>stock</th><th>active</th></tr></thead><tbody>{}</tbody></table>",
        format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>',
            rows,
        ),
    )


class FiguresOrderedChangeList(ChangeList):
    """A list whose default order is by an annotated figure.

    ``ModelAdmin.ordering`` must name model fields, and other lists' related-field filters reuse
    it to order their choices (where the annotation does not exist), so the admin leaves
    ``ordering`` empty and names the list's default order in ``list_default_ordering``.
    """

    def _get_default_ordering(self):
        return list(self.model_admin.list_default_ordering)


def _product_rows(queryset):
    return queryset.order_by("name", "pk").only(
        "pk", "name", "price", "stock_quantity", "is_active"
    )


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
        return products_table(_product_rows(Product.objects.filter(category=obj)))


@admin.register(Supplier)
class SupplierAdmin(BackofficeAdmin):
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
    search_fields = ["name", "email", "phone"]
    ordering = None  # see FiguresOrderedChangeList
    # Best reviewed first; suppliers with no reviews last on every database.
    list_default_ordering = [F("avg_review_rating").desc(nulls_last=True), "name"]
    readonly_fields = ["product_table"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_performance()

    def get_changelist(self, request, **kwargs):
        return FiguresOrderedChangeList

    @admin.display(description="products", ordering="product_count")
    def product_count(self, obj):
        return obj.product_count

    @admin.display(description="avg product price", ordering="avg_product_price")
    def avg_product_price(self, obj):
        return money(obj.avg_product_price)

    @admin.display(description="reviews", ordering="review_count")
    def review_count(self, obj):
        return obj.review_count

    @admin.display(
        description="avg review rating",
        ordering=F("avg_review_rating").asc(nulls_first=True),
        empty_value="no reviews",
    )
    def avg_review_rating(self, obj):
        return None if obj.avg_review_rating is None else f"{obj.avg_review_rating:.2f}"

    @admin.display(description="total stock", ordering="total_stock")
    def total_stock(self, obj):
        return obj.total_stock

    @admin.display(description="own rating", ordering="rating")
    def own_rating(self, obj):
        """The shop's rating of the supplier, not its products' reviews."""
        return obj.rating

    @admin.display(description="products of this supplier")
    def product_table(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return products_table(_product_rows(Product.objects.filter(supplier=obj)))


@admin.register(Tag)
class TagAdmin(BackofficeAdmin):
    resource_classes = [TagResource]
    list_display = ["name", "product_count"]
    search_fields = ["name"]
    ordering = ["name"]
    readonly_fields = ["product_table"]
    fields = ["name", "product_table"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_product_count()

    @admin.display(description="products", ordering="product_count")
    def product_count(self, obj):
        return obj.product_count

    @admin.display(description="tagged products")
    def product_table(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return products_table(_product_rows(obj.products.all()))
