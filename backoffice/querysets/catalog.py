"""Catalog queries: products (and later categories, suppliers, tags, reviews)."""

from django.db import models
from django.db.models import Avg, Count


class ProductQuerySet(models.QuerySet):
    def active(self):
        """Products on sale."""
        return self.filter(is_active=True)

    def expensive(self):
        """Products at $100 or more (the guide's threshold)."""
        return self.filter(price__gte=100)

    def by_category(self, category_name):
        """Products of the category with this exact name."""
        return self.filter(category__name=category_name)

    def with_reviews(self):
        """Prefetch reviews and annotate ``review_count`` and ``avg_rating``.

        Both aggregates join one relation only (reviews), so no row multiplication.
        """
        return self.prefetch_related("reviews").annotate(
            review_count=Count("reviews"),
            avg_rating=Avg("reviews__rating"),
        )


class ActiveProductManager(models.Manager.from_queryset(ProductQuerySet)):
    """The guide's ``Product.active_objects``: only products on sale."""

    def get_queryset(self):
        return super().get_queryset().filter(is_active=True)
