"""Every kept figure from scratch, or a check of every kept figure against the source rows."""

import math
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction

from backoffice.figures.days import differing_days, rebuild_days
from backoffice.figures.kinds import KINDS

CHUNK = 20_000  # source rows per statement: progress shows, and no statement runs for minutes


@dataclass
class Difference:
    kind: str
    pk: int | str  # a row's id; for days, "<day> <status>"
    figure: str
    kept: object
    source: object

    def __str__(self):
        if self.figure == "(row)" and self.kind in ("days", "day categories"):
            return f"days {self.pk}: kept {self.kept!r}, source says {self.source!r}"
        if self.figure == "(row)":
            return f"{self.kind} {self.pk}: no kept figures"
        return (
            f"{self.kind} {self.pk}: {self.figure} kept {self.kept!r}, source says {self.source!r}"
        )


def _id_ranges(model):
    """Consecutive (low, high) id ranges of about CHUNK rows each."""
    ids = model._base_manager.order_by("pk").values_list("pk", flat=True)
    low = None
    count = 0
    for pk in ids.iterator(chunk_size=CHUNK):
        if low is None:
            low = pk
        count += 1
        high = pk
        if count == CHUNK:
            yield low, high
            low, count = None, 0
    if low is not None:
        yield low, high


def _computed(kind, low, high):
    """The source model's rows in [low, high] with the figures computed from the source."""
    definitions = kind.definitions()
    rows = (
        kind.source_model._base_manager.filter(pk__gte=low, pk__lte=high)
        .annotate(**{f"figure_{name}": expression for name, expression in definitions.items()})
        .order_by("pk")
        .values_list("pk", *[f"figure_{name}" for name in definitions])
    )
    return list(definitions), rows


def rebuild(
    progress: Callable[[str], None] | None = None, kinds=None, days: bool = True
) -> dict[str, int]:
    """Delete every kept figure and compute all of them again, in one transaction (writers
    wait for it on PostgreSQL). Returns the rows written per kind. ``kinds`` (names) and
    ``days`` limit it to some tables (a migration adding one fills only that one)."""
    written = {}
    with transaction.atomic():
        for kind in KINDS:
            if kinds is not None and kind.name not in kinds:
                continue
            table = kind.model._meta.db_table
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f'LOCK TABLE "{table}" IN EXCLUSIVE MODE')
            kind.model._base_manager.all().delete()
            total = 0
            for low, high in _id_ranges(kind.source_model):
                total += _insert_computed(kind, low, high)
                if progress:
                    progress(f"{kind.name}: {total:,} rows")
            written[kind.name] = total
        if days:
            written["days"] = rebuild_days()
            if progress:
                progress(f"days: {written['days']:,} rows")
    return written


def _insert_computed(kind, low, high) -> int:
    """INSERT … SELECT of the computed figures: one statement, no rows through Python."""
    names, rows = _computed(kind, low, high)
    sql, params = rows.query.sql_with_params()
    model = kind.model
    quote = connection.ops.quote_name
    columns = [model._meta.pk.column] + [model._meta.get_field(n).column for n in names]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) {sql}",
            params,
        )
        return cursor.rowcount


def check(progress: Callable[[str], None] | None = None, limit: int = 100) -> list[Difference]:
    """Every kept figure that differs from the source rows (at most ``limit``), and every row
    without its kept figures."""
    differences: list[Difference] = []
    for kind in KINDS:
        checked = 0
        for low, high in _id_ranges(kind.source_model):
            names, rows = _computed(kind, low, high)
            kept = {
                row[0]: row[1:]
                for row in kind.model._base_manager.filter(pk__gte=low, pk__lte=high).values_list(
                    "pk", *names
                )
            }
            for pk, *source in rows:
                if pk not in kept:
                    differences.append(Difference(kind.name, pk, "(row)", None, None))
                    continue
                for name, kept_value, source_value in zip(names, kept[pk], source, strict=True):
                    if not _same(kept_value, source_value):
                        differences.append(
                            Difference(kind.name, pk, name, kept_value, source_value)
                        )
                if len(differences) >= limit:
                    return differences
            checked += len(kept)
            if progress:
                progress(f"{kind.name}: {checked:,} rows checked")
    for kind, label, figure, kept_value, source_value in differing_days():
        differences.append(Difference(kind, label, figure, kept_value, source_value))
        if len(differences) >= limit:
            break
    if progress:
        progress("days: checked")
    return differences


def _same(kept, source) -> bool:
    if isinstance(kept, float) or isinstance(source, float):
        if kept is None or source is None:
            return kept is source
        return math.isclose(kept, source, rel_tol=1e-9, abs_tol=1e-9)
    return kept == source
