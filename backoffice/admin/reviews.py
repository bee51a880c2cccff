from django.contrib import admin

from backoffice.admin.base import BackofficeAdmin
from backoffice.models import Review
from backoffice.resources import ReviewResource


@admin.register(Review)
class ReviewAdmin(BackofficeAdmin):
    resource_classes = [ReviewResource]
    list_display = ["product", "customer", "rating", "created_at"]
    list_select_related = ["product", "customer__user"]
    search_fields = ["comment", "product__name"]
    ordering = ["-created_at"]
