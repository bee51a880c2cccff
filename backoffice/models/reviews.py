"""Customer reviews of products."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from backoffice.models.base import (
    ConstraintErrorsOnFieldsMixin,
    check_constraint,
    unique_constraint,
)
from backoffice.models.catalog import Product
from backoffice.models.customers import Customer
from backoffice.models.indexes import SearchIndex
from backoffice.querysets.catalog import ReviewQuerySet

# How a review without text reads wherever reviews are listed.
NO_COMMENT = "(rating only, no comment)"


class Review(ConstraintErrorsOnFieldsMixin, models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="reviews")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField(
        validators=[
            MinValueValidator(1, "A rating is at least 1 star."),
            MaxValueValidator(5, "A rating is at most 5 stars."),
        ]
    )
    # Optional: more than half of a real shop's reviews are a rating alone.
    comment = models.TextField(blank=True, default="", db_default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ReviewQuerySet.as_manager()

    constraint_error_fields = {
        "review_rating_range": "rating",
        "one_review_per_customer_and_product": "product",
    }

    class Meta:
        default_permissions = ("add", "change", "delete", "view", "export")
        ordering = ["-created_at", "-id"]
        indexes = [SearchIndex.on_upper("comment", name="review_comment_search")]
        constraints = [
            check_constraint(
                "review_rating_range",
                Q(rating__gte=1, rating__lte=5),
                "A rating is between 1 and 5 stars.",
            ),
            unique_constraint(
                "one_review_per_customer_and_product",
                ["customer", "product"],
                "This customer has already reviewed this product.",
            ),
        ]

    def __str__(self):
        return f"{self.product.name} - {self.rating}/5"

    @property
    def comment_shown(self) -> str:
        """The comment as the admin and the reports show it (NO_COMMENT when there is none)."""
        return self.comment if (self.comment or "").strip() else NO_COMMENT
