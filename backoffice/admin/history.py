"""The read-only history lists: stock movements, order status changes and imports.

Each is read-only for everyone (superusers included): rows are written only by the services
(``backoffice.services.inventory``, ``backoffice.services.order_status``) and by the import
views; the admin can filter and export them, never add, change, delete or import.
"""

from django.contrib import admin

from backoffice.admin.common.base import BackofficeAdmin
from backoffice.admin.common.filters import CheckedDateRangeFilter
from backoffice.admin.common.readonly import ReadOnlyAdminMixin
from backoffice.admin.sales.filters import ProductAutocompleteFilter, product_autocomplete_media
from backoffice.models import ImportRecord, InventoryLog, OrderStatusChange
from backoffice.resources import InventoryLogResource


class StockOfProductFilter(ProductAutocompleteFilter):
    """The stock movements of one product."""

    def for_product(self, queryset, product_id):
        return queryset.filter(product_id=product_id)


@admin.register(InventoryLog)
class InventoryLogAdmin(ReadOnlyAdminMixin, BackofficeAdmin):
    """The stock audit trail: readable and exportable, never written by hand."""

    resource_classes = [InventoryLogResource]
    list_display = ["created_at", "product", "change", "stock_after", "reason", "user", "note"]
    list_select_related = ["product", "user"]
    list_filter = ["reason", StockOfProductFilter, ("created_at", CheckedDateRangeFilter)]
    search_fields = ["product__name", "note"]
    ordering = ["-created_at", "-id"]

    @property
    def media(self):
        return super().media + product_autocomplete_media(self.admin_site)


@admin.register(OrderStatusChange)
class OrderStatusChangeAdmin(ReadOnlyAdminMixin, BackofficeAdmin):
    """Every status change of every order, with who and when (read-only)."""

    list_display = ["changed_at", "order", "from_status", "to_status", "user", "note"]
    list_filter = ["to_status"]
    list_select_related = ["order", "user"]
    search_fields = ["order__id__exact", "user__username"]
    ordering = ["-changed_at", "-id"]


@admin.register(ImportRecord)
class ImportRecordAdmin(ReadOnlyAdminMixin, BackofficeAdmin):
    """Import history: who imported which file into which model, when, with the counts."""

    list_display = [
        "created_at",
        "user",
        "model_label",
        "file_name",
        "file_format",
        "outcome",
        "rows_new",
        "rows_updated",
        "rows_skipped",
        "rows_invalid",
    ]
    list_filter = ["outcome", "model_label"]
    list_select_related = ["user"]
    search_fields = ["file_name", "model_label", "user__username"]
    ordering = ["-created_at", "-id"]
