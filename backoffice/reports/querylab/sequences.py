"""Lab runs leave PostgreSQL's id sequences where they were.

Every lab example runs in a transaction that is rolled back, but a sequence is not
transactional: an example that creates 1,000 products (the guide's ``bulk_create``) would move
the product ids on by 1,000 for good, and the next product staff add would get id 1,011 instead
of 11. After a run, each sequence the run moved is set back with Django's own
``sequence_reset_sql`` (the next id is the next free one, as after an import).

The reset can only look at committed rows: an insert another session makes *during* a lab run
and commits later could be handed the same id again and be refused (a loud unique-key error,
never a silent overwrite). Lab runs last milliseconds and are an analyst's tool, so the window
is small; ids are never reused across committed rows.
"""

from contextlib import contextmanager

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection


def _models_with_sequences() -> list:
    return [
        model
        for model in apps.get_models()
        if model._meta.managed
        and not model._meta.proxy
        and model._meta.pk.get_internal_type() in {"AutoField", "BigAutoField", "SmallAutoField"}
    ]


def _sequence_values() -> dict[str, int | None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences")
        return dict(cursor.fetchall())


def _sequence_of(models) -> dict[str, type]:
    """Each model's sequence, named as ``pg_sequences`` names it (schema.name)."""
    tables = [(m._meta.db_table, m._meta.pk.column) for m in models]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_serial_sequence(quote_ident(t), c) FROM unnest(%s::text[], %s::text[])"
            " AS v(t, c)",
            [[t for t, _ in tables], [c for _, c in tables]],
        )
        names = [row[0] for row in cursor.fetchall()]
    return {name.replace('"', ""): model for name, model in zip(names, models, strict=True) if name}


@contextmanager
def sequences_kept():
    """Run the block, then put back every id sequence it moved (PostgreSQL; elsewhere a
    rolled-back insert costs no id: SQLite's AUTOINCREMENT rolls back with the transaction)."""
    if connection.vendor != "postgresql":
        yield
        return
    models = _models_with_sequences()
    sequences = _sequence_of(models)
    before = _sequence_values()
    try:
        yield
    finally:
        after = _sequence_values()
        moved = [model for name, model in sequences.items() if after.get(name) != before.get(name)]
        if moved:
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), moved):
                    cursor.execute(sql)
