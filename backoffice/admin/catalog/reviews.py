"""Customer reviews: read by catalog editors, filtered by rating, date and product category.

A second review of the same product by the same customer is refused by the model's unique
constraint; ``ConstraintErrorsOnFieldsMixin`` puts that error on the product field of the form.
"""

from django.contrib import admin
from django.utils.text import Truncator

from backoffice.admin.common.base import BackofficeAdmin
from backoffice.admin.common.filters import CheckedDateRangeFilter
from backoffice.models import Review
from backoffice.resources import ReviewResource


@admin.register(Review)
class ReviewAdmin(BackofficeAdmin):
    resource_classes = [ReviewResource]
    list_display = ["product", "customer_name", "rating", "comment_text", "created_at"]
    list_select_related = ["product", "customer__user"]
    list_filter = [
        "rating",
        ("created_at", CheckedDateRangeFilter),
        ("product__category", admin.RelatedFieldListFilter),
    ]
    search_fields = ["comment", "product__name"]
    search_help_text = "Words of the comment, or the product's name."
    autocomplete_fields = ["product", "customer"]
    ordering = ["-created_at", "-id"]
    readonly_fields = ["created_at"]

    @admin.display(description="customer", ordering="customer__user__last_name")
    def customer_name(self, obj):
        return str(obj.customer)

    @admin.display(description="comment")
    def comment_text(self, obj):
        """The comment's start, or NO_COMMENT: a comment is optional (a rating alone)."""
        return Truncator(obj.comment_shown).chars(80)
