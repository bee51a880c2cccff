from django.contrib import admin

from backoffice.admin.base import BackofficeAdmin
from backoffice.admin.readonly import ReadOnlyAdminMixin
from backoffice.models import ImportRecord


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
