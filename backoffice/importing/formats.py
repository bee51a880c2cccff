"""File formats that read uploads defensively and write exports that spreadsheets can't run.

The library's formats trust their input: CSV in any encoding or separator is "read" into one
wide column, a workbook's formulas are replaced by cached values, a JSON object of the wrong
shape fails with a ``KeyError``, and a zip bomb is unpacked. On export only a leading ``=`` is
escaped, and only by turning every cell (numbers too) into text. These subclasses keep the
library's interface (the admin's import form lists them) and:

* read CSV/TSV/JSON as UTF-8 only (a byte-order mark is fine) and say what is wrong otherwise;
* refuse files whose content doesn't match the format, with a hint about what they look like;
* stop at ``IMPORT_MAX_ROWS`` rows, and refuse a header line wider than the import can use
  (``max_columns``: the resource's columns plus a margin) before reading any row, so a small
  file of 40,000 columns is refused at once instead of occupying a worker; check an XLSX archive before unpacking it (zip bomb) and let
  openpyxl parse its XML through defusedxml (entity expansion is refused);
* on export, prefix text cells that a spreadsheet would run (``= + - @``, tab, carriage return)
  with an apostrophe; numbers stay numbers. Reading CSV/TSV/XLSX removes that apostrophe again,
  so an export imports back unchanged.
"""

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

import tablib
from django.conf import settings
from import_export.formats import base_formats

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class ImportFileError(ValueError):
    """The uploaded file can't be read; the message tells a staff member what to do."""


def escape_formula(value):
    """Text a spreadsheet would evaluate, made inert with a leading apostrophe (OWASP)."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unescape_formula(value):
    """Undo ``escape_formula`` (an apostrophe before a trigger character is our escape)."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


#: without a resource to size it (``max_columns`` not given): far above any resource's columns
DEFAULT_MAX_COLUMNS = 500


def check_column_count(count: int, max_columns) -> None:
    """Refuse a header line wider than ``max_columns`` (None: ``DEFAULT_MAX_COLUMNS``)."""
    limit = DEFAULT_MAX_COLUMNS if max_columns is None else max_columns
    if count > limit:
        raise ImportFileError(
            f"The file has {count:,} columns; this import reads at most {limit:,}. Nothing was "
            "read past the header line: is this the right file, and is its first line the "
            "column names?"
        )


class _Setting:
    """Default of ``create_dataset(max_rows=...)``: ``IMPORT_MAX_ROWS`` (None: no limit)."""


SETTING = _Setting()


def row_limit(max_rows) -> float:
    if max_rows is SETTING:
        return settings.IMPORT_MAX_ROWS
    return float("inf") if max_rows is None else max_rows


def _too_many_rows(limit) -> ImportFileError:
    return ImportFileError(
        f"The file has more than {limit:,} rows, the most one import takes. "
        "Split it into smaller files."
    )


@dataclass
class Table:
    """A file's column names and its rows (lists as long as the names), read as they are
    iterated; the formats raise ``ImportFileError`` from the iteration for a bad row."""

    headers: list[str]
    rows: Iterator[list]


def clean_headers(headers) -> list[str]:
    """The header line's names, stripped; each must be there and appear once."""
    names: dict[str, None] = {}  # a dict: the "appears twice" check stays linear in the width
    for position, header in enumerate(headers, 1):
        name = "" if header is None else str(header).strip()
        if not name:
            raise ImportFileError(
                f"Column {position} has no name. The first line must hold the column names."
            )
        if name in names:
            raise ImportFileError(f"The column {name!r} appears twice in the header line.")
        names[name] = None
    return list(names)


def build_dataset(headers, rows, *, first_line: int = 2) -> tablib.Dataset:
    """A dataset with clean, unique header names; ``rows`` are lists as long as the headers."""
    dataset = tablib.Dataset(headers=clean_headers(headers))
    for row in rows:
        dataset.append(row)
    if not len(dataset):
        raise ImportFileError("The file has a header line but no rows to import.")
    return dataset


