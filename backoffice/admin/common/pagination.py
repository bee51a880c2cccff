"""Counting a list at a real shop's size: an estimate for a whole big table, exact otherwise.

Django's paginator runs ``COUNT(*)`` on every list page; for a million orders that is a walk
of the whole table (hundreds of milliseconds, more than the page itself). When the list is
unfiltered and PostgreSQL's statistics say the table is big, the page says "about 1,000,000
orders" from ``pg_class.reltuples`` (kept by ANALYZE and autovacuum) instead. A filtered or
searched list, or a small table, is counted exactly: a filter is what makes a count cheap.
"""

from django.core.paginator import Paginator
from django.db import connection
from django.utils.functional import cached_property

# Tables with fewer rows than this (by the statistics) are always counted exactly.
ESTIMATE_ABOVE = 100_000


def estimated_rows(model) -> int | None:
    """PostgreSQL's estimate of the table's rows; None where there is none (SQLite, never
    analysed)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
            [connection.ops.quote_name(model._meta.db_table)],
        )
        row = cursor.fetchone()
    return row[0] if row and row[0] >= 0 else None


class EstimatedCountPaginator(Paginator):
    @cached_property
    def count(self):
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        if query is not None and not query.where and not query.is_sliced:
            estimate = estimated_rows(queryset.model)
            if estimate is not None and estimate >= ESTIMATE_ABOVE:
                self.count_is_estimate = True
                return estimate
        self.count_is_estimate = False
        return super().count
