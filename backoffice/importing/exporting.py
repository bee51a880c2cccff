"""CSV and TSV exports that stream: rows go out as the database yields them.

The library builds a whole ``tablib.Dataset`` and then the whole file in memory before the
first byte is sent: a 200k-row export holds the table twice over. Here the queryset is read
with ``iterator(chunk_size=...)`` (a server-side cursor on PostgreSQL) and each row is written
as one line of a ``StreamingHttpResponse``; memory stays flat whatever the row count
(benchmarks/export.py measures it). Values are the resource's native ones, with text that a
spreadsheet would run made inert (``formats.escape_formula``). The file starts with a UTF-8
byte-order mark so Excel reads accents correctly; our import ignores it. The admin reaches it
through its public ``export_action`` / ``export_response`` (never the library's private
``_do_file_export``).

``write_export`` writes any of the four formats into a file the same way, row by row, for the
export jobs (``backoffice.jobs.exports``): CSV/TSV as above, JSON one object at a time, XLSX
through openpyxl's write-only workbook (rows go to a temporary file as they are added), where
dates and times are Excel dates (in the shop's time zone, without one: Excel has none) and
numbers are numbers.
"""

import csv
import json
from datetime import date, datetime

from django.conf import settings
from django.http import StreamingHttpResponse
from django.utils import timezone
from import_export import widgets
from import_export.signals import post_export

from backoffice.importing.formats import CSV, JSON, TSV, XLSX, escape_formula

BOM = "\ufeff"


def streams(file_format) -> bool:
    return isinstance(file_format, CSV | TSV)


class _Echo:
    """A file-like object whose ``write`` hands the line back (the csv module's pattern)."""

    def write(self, value):
        return value


def export_rows(resource, queryset, selected_fields=None, *, escape=True, excel_dates=False):
    """The header, then one list of native, formula-safe values per object (``escape=False``:
    as they are, for JSON; ``excel_dates``: date-and-time columns as naive datetimes in the
    shop's time zone instead of UTC ISO text, for XLSX)."""
    queryset = resource.filter_export(queryset)
    export_fields = resource.get_export_fields(selected_fields)
    yield resource.get_export_headers(selected_fields)
    as_dates = {
        id(field) for field in export_fields if excel_dates and _plain_datetime(resource, field)
    }
    chunk_size = getattr(settings, "IMPORT_EXPORT_CHUNK_SIZE", 2000)
    for obj in queryset.iterator(chunk_size=chunk_size):
        row = []
        for field in export_fields:
            if id(field) in as_dates:
                row.append(_excel_datetime(field.get_value(obj)))
                continue
            value = resource.export_field(field, obj, force_native_type=True)
            row.append(escape_formula(value) if escape else value)
        yield row


def _plain_datetime(resource, field) -> bool:
    """A date-and-time column read from its attribute (no ``dehydrate_`` method of its own)."""
    if not isinstance(field.widget, widgets.DateTimeWidget):
        return False
    method = field.get_dehydrate_method(resource.get_field_name(field))
    return not callable(method) and getattr(resource, method, None) is None


def _excel_datetime(value):
    if not isinstance(value, datetime):
        return None
    return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value


def csv_lines(rows, delimiter=","):
    writer = csv.writer(_Echo(), delimiter=delimiter, lineterminator="\r\n")
    first = True
    for row in rows:
        line = writer.writerow(row)
        yield (BOM + line if first else line).encode("utf-8")
        first = False


def streaming_response(resource, queryset, file_format, *, filename, selected_fields=None):
    delimiter = "\t" if isinstance(file_format, TSV) else ","
    lines = csv_lines(export_rows(resource, queryset, selected_fields), delimiter)
    response = StreamingHttpResponse(
        lines, content_type=f"{file_format.get_content_type()}; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    post_export.send(sender=None, model=resource._meta.model)
    return response


# --- writing a whole file (the export jobs) ------------------------------------------------

XLSX_DATETIME = "yyyy-mm-dd hh:mm:ss"
XLSX_DATE = "yyyy-mm-dd"


def write_export(resource, queryset, file_format, out, *, selected_fields=None, on_row=None):
    """Write the export of ``queryset`` into the binary file ``out``, row by row, in any of
    the four formats; ``on_row()`` is called after each row (a job's progress and cancel).
    Returns the number of rows written."""
    if isinstance(file_format, XLSX):
        rows = export_rows(resource, queryset, selected_fields, excel_dates=True)
        return _write_xlsx(_counted(rows, on_row), out)
    if isinstance(file_format, JSON):
        rows = export_rows(resource, queryset, selected_fields, escape=False)
        return _write_json(_counted(rows, on_row), out)
    delimiter = "\t" if isinstance(file_format, TSV) else ","
    rows = export_rows(resource, queryset, selected_fields)
    written = -1
    for line in csv_lines(_counted(rows, on_row), delimiter):
        out.write(line)
        written += 1
    return max(written, 0)


def _counted(rows, on_row):
    """The header, then the rows, calling ``on_row`` after each row has been handed on."""
    yield next(rows)
    for row in rows:
        yield row
        if on_row is not None:
            on_row()


def _write_json(rows, out) -> int:
    """A list of objects, one per row (what the JSON format reads back), written as it goes;
    values as tablib's JSON writes them (decimals and dates as text)."""
    from tablib.formats._json import serialize_objects_handler

    headers = next(rows)
    out.write(b"[")
    written = 0
    for row in rows:
        item = json.dumps(
            dict(zip(headers, row, strict=True)),
            default=serialize_objects_handler,
            ensure_ascii=False,
        )
        out.write((", " if written else "").encode() + item.encode("utf-8"))
        written += 1
    out.write(b"]")
    return written


def _write_xlsx(rows, out) -> int:
    """One sheet; openpyxl's write-only workbook keeps no row in memory once it is added."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Export")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name in next(rows):
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    written = 0
    for row in rows:
        values = []
        for value in row:
            if isinstance(value, datetime | date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = XLSX_DATETIME if isinstance(value, datetime) else XLSX_DATE
                values.append(cell)
            elif isinstance(value, str):
                # control characters a workbook can't hold (the library's writer fails on them)
                values.append(ILLEGAL_CHARACTERS_RE.sub("", value))
            else:
                values.append(value)  # numbers (Decimal, int), booleans, None
        sheet.append(values)
        written += 1
    book.save(out)
    return written
