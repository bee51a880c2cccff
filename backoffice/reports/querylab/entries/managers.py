"""The guide's "Custom Managers and QuerySets".

This project attaches the guide's QuerySet with ``objects = ProductQuerySet.as_manager()`` and
keeps ``active_objects`` as the guide's ``ActiveProductManager`` (backoffice/querysets).
"""

from django.db import models

from backoffice.models import Product
from backoffice.reports.querylab.registry import example

SECTION = "Custom Managers and QuerySets"


@example(
    SECTION,
    "Product.active_objects: a manager with a filtered get_queryset()",
    explain=lambda: Product.active_objects.all(),
)
def active_objects_manager():
    active_products = Product.active_objects.all()
    return active_products.values("id", "name", "is_active")


@example(
    SECTION,
    "Chained QuerySet methods: active().expensive().by_category()",
    explain=lambda: Product.objects.active().expensive().by_category("Electronics"),
)
def chained_queryset_methods():
    expensive_electronics = Product.objects.active().expensive().by_category("Electronics")
    return expensive_electronics.values("id", "name", "price")


@example(SECTION, "active().with_reviews()")
def with_reviews():
    """with_reviews() prefetches the reviews and annotates their count and average: two
    queries, and the counts are right because only one relation is aggregated."""
    products_with_stats = Product.objects.active().with_reviews()
    return [
        {
            "name": product.name,
            "review_count": product.review_count,
            "avg_rating": product.avg_rating,
            "prefetched reviews": len(product.reviews.all()),
        }
        for product in products_with_stats
    ]


@example(SECTION, "The guide's get_queryset_class() does not attach the QuerySet", errata=("E21",))
def get_queryset_class_does_nothing():
    """The guide declares `objects = models.Manager()` and a `get_queryset_class()`
    classmethod returning ProductQuerySet. Django never calls such a method, so
    `Product.objects.active()` raises AttributeError. A plain Manager on the same model shows
    it; this project uses `objects = ProductQuerySet.as_manager()` instead, and that works."""
    guide_manager = models.Manager()
    guide_manager.model = Product  # what `objects = models.Manager()` gives the guide's model
    try:
        guide_manager.active()
        guide_result = "works"
    except AttributeError as exc:
        guide_result = f"AttributeError: {exc}"
    return {
        "models.Manager(): .active()": guide_result,
        "ProductQuerySet.as_manager(): .active().count()": Product.objects.active().count(),
    }
