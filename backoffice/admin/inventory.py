from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from backoffice.models import InventoryLog
from backoffice.resources import InventoryLogResource


@admin.register(InventoryLog)
class InventoryLogAdmin(ImportExportModelAdmin):
    """The stock audit trail: readable and exportable, never written by hand."""

    resource_classes = [InventoryLogResource]
    list_display = ["created_at", "product", "change", "stock_after", "reason", "user", "note"]
    list_select_related = ["product", "user"]
    search_fields = ["product__name", "note"]
    ordering = ["-created_at", "-id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_import_permission(self, request):
        return False
