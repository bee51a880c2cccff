"""What every report shares: its columns, rows, parameters and a CSV rendering.

A report is a function from validated parameters to a ``ReportTable``; the admin view renders
it as a table or a CSV download. Figures come from the QuerySet methods (``backoffice.querysets``)
or, for the monthly sales report on PostgreSQL, from parameterised raw SQL.
"""

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django import forms


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text, int, money, float, percent, date, datetime, bool


@dataclass
class ReportTable:
    columns: list[Column]
    rows: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)
    # per row, the admin URL the row links to (same order as rows); empty when none
    links: list[str] = field(default_factory=list)

    def csv_lines(self) -> Iterator[list[str]]:
        yield [column.label for column in self.columns]
        for row in self.rows:
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
