"""What every report shares: its columns, rows, parameters and a CSV rendering.

A report is a function from validated parameters to a ``ReportTable``; the admin view renders
it as a table or a CSV download. Figures come from the QuerySet methods (``backoffice.querysets``)
or, for the monthly sales report on PostgreSQL, from parameterised raw SQL.

A report with a row per product or customer (a hundred thousand of them in a real shop) gives
a ``RowSource`` instead of its rows: the page shows one page of them, found by ids alone (the
report's order over the ids, an index or a sort of one column) before the figures are read for
those ids only, so a deep page costs what the first does; the CSV download walks every row
through a server-side cursor, a chunk at a time, so its memory stays flat whatever the size.
"""

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

# Rows on a report page, and rows a CSV download reads from its cursor at a time.
PAGE_SIZE = 100
CSV_CHUNK = 2000
# The page number that means the last page, whatever the number of rows.
LAST_PAGE = "last"


@dataclass(frozen=True)
class RowSource:
    """A report's rows at any size. ``ids``: every row's id in the report's order, which must
    end with the id so that pages never overlap; ``fetch(ids)``: those rows' objects with
    their figures (any order); ``every()``: every object in the report's order, streamed
    (``.iterator(chunk_size=CSV_CHUNK)``); ``row(obj)`` its cells; ``link(obj)`` its admin URL.
    """

    ids: QuerySet
    fetch: Callable[[list], Iterable[Any]]
    every: Callable[[], Iterable[Any]]
    row: Callable[[Any], dict[str, Any]]
    link: Callable[[Any], str] | None = None


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text, int, money, float, percent, date, datetime, bool


@dataclass
class ReportTable:
    columns: list[Column]
    # the rows shown: all of them, or the page ``show_page`` put there
    rows: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # per row, the admin URL the row links to (same order as rows); empty when none
    links: list[str] = field(default_factory=list)
    # a paged report's rows: ``show_page`` puts one page of them in ``rows`` and ``links``
    source: RowSource | None = None
    page: Page | None = None
    # every row, where ``rows`` shows only some (a report of top N lists); None: ``rows``
    every_row: Callable[[], Iterable[dict[str, Any]]] | None = None
    # (text, URL): where the rows a top-N report leaves out are listed (None: the CSV download)
    see_also: list[tuple[str, str | None]] = field(default_factory=list)

    def show_page(self, number) -> None:
        """Page ``number`` (1-based; LAST_PAGE: the last; not a number: the first; past the
        end: the last) of the
        source in ``rows``/``links``: one count, one query for the page's ids, then the
        figures of those ids only."""
        paginator = Paginator(self.source.ids, PAGE_SIZE)
        self.page = paginator.get_page(paginator.num_pages if number == LAST_PAGE else number)
        ids = list(self.page.object_list)
        by_id = {obj.pk: obj for obj in self.source.fetch(ids)} if ids else {}
        objects = [by_id[pk] for pk in ids if pk in by_id]
        self.rows = [self.source.row(obj) for obj in objects]
        self.links = [self.source.link(obj) for obj in objects] if self.source.link else []

    def all_rows(self) -> Iterable[dict[str, Any]]:
        """Every row of the report, not just the page shown, in its order."""
        if self.source is not None:
            return map(self.source.row, self.source.every())
        if self.every_row is not None:
            return self.every_row()
        return self.rows

    def csv_lines(self) -> Iterator[list[str]]:
        yield [column.label for column in self.columns]
        for row in self.all_rows():
            yield [csv_cell(row.get(column.key)) for column in self.columns]


def csv_cell(value: Any) -> str:
    """A CSV cell that a spreadsheet shows as text or number, never runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    text = str(value)
    if isinstance(value, str) and text[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + text
    return text


def write_csv(table: ReportTable, stream) -> None:
    writer = csv.writer(stream)
    for line in table.csv_lines():
        writer.writerow(line)


class _Echo:
    """A file whose ``write`` hands the text back: ``csv.writer`` formats, we stream."""

    def write(self, text: str) -> str:
        return text


def csv_chunks(table: ReportTable, lines_per_chunk: int = 500) -> Iterator[str]:
    """The table's CSV, every row, as text chunks for a ``StreamingHttpResponse`` (Django's
    "streaming large CSV files" recipe, a few hundred lines per chunk)."""
    writer = csv.writer(_Echo())
    chunk = []
    for line in table.csv_lines():
        chunk.append(writer.writerow(line))
        if len(chunk) >= lines_per_chunk:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


class DateRangeForm(forms.Form):
    """An optional date range; both ends inclusive, in UTC days."""

    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("The start date is after the end date.")
        return cleaned

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """[start, end) as aware datetimes (end exclusive: the day after ``date_to``)."""
        data = self.cleaned_data if self.is_valid() else {}
        start: date | None = data.get("date_from")
        end: date | None = data.get("date_to")
        return (
            datetime.combine(start, time.min, tzinfo=UTC) if start else None,
            # the calendar's last day has no day after it: no upper bound then
            datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
            if end and end < date.max
            else None,
        )


class NoParametersForm(forms.Form):
    def bounds(self):
        return None, None


@dataclass(frozen=True)
class ReportSpec:
    slug: str
    title: str
    description: str
    build: Callable[[forms.Form], ReportTable]
    form_class: type[forms.Form] = NoParametersForm
    empty_message: str = "Nothing to show for these parameters."
    # model permissions its output needs beside view_reports (backoffice.reports.permissions)
    requires: tuple[str, ...] = ()
    # its rows come a page at a time (``ReportTable.source``): a row per product, customer …
    paged: bool = False
