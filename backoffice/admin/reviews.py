from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from backoffice.models import Review
from backoffice.resources import ReviewResource


@admin.register(Review)
class ReviewAdmin(ImportExportModelAdmin):
    resource_classes = [ReviewResource]
    list_display = ["product", "customer", "rating", "created_at"]
    list_select_related = ["product", "customer__user"]
    search_fields = ["comment", "product__name"]
    ordering = ["-created_at"]
