"""Kept figures: the per-product, per-order, per-customer, per-category, per-supplier and
per-review figures the lists show and sort by.

Computed from the source rows on every request, these cost seconds at a million orders (and a
list sorted by one costs minutes), so they are kept in ``ProductFigures``, ``OrderFigures``,
``CustomerFigures``, ``CategoryFigures``, ``SupplierFigures`` and ``ReviewFigures``
(``backoffice.figures.kinds``) and changed in the same transaction as every write that moves
them:

- ``tracking``: which rows a write touched. Model signals (saves, deletes, tag links) and the
  QuerySets' set-based writes (``update``, ``bulk_create``, ``bulk_update``) report the product,
  order, customer, category, supplier and review ids they affect; inside ``collecting()``
  (services, admin views, imports) they are gathered and recomputed once at its end,
  otherwise at once.
- ``keeping``: recomputes the figures of given ids from the source definitions in
  ``backoffice.querysets`` (``product_figures``, ``order_figures``, ``customer_figures``,
  ``category_figures``, ``supplier_figures``, ``review_kept_figures``), after locking their rows
  in id order on PostgreSQL, so two writers never lose each other's update; the categories and
  suppliers of the products recomputed, and the reviews their orders reach, follow. From
  ``keeping.SET_BASED_FROM`` ids of a kind on PostgreSQL (an import's hundreds of thousands),
  ``sets``: the same locks, then one ``UPDATE … FROM`` per chunk with each source table grouped
  once (its aggregates are the definitions' own, grouped instead of correlated: a change to a
  definition goes in both, and ``tests/figures/test_large_refresh.py`` compares them).
- ``rebuild``: every figure from scratch, or a check that names each kept figure that differs
  (``manage.py rebuild_figures [--check]``).

Recomputing the touched rows rather than adding deltas keeps every figure exact (a minimum
rating or a latest order cannot be maintained by deltas) and makes a missed write show up in
``--check`` instead of drifting. Written here rather than with a library: django-computedfields
recomputes per instance in Python and needs manual calls on every bulk path, and database
triggers (django-pgtrigger) are PostgreSQL-only while this project also runs on SQLite.
"""

from backoffice.figures.keeping import refresh
from backoffice.figures.tracking import collecting, touched

__all__ = ["collecting", "refresh", "touched"]
