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
"""

import csv

from django.conf import settings
from django.http import StreamingHttpResponse
from import_export.signals import post_export

from backoffice.importing.formats import CSV, TSV, escape_formula

BOM = "\ufeff"


def streams(file_format) -> bool:
    return isinstance(file_format, CSV | TSV)


class _Echo:
    """A file-like object whose ``write`` hands the line back (the csv module's pattern)."""

    def write(self, value):
        return value


def export_rows(resource, queryset, selected_fields=None):
    """The header, then one list of native, formula-safe values per object."""
    queryset = resource.filter_export(queryset)
    export_fields = resource.get_export_fields(selected_fields)
    yield resource.get_export_headers(selected_fields)
    chunk_size = getattr(settings, "IMPORT_EXPORT_CHUNK_SIZE", 2000)
    for obj in queryset.iterator(chunk_size=chunk_size):
        yield [
            escape_formula(resource.export_field(field, obj, force_native_type=True))
            for field in export_fields
        ]


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
