"""The stock audit trail, read-only for everyone (superusers included).

Rows are written only by ``backoffice.services.inventory``; the admin can filter and export
them, never add, change, delete or import.
"""

from django.contrib import admin

from backoffice.admin.base import BackofficeAdmin
from backoffice.admin.catalog_filters import CheckedDateRangeFilter
from backoffice.admin.readonly import ReadOnlyAdminMixin
from backoffice.models import InventoryLog
from backoffice.resources import InventoryLogResource


@admin.register(InventoryLog)
class InventoryLogAdmin(ReadOnlyAdminMixin, BackofficeAdmin):
    """The stock audit trail: readable and exportable, never written by hand."""

    resource_classes = [InventoryLogResource]
    list_display = ["created_at", "product", "change", "stock_after", "reason", "user", "note"]
    list_select_related = ["product", "user"]
    list_filter = ["reason", "product", ("created_at", CheckedDateRangeFilter)]
    search_fields = ["product__name", "note"]
    ordering = ["-created_at", "-id"]
