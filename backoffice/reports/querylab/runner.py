"""Run a Query Lab entry: capture its SQL, count and time its queries, explain its plan.

Every run happens inside a transaction that is always rolled back, so no entry, not even the
guide's create/update/delete examples, can change the shop's data.
"""

import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.test.utils import CaptureQueriesContext

from backoffice.reports.querylab.registry import LabEntry

MAX_ROWS = 50


@dataclass
class Table:
    columns: list[str]
    rows: list[list[Any]]
    total_rows: int


@dataclass
class VariantRun:
    label: str
    code: str
    queries: list[str] = field(default_factory=list)
    elapsed_ms: float = 0.0
    result: Table | None = None
    error: str = ""

    @property
    def query_count(self) -> int:
        return len(self.queries)


@dataclass
class EntryRun:
    entry: LabEntry
    variants: list[VariantRun]
    explain: str = ""
    explain_error: str = ""
    skipped: str = ""


def as_table(value: Any) -> Table:
    """Turn whatever an example returns into columns and rows for the page."""
    if isinstance(value, models.QuerySet):
        value = list(value if value.query.is_sliced else value[: MAX_ROWS + 1])
    if isinstance(value, models.Model):
        value = [value]
    if isinstance(value, dict):
        rows = [[key, item] for key, item in value.items()]
        return Table(["key", "value"], rows, len(rows))
    if isinstance(value, (list, tuple)):
        items = list(value)
        if items and all(isinstance(item, dict) for item in items):
            columns = list(dict.fromkeys(key for item in items for key in item))
            rows = [[item.get(c) for c in columns] for item in items]
        elif items and all(isinstance(item, models.Model) for item in items):
            columns = ["id", "object", *model_extra_columns(items[0])]
            rows = [
                [item.pk, str(item), *[getattr(item, c, None) for c in columns[2:]]]
                for item in items
            ]
        elif items and all(isinstance(item, (list, tuple)) for item in items):
            columns = [f"column {i + 1}" for i in range(max(len(item) for item in items))]
            rows = [list(item) for item in items]
        else:
            columns, rows = ["value"], [[item] for item in items]
        return Table(columns, rows[:MAX_ROWS], len(rows))
    return Table(["value"], [[value]], 1)


def model_extra_columns(instance: models.Model) -> list[str]:
    """Annotations added by the query (they are not model fields)."""
    field_names = {f.attname for f in instance._meta.concrete_fields}
    return [
        name
        for name in vars(instance)
        if not name.startswith("_") and name not in field_names and name != "id"
    ]


def display(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def run_variant(label: str, code: str, function) -> VariantRun:
    run = VariantRun(label=label, code=code)
    with CaptureQueriesContext(connection) as captured:
        try:
            with transaction.atomic():
                started = time.perf_counter()
                run.result = as_table(function())
                run.elapsed_ms = (time.perf_counter() - started) * 1000
                transaction.set_rollback(True)
        except Exception as exc:  # an example that fails shows why; the lab stays up
            run.error = f"{type(exc).__name__}: {exc}"
    run.queries = [
        query["sql"]
        for query in captured.captured_queries
        # a statement Django refused to send (e.g. in a broken transaction) is logged with no SQL
        if query["sql"] and not is_savepoint(query)
    ]
    return run


def is_savepoint(query: dict) -> bool:
    """Transaction bookkeeping (the lab's own rollback), not the example's SQL."""
    return query["sql"].split(" ", 1)[0].upper() in {
        "BEGIN",
        "COMMIT",
        "SAVEPOINT",
        "RELEASE",
        "ROLLBACK",
    }


def run_entry(entry: LabEntry, *, explain: bool = True, analyze: bool = False) -> EntryRun:
    if entry.postgres_only and connection.vendor != "postgresql":
        return EntryRun(
            entry,
            [],
            skipped=f"This example needs PostgreSQL; this database is {connection.vendor}.",
        )
    variants = [run_variant(v.label, v.code, v.function) for v in entry.variants]
    result = EntryRun(entry, variants)
    if explain and entry.explain is not None:
        try:
            with transaction.atomic():
                options = {"analyze": True} if analyze and connection.vendor == "postgresql" else {}
                result.explain = entry.explain().explain(**options)
                transaction.set_rollback(True)
        except Exception as exc:
            result.explain_error = f"{type(exc).__name__}: {exc}"
    return result
