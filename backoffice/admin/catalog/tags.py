"""Tags with their product counts (``TagQuerySet.with_product_count``); the change page
lists the tagged products, read-only and linked."""

from django.contrib import admin

from backoffice.admin.catalog.columns import product_table_field
from backoffice.admin.common.base import BackofficeAdmin
from backoffice.admin.common.columns import annotation_column
from backoffice.models import Tag
from backoffice.resources import TagResource


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

    product_count = annotation_column("product_count", "products")

    product_table = product_table_field(
        "tagged products", lambda tag: tag.products.all(), "tags__id__exact"
    )