def table_dataset(table: Table) -> tablib.Dataset:
    """A whole table in memory (the library's import API and small files take a dataset)."""
    dataset = tablib.Dataset(headers=table.headers)
    for row in table.rows:
        dataset.append(row)
    return dataset


def _whole(source) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview | str):
        return source
    source.seek(0)
    return source.read()


def _text_stream(source, format_name: str):
    """UTF-8 text read as it is needed; the first bytes are checked for what the file is."""
    if isinstance(source, str):
        return io.StringIO(source.removeprefix("\ufeff"), newline="")
    if isinstance(source, bytes | bytearray | memoryview):
        source = io.BytesIO(source)
    head = source.read(4096)
    source.seek(0)
    _check_text_start(head, format_name)
    return io.TextIOWrapper(source, encoding="utf-8-sig", newline="")


def _refuse_undecodable(source, format_name: str):
    """Read the whole file to say exactly where it stops being UTF-8 (only on that error)."""
    decode_text(_whole(source), format_name)
    raise ImportFileError("The file is not UTF-8 text.")  # pragma: no cover - decode_text raised


class SafeFormatMixin:
    """Shared behaviour; ``create_dataset`` takes the uploaded bytes."""

    escapes_formulae = True

    def export_data(self, dataset, **kwargs):
        if self.escapes_formulae:
            dataset = _escaped_copy(dataset)
        return super().export_data(dataset, **kwargs)


def _escaped_copy(dataset: tablib.Dataset) -> tablib.Dataset:
    copy = tablib.Dataset(headers=dataset.headers)
    for row in dataset:
        copy.append([escape_formula(cell) for cell in row])
    return copy


class _DelimitedText(SafeFormatMixin):
    delimiter = ","
    name = "CSV"

    def create_dataset(self, in_stream, max_rows=SETTING, max_columns=None, **kwargs):
        return table_dataset(self.read_table(in_stream, max_rows, max_columns))

    def read_table(self, source, max_rows=SETTING, max_columns=None) -> "Table":
        """The header line now, the rows as they are read: a file of a million rows never
        sits in memory whole (``source``: the bytes, or a binary file)."""
        limit = row_limit(max_rows)
        stream = _text_stream(source, self.name)
        reader = csv.reader(stream, delimiter=self.delimiter)
        try:
            headers = next(reader)
        except StopIteration:
            raise ImportFileError("The file is empty.") from None
        except csv.Error as exc:
            raise ImportFileError(f"Line 1 can't be read as {self.name}: {exc}.") from None
        except UnicodeDecodeError:
            _refuse_undecodable(source, self.name)
        self._check_separator(headers)
        check_column_count(len(headers), max_columns)
        names = clean_headers(headers)

        def rows():
            count, blank_lines = 0, []
            try:
                for row in reader:
                    if not any(cell.strip() for cell in row):
                        blank_lines.append(reader.line_num)
                        continue
                    if blank_lines:
                        raise ImportFileError(
                            f"Line {blank_lines[0]} is empty. Remove empty lines between rows."
                        )
                    if len(row) != len(names):
                        raise ImportFileError(
                            f"Line {reader.line_num} has {len(row)} cells but the header line "
                            f"has {len(names)} columns. Check for a missing or extra "
                            f"{self.delimiter_name} or an unclosed quote."
                        )
                    if count >= limit:
                        raise _too_many_rows(limit)
                    count += 1
                    yield [unescape_formula(cell) for cell in row]
            except csv.Error as exc:
                raise ImportFileError(
                    f"Line {reader.line_num} can't be read as {self.name}: {exc}."
                ) from None
            except UnicodeDecodeError:
                _refuse_undecodable(source, self.name)
            if not count:
                raise ImportFileError("The file has a header line but no rows to import.")

        return Table(names, rows())

    @property
    def delimiter_name(self):
        return "comma" if self.delimiter == "," else "tab"

    def _check_separator(self, headers):
        if len(headers) != 1:
            return
        line = headers[0]
        if ";" in line:
            raise ImportFileError(
                "The columns are separated by semicolons (;), not commas. Save the file as "
                "comma-separated CSV (in Excel: \u201cCSV UTF-8 (comma delimited)\u201d), or "
                "export it again from the back office."
            )
        if self.delimiter == "," and "\t" in line:
            raise ImportFileError(
                "The columns are separated by tabs: choose the TSV format for this file."
            )
        if self.delimiter == "\t" and "," in line:
            raise ImportFileError(
                "The columns are separated by commas: choose the CSV format for this file."
            )


