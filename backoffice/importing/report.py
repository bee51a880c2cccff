"""What an import did or would do, row by row, in words a staff member understands.

The library's result holds HTML diffs of every column and errors keyed by model attribute
(``category``, ``__all__``); the admin template shows exception class names. ``ImportReport``
says per row: new / updated / unchanged / error, the columns that change (from -> to, tags
included), and each problem as line, column, value and message. Lines count as in a
spreadsheet: the header is line 1, the first row line 2.

A report is also the yardstick of the confirm step: ``ImportReport.comparable()`` is what the
preview promised, and the confirm only commits if it does exactly that again.
"""

from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS
from django.db import DatabaseError

KIND_BY_IMPORT_TYPE = {
    "new": "new",
    "update": "updated",
    "skip": "unchanged",
    "delete": "deleted",
    "error": "error",
    "invalid": "error",
}


@dataclass
class RowProblem:
    column: str  # "" for the whole row
    value: str
    message: str


@dataclass
class RowReport:
    line: int
    kind: str
    object_id: str = ""
    object_repr: str = ""
    before: dict = field(default_factory=dict)
    after: dict = field(default_factory=dict)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def changes(self) -> list[tuple[str, str, str]]:
        """(column, before, after) for each column this row changes."""
        return [
            (column, self.before.get(column, ""), value)
            for column, value in self.after.items()
            if self.kind == "new" or self.before.get(column, "") != value
        ]

    def comparable(self) -> list:
        """The row's promise: what it does to which object, from which values to which."""
        object_id = "" if self.kind == "new" else self.object_id
        return [self.line, self.kind, object_id, self.before, self.after]


@dataclass
class ImportReport:
    model_label: str
    file_name: str
    file_format: str
    rows: list[RowReport] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and not any(row.kind == "error" for row in self.rows)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(["new", "updated", "unchanged", "deleted", "error"], 0)
        for row in self.rows:
            counts[row.kind] += 1
        return counts

    @property
    def error_rows(self) -> list[RowReport]:
        return [row for row in self.rows if row.kind == "error"]

    @property
    def changed_rows(self) -> list[RowReport]:
        return [row for row in self.rows if row.kind in ("new", "updated", "deleted")]

    def comparable(self) -> list:
        return [row.comparable() for row in self.rows]


def build_report(report: ImportReport, resource, dataset, result) -> ImportReport:
    """Fill ``report`` from a library ``Result`` of ``resource`` importing ``dataset``."""
    report.problems.extend(describe_exception(error.error) for error in result.base_errors)
    report.notes.extend(getattr(resource, "import_notes", []))
    invalid = {row.number: row for row in result.invalid_rows}
    errors = {row.number: row for row in result.error_rows}
    for number, row_result in enumerate(result.rows, 1):
        values = dict(zip(dataset.headers, dataset[number - 1], strict=True))
        row = RowReport(
            line=number + 1,
            kind=KIND_BY_IMPORT_TYPE.get(row_result.import_type, "error"),
            object_id="" if row_result.object_id is None else str(row_result.object_id),
            object_repr=row_result.object_repr or "",
            before=getattr(row_result, "before", {}),
            after=getattr(row_result, "after", {}),
        )
        if number in invalid:
            row.problems = _validation_problems(resource, values, invalid[number])
        if number in errors:
            row.problems += [
                RowProblem("", "", describe_exception(error.error))
                for error in errors[number].errors
            ]
        report.rows.append(row)
    return report


def _validation_problems(resource, values: dict, invalid_row) -> list[RowProblem]:
    problems = []
    for attribute, messages in invalid_row.error_dict.items():
        column = "" if attribute == NON_FIELD_ERRORS else resource.column_for_attribute(attribute)
        if column and column not in values:
            # the error is about a field the file doesn't set (a required column left out)
            messages = [f"{m} (the file has no {column!r} column)" for m in messages]
        value = values.get(column)
        for message in messages:
            problems.append(RowProblem(column, "" if value is None else str(value), message))
    return problems


def describe_exception(error) -> str:
    """An exception as a sentence: database refusals are named as such, never as a class."""
    if isinstance(error, DatabaseError):
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        return f"The database refused this change: {first_line}"
    message = str(error).strip()
    if isinstance(error, KeyError):
        message = message.strip("'\"")
    return message or type(error).__name__


def compare_with_preview(preview_rows: list, report: ImportReport) -> list[str]:
    """Sentences for each row whose outcome differs from what the preview showed."""
    now = report.comparable()
    if len(now) != len(preview_rows):
        return ["The file no longer has the rows that were previewed."]
    differences = []
    for promised, actual in zip(preview_rows, now, strict=True):
        if promised == actual:
            continue
        line, kind, _, before, after = actual
        _, promised_kind, _, promised_before, promised_after = promised
        if kind != promised_kind:
            differences.append(
                f"Line {line}: the preview said {promised_kind!r}, now it would be {kind!r}."
            )
            continue
        columns = sorted(
            c
            for c in set(before) | set(promised_before) | set(after) | set(promised_after)
            if before.get(c) != promised_before.get(c) or after.get(c) != promised_after.get(c)
        )
        details = "; ".join(
            f"{c} was {promised_before.get(c, '')!r} at the preview and is "
            f"{before.get(c, '')!r} now"
            for c in columns
        )
        differences.append(f"Line {line} changed since the preview: {details}.")
    return differences
