"""Run a Query Lab entry: capture its SQL, count and time its queries, explain its plan.

Every run happens inside a transaction that is always rolled back, so no entry, not even the
guide's create/update/delete examples, can change the shop's data.
"""

import re
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import get_hashers
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import connection, models, transaction
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from backoffice.reports.querylab.registry import LabEntry
from backoffice.reports.querylab.sequences import sequences_kept

MAX_ROWS = 50

# The renderer's safety net under the entries' own care: whatever an entry returns, these never
# reach the page (a column or key with one of these names, a password hash, a session).
HIDDEN_NAMES = {"password", "session_key", "session_data"}
HIDDEN = "(hidden)"
STAFF_HIDDEN = "(hidden: staff account)"
DJANGO_HASH_ALGORITHMS = {
    "pbkdf2_sha256",
    "pbkdf2_sha1",
    "argon2",
    "bcrypt_sha256",
    "bcrypt",
    "scrypt",
    "md5",
    "sha1",
    "unsalted_md5",
    "unsalted_sha1",
    "crypt",
}


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
        elif items and all(isinstance(item, AbstractBaseSession) for item in items):
            columns, rows = ["session"], [[HIDDEN] for _ in items]  # a session's key is its pk
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


def password_hash_pattern() -> re.Pattern:
    """A value that starts like a hash of any configured hasher (``pbkdf2_sha256$…``)."""
    # the configured hashers, and Django's others: a row may hold a hash made under old settings
    names = {hasher.algorithm for hasher in get_hashers()} | DJANGO_HASH_ALGORITHMS
    algorithms = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    return re.compile(rf"(^|\W)({algorithms})\$", re.IGNORECASE)


def staff_contact_data() -> set[str]:
    """Staff and superusers' e-mails, phones and addresses (one query): never shown."""
    staff = get_user_model().objects.filter(Q(is_staff=True) | Q(is_superuser=True))
    values = set()
    for row in staff.values_list("email", "customer__phone", "customer__address"):
        values.update(value for value in row if value)
    return values


def redact(table: Table, protected: set[str]) -> Table:
    """Blank out secrets: hidden columns/keys, password hashes, sessions, staff contact data."""
    hashes = password_hash_pattern()
    hidden_columns = {
        i for i, name in enumerate(table.columns) if str(name).lower() in HIDDEN_NAMES
    }
    is_key_value = table.columns == ["key", "value"]
    for row in table.rows:
        hide_row_value = is_key_value and str(row[0]).lower() in HIDDEN_NAMES
        for i, cell in enumerate(row):
            if (
                i in hidden_columns
                or (hide_row_value and i == 1)
                or isinstance(cell, AbstractBaseSession)
            ):
                row[i] = HIDDEN
            elif isinstance(cell, (str, list, tuple, dict, models.Model)):
                text = cell if isinstance(cell, str) else str(cell)
                if hashes.search(text):
                    row[i] = HIDDEN
                elif any(value in text for value in protected):
                    row[i] = STAFF_HIDDEN
    return table


def display(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def run_variant(label: str, code: str, function, protected: set[str] = frozenset()) -> VariantRun:
    run = VariantRun(label=label, code=code)
    with CaptureQueriesContext(connection) as captured:
        try:
            with transaction.atomic():
                started = time.perf_counter()
                result = function()
                run.elapsed_ms = (time.perf_counter() - started) * 1000
                run.result = redact(as_table(result), protected)
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
    protected = staff_contact_data()  # read before the capture: not the example's query
    with sequences_kept():
        return _run_entry(entry, protected, explain=explain, analyze=analyze)


def _run_entry(entry: LabEntry, protected, *, explain: bool, analyze: bool) -> EntryRun:
    variants = [run_variant(v.label, v.code, v.function, protected) for v in entry.variants]
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
