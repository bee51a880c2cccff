"""The read-side vocabulary: chainable QuerySet methods, one home per query pattern.

The admin, reports, exports and tests all call these; none keeps its own copy of a query.
One module per area: ``catalog`` (products, categories, suppliers, tags, reviews) and
``sales`` (orders, order items, customers).
"""

from backoffice.querysets.catalog import ActiveProductManager, ProductQuerySet
from backoffice.querysets.sales import CustomerQuerySet, OrderItemQuerySet, OrderQuerySet

__all__ = [
    "ActiveProductManager",
    "CustomerQuerySet",
    "OrderItemQuerySet",
    "OrderQuerySet",
    "ProductQuerySet",
]
