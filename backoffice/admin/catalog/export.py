"""The product export with the list's figures.

It lives next to the product admin rather than in ``backoffice/resources.py`` because it is
export-only: the admin offers it on the Export page (the plain ``ProductResource`` stays the one
for imports). Its rows come from ``Product.objects.with_catalog_stats()``, the same method the
list uses, so an exported figure is the figure on screen.
"""

from import_export import fields

from backoffice.models import Product
from backoffice.querysets.catalog import CATALOG_FIGURES as FIGURES
from backoffice.resources import ProductResource


class ProductFiguresResource(ProductResource):
    """Product rows plus review count, average rating, units sold, revenue, status and band."""

    review_count = fields.Field(attribute="review_count", column_name="review_count", readonly=True)
    avg_rating = fields.Field(attribute="avg_rating", column_name="avg_rating", readonly=True)
    units_sold = fields.Field(attribute="units_sold", column_name="units_sold", readonly=True)
    revenue = fields.Field(attribute="revenue", column_name="revenue", readonly=True)
    stock_status = fields.Field(attribute="stock_status", column_name="stock_status", readonly=True)
    price_band = fields.Field(attribute="price_band", column_name="price_band", readonly=True)

    class Meta(ProductResource.Meta):
        name = "Products with sales and review figures (export only)"
        fields = ProductResource.Meta.fields + FIGURES

    def get_queryset(self):
        return Product.objects.with_catalog_stats().select_related("category", "supplier")
