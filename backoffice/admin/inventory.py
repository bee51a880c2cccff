from django.contrib import admin

from backoffice.admin.base import BackofficeAdmin
from backoffice.admin.readonly import ReadOnlyAdminMixin
from backoffice.models import InventoryLog
from backoffice.resources import InventoryLogResource


@admin.register(InventoryLog)
class InventoryLogAdmin(ReadOnlyAdminMixin, BackofficeAdmin):
    """The stock audit trail: readable and exportable, never written by hand."""

    resource_classes = [InventoryLogResource]
    list_display = ["created_at", "product", "change", "stock_after", "reason", "user", "note"]
    list_select_related = ["product", "user"]
    search_fields = ["product__name", "note"]
    ordering = ["-created_at", "-id"]
