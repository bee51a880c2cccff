"""The stock audit trail: one row for every change of a product's stock."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from backoffice.models.catalog import Product
from backoffice.models.indexes import SearchIndex


class InventoryReason(models.TextChoices):
    RESTOCK = "restock", "Restock"
    TRANSFER_IN = "transfer_in", "Transfer in"
    TRANSFER_OUT = "transfer_out", "Transfer out"
    SALE = "sale", "Sale"
    ORDER_CHANGE = "order_change", "Order changed"
    CANCELLATION = "cancellation", "Order cancelled"
    ADJUSTMENT = "adjustment", "Manual adjustment"
    IMPORT = "import", "Import"


class InventoryLog(models.Model):
    # PROTECT: deleting a product must not erase its stock history; such a product is
    # deactivated instead.
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="inventory_logs")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who made the change (empty for system changes).",
    )
    change = models.IntegerField(help_text="Units added (positive) or removed (negative).")
    stock_after = models.IntegerField(help_text="The product's stock right after the change.")
    reason = models.CharField(max_length=20, choices=InventoryReason.choices)
    note = models.TextField(blank=True)
    import_record = models.ForeignKey(
        "backoffice.ImportRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inventory_logs",
        help_text="The import that made this change (reason import; empty for seed loads).",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    class Meta:
        default_permissions = ("add", "change", "delete", "view", "export")
        verbose_name = "inventory log entry"
        verbose_name_plural = "inventory log"
        ordering = ["-created_at", "-id"]
        indexes = [SearchIndex.on_upper("note", name="inventorylog_note_search")]
        constraints = [
            models.CheckConstraint(condition=~Q(change=0), name="inventorylog_change_not_zero"),
        ]

    def __str__(self):
        return f"{self.product}: {self.change:+d} ({self.get_reason_display()})"