def decode_text(data, format_name: str) -> str:
    """UTF-8 text (a byte-order mark is dropped), or ImportFileError saying what the bytes are."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    _check_text_start(data, format_name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            f"The file is not UTF-8 text: byte 0x{data[exc.start]:02X} on line {line} can't be "
            "read (the file was probably saved as Windows-1252 or Latin-1). Save it as UTF-8 "
            "(in Excel: \u201cCSV UTF-8\u201d) and upload it again."
        ) from None


def _check_text_start(data: bytes, format_name: str) -> None:
    """Refuse, from its first bytes, a file that isn't UTF-8 text at all."""
    if not data.strip():
        raise ImportFileError("The file is empty.")
    if data.startswith(b"PK\x03\x04"):
        raise ImportFileError(
            f"This file is a zip archive, like an Excel workbook (XLSX), not {format_name} "
            "text. Choose the XLSX format, or save the sheet as CSV UTF-8."
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(
            "This file is UTF-16 text. Save it as UTF-8 (in Excel: \u201cCSV UTF-8\u201d)."
        )
    if b"\x00" in data[:4096]:
        raise ImportFileError(f"This file is binary data, not {format_name} text.")


class CSV(_DelimitedText, base_formats.CSV):
    pass


class TSV(_DelimitedText, base_formats.TSV):
    delimiter = "\t"
    name = "TSV"


class WholeFileTable:
    """``read_table`` for formats read whole (a JSON list, a workbook): their parsers take the
    whole file, so the rows are in memory at once; CSV and TSV stream."""

    def read_table(self, source, max_rows=SETTING, max_columns=None) -> Table:
        dataset = self.create_dataset(_whole(source), max_rows=max_rows, max_columns=max_columns)
        return Table(list(dataset.headers), (list(row) for row in dataset))


class JSON(WholeFileTable, SafeFormatMixin, base_formats.JSON):
    """A JSON list of objects, one per row (the seed files' shape). Not escaped: no spreadsheet."""

    escapes_formulae = False

    def create_dataset(self, in_stream, max_rows=SETTING, max_columns=None, **kwargs):
        limit = row_limit(max_rows)
        text = decode_text(in_stream, "JSON")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            hint = ""
            if text.lstrip()[:1] not in "[{":
                hint = " It doesn't start with [ or {: is it a CSV file? Choose its real format."
            raise ImportFileError(
                f"The file is not valid JSON: {exc.msg} on line {exc.lineno}, column "
                f"{exc.colno}.{hint}"
            ) from None
        except RecursionError:
            raise ImportFileError("The JSON is nested too deeply to be a table.") from None
        if not isinstance(data, list):
            raise ImportFileError("The JSON must be a list of objects, one per row: [{...}, ...].")
        if len(data) > limit:
            raise _too_many_rows(limit)
        headers: dict[str, None] = {}
        for number, row in enumerate(data, 1):
            if not isinstance(row, dict):
                raise ImportFileError(f"Row {number} of the JSON list is not an object {{...}}.")
            headers.update(dict.fromkeys(row))
            # before building any row: each row is as wide as all the keys of all the rows
            # (objects with different keys would make this rows x keys)
            check_column_count(len(headers), max_columns)
        names = list(headers)
        rows = [[_json_cell(row.get(name)) for name in names] for row in data]
        if not data:
            raise ImportFileError("The file holds an empty list: there are no rows to import.")
        return build_dataset(names, rows)


def _json_cell(value):
    """Nested JSON (a product's metadata) goes to its column as JSON text."""
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


class XLSX(WholeFileTable, SafeFormatMixin, base_formats.XLSX):
    """The first sheet of a workbook; cells with formulas are refused (values only)."""

    def create_dataset(self, in_stream, max_rows=SETTING, max_columns=None, **kwargs):
        data = in_stream if isinstance(in_stream, bytes) else bytes(in_stream)
        if not data:
            raise ImportFileError("The file is empty.")
        check_zip_archive(data)
        return read_workbook(data, row_limit(max_rows), max_columns)


def check_zip_archive(data: bytes) -> None:
    """Refuse an archive that isn't a workbook or would unpack to far more than it weighs.

    The sizes come from the archive's directory; ``zipfile`` refuses to inflate an entry past
    its declared size, so a lying directory can't get around the limit.
    """
    if not data.startswith(b"PK\x03\x04"):
        hint = "It looks like text: is it a CSV file?" if _looks_like_text(data) else ""
        raise ImportFileError(f"This file is not an Excel workbook (XLSX). {hint}".strip())
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFileError("This workbook is damaged: its zip archive can't be read.") from None
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise ImportFileError("This zip archive is not an Excel workbook (XLSX).")
    limit = settings.IMPORT_MAX_XLSX_UNPACKED_BYTES
    unpacked = sum(entry.file_size for entry in entries)
    ratio = max((e.file_size / max(e.compress_size, 1) for e in entries), default=0)
    if len(entries) > 1000 or unpacked > limit or (ratio > 200 and unpacked > 10_000_000):
        raise ImportFileError(
            f"This workbook would unpack to {unpacked / 1e6:,.0f} MB (the limit is "
            f"{limit / 1e6:,.0f} MB); it may be a zip bomb. Save the data as CSV instead."
        )


def _looks_like_text(data: bytes) -> bool:
    try:
        data[:2048].decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def read_workbook(data: bytes, limit: float, max_columns=None) -> tablib.Dataset:
    import openpyxl
    from defusedxml.common import DefusedXmlException
    from openpyxl import DEFUSEDXML

    if not DEFUSEDXML:  # openpyxl parses XML through defusedxml only when it is importable
        raise ImportFileError("Workbooks can't be read safely here (defusedxml is missing).")
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            return _sheet_dataset(book.worksheets[0], limit, max_columns)
        finally:
            book.close()
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl wraps what goes wrong in many exception types
        if _caused_by(exc, DefusedXmlException):
            raise ImportFileError(
                "This workbook contains XML entity definitions, which are refused "
                "(an XML bomb?). Save the data again from a spreadsheet program."
            ) from None
        raise ImportFileError(
            f"This workbook can't be read: it is damaged or not really XLSX ({type(exc).__name__})."
        ) from None


def _caused_by(exc: BaseException, kind) -> bool:
    while exc is not None:
        if isinstance(exc, kind):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _sheet_dataset(sheet, limit: float, max_columns=None) -> tablib.Dataset:
    rows = sheet.iter_rows()
    try:
        header_cells = next(rows)
    except StopIteration:
        raise ImportFileError("The workbook's first sheet is empty.") from None
    headers = [cell.value for cell in header_cells]
    while headers and headers[-1] in (None, ""):
        headers.pop()  # trailing empty columns
    if not headers:
        raise ImportFileError("The workbook's first sheet is empty.")
    check_column_count(len(headers), max_columns)
    values, pending_blank = [], 0
    for cells in rows:
        row = []
        for cell in cells[: len(headers)]:
            if cell.data_type == "f":
                raise ImportFileError(
                    f"Cell {cell.coordinate} holds a formula ({cell.value}). Imports take values "
                    "only: copy the column and paste it as values, then upload again."
                )
            row.append(unescape_formula(cell.value))
        row += [None] * (len(headers) - len(row))
        if all(value is None or value == "" for value in row):
            pending_blank += 1
            continue
        if pending_blank:
            raise ImportFileError(
                f"Row {len(values) + 2} of the sheet is empty. Remove empty rows between rows."
            )
        if len(values) >= limit:
            raise _too_many_rows(limit)
        values.append(row)
    return build_dataset(headers, values)


#: What the admin offers, in this order (the first is the default of the export form).
FORMATS = [CSV, XLSX, TSV, JSON]
