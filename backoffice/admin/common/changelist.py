"""The change list every admin uses: the page's rows first, their figures for those rows only.

Django's change list runs one query for the page: ``SELECT <every column and figure> …
ORDER BY … LIMIT 50 OFFSET n``. PostgreSQL evaluates the SELECT list for every row it walks,
the ``n`` that the OFFSET skips included, so a list whose columns are subqueries (a customer's
latest order, an order's neighbours) costs more the deeper the page, and seconds on its last
page at a real shop's size. Here the page is found with the ids alone (the ordering's own
expressions, an index walk for a kept figure), then the rows are read with every column for
those ids only: one query more, whatever the page.
"""

from urllib.parse import parse_qsl, urlencode

from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.core.exceptions import FieldDoesNotExist
from django.db.models import OrderBy
from django.db.models.expressions import Col


class PageFirstChangeList(ChangeList):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A row's link keeps the list's filters, and they are the same for every row: here
        # they are encoded once and added by ``url_for_result``. Django adds them per row with
        # ``add_preserved_filters``, which resolves each row's URL against every admin pattern
        # first (a tenth of a paged product list's time); it reads ``preserved_filters`` only
        # there, and with none it leaves the URL alone. The same links either way (tested).
        kept = dict(parse_qsl(self.preserved_filters))
        self.row_link_query = urlencode(kept) if kept else ""
        self.preserved_filters = ""

    def url_for_result(self, result):
        url = super().url_for_result(result)
        return f"{url}?{self.row_link_query}" if self.row_link_query else url

    def get_ordering(self, request, queryset):
        """A column staff sort by, then the id in the same direction: Django breaks the ties of
        a chosen sort by the admin's default order (an order line's order date, on another
        table) and then ``-pk``, which no index on the column can serve, so a sort by quantity
        read and sorted three million lines. By (column, id) one index serves both ways."""
        chosen = bool(self.params.get(ORDER_VAR))
        if chosen:
            queryset = queryset.order_by()
        ordering = super().get_ordering(request, queryset)
        if chosen and len(ordering) > 1 and ordering[-1] == "-pk":
            first = ordering[0]
            if isinstance(first, OrderBy):
                descending = first.descending
            else:
                descending = isinstance(first, str) and first.startswith("-")
            ordering[-1] = "-pk" if descending else "pk"
        return ordering

    def get_results(self, request):
        super().get_results(request)
        if self.show_all and self.can_show_all:
            return  # the whole (small) list is asked for: nothing is skipped
        # (a one-page list takes the same two steps: the same queries whatever the rows)
        page_ids = self.page_ids()
        if not page_ids:
            return  # an empty page reads (nothing) as Django would: the same two queries
        # A QuerySet, not a list: the list's editable columns build their formset from it. The
        # list's ordering, applied again to these rows, gives the page's order. The ids passed
        # the filters and the search already: the rows are read by id alone, not through those
        # conditions again (a search's id sets would be computed once more for 50 rows).
        rows = self.apply_select_related(self.root_queryset.filter(pk__in=page_ids))
        self.result_list = rows.order_by(*self.queryset.query.order_by)

    def page_ids(self) -> list:
        """The page's ids in the list's order. A page past the middle is read from the other
        end (the ordering reversed, the ids turned back): an index walk then skips the rows
        after the page instead of every row before it, so the last page costs what the first
        does. Django's changelist always orders deterministically (it adds the primary key),
        so both ends give the same rows; on an estimated count ("about N") a deep page is the
        one that far from the end."""
        total = self.result_count
        per_page = self.list_per_page
        offset = (self.page_num - 1) * per_page
        after = total - offset - per_page  # rows after this page
        in_order = self.ids_in_order()
        if offset <= total // 2 or not self.queryset.ordered:
            low, high = self.result_list.query.low_mark, self.result_list.query.high_mark
            return list(in_order.values_list("pk", flat=True)[low:high])
        limit = per_page + min(after, 0)
        if limit <= 0:
            return []
        start = max(after, 0)
        reversed_ids = in_order.reverse().values_list("pk", flat=True)[start : start + limit]
        return list(reversed(list(reversed_ids)))

    def ids_in_order(self):
        """The list's rows in its order, for their ids. Sorted by a kept figure, they are
        asked of the figures table: joined inner, the ties broken by its key (the row's own
        id), so an index on (figure, key) walks the page (a sort by an order's item count read
        and sorted a million orders: the list's left join to its figures cannot be driven from
        them). Inner is the same rows: every row has its figures row, written in the same
        transaction (``rebuild_figures --check`` names one missing)."""
        queryset = self.queryset
        ordering = list(queryset.query.order_by)
        figures = self._kept_figures_sorted_by()
        if figures is None or not ordering or ordering[-1] not in ("pk", "-pk"):
            return queryset
        # its key column (``order_id``), not the key (``order``): ordered by a relation,
        # Django would order by the related model's default ordering, another join
        key = f"kept_figures__{figures._meta.pk.attname}"
        ordering[-1] = f"-{key}" if ordering[-1] == "-pk" else key
        return queryset.filter(kept_figures__isnull=False).order_by(*ordering)

    def _kept_figures_sorted_by(self):
        """The kept figures model if the list is sorted by one of its figures first."""
        first = self.queryset.query.order_by[0] if self.queryset.query.order_by else None
        name = first.lstrip("-") if isinstance(first, str) else None
        annotation = self.queryset.query.annotations.get(name)
        try:
            figures = self.model._meta.get_field("kept_figures").related_model
        except FieldDoesNotExist:
            return None
        if isinstance(annotation, Col) and annotation.target.model is figures:
            return figures
        return None
