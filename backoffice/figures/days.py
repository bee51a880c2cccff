"""Keep ``DaySales`` (per UTC day and status) and ``DayCategorySales`` (per UTC day and
category) in step with the orders and their lines.

A day's rows are recomputed whole from the source (``day_sales_from_source``): deleted and
written again in the caller's transaction. On PostgreSQL each day is first locked with a
transaction-level advisory lock, in day order (a day's rows may not exist yet, so there is no
row to ``SELECT … FOR UPDATE``): a second writer of the same day waits, then recomputes in a new
statement that sees the first writer's committed rows, so neither loses the other's update.
"""

from django.db import connection

from backoffice.querysets.days import (
    DAY_CATEGORY_SALES_FIGURES,
    DAY_SALES_FIGURES,
    DAYS_PER_STATEMENT,
    day_category_sales_from_source,
    day_sales_from_source,
)

# The advisory lock space of day sales (the other key is the day's ordinal).
DAY_LOCK_SPACE = 0x0DA1


def _models():
    from backoffice.models import DayCategorySales, DaySales

    # each table with its source definition and the field that completes its key
    return (
        (DaySales, day_sales_from_source, "status", DAY_SALES_FIGURES),
        (
            DayCategorySales,
            day_category_sales_from_source,
            "category_id",
            DAY_CATEGORY_SALES_FIGURES,
        ),
    )


def refresh_days(days) -> None:
    days = sorted({day for day in days if day is not None})
    for start in range(0, len(days), DAYS_PER_STATEMENT):
        chunk = days[start : start + DAYS_PER_STATEMENT]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, d) "
                    "FROM (SELECT unnest(%s::int[]) AS d ORDER BY d) AS days",
                    [DAY_LOCK_SPACE, [day.toordinal() for day in chunk]],
                )
        for model, from_source, key, _ in _models():
            model._base_manager.filter(day__in=chunk).delete()
            model._base_manager.bulk_create(_rows(model, key, from_source(chunk)))


def _rows(model, key: str, figures) -> list:
    return [
        model(day=day, **{key: other}, **values) for (day, other), values in sorted(figures.items())
    ]


def rebuild_days() -> int:
    """Every day from scratch (the caller holds the transaction). Returns the day-and-status
    rows written (``DaySales``)."""
    written = 0
    for model, from_source, key, _ in _models():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f'LOCK TABLE "{model._meta.db_table}" IN EXCLUSIVE MODE')
        model._base_manager.all().delete()
        rows = _rows(model, key, from_source())
        model._base_manager.bulk_create(rows, batch_size=2_000)
        written = written or len(rows)
    return written


def differing_days() -> list[tuple[str, str, object, object]]:
    """(kind, "day status" or "day category <id>", figure, kept, source) for every kept day
    figure that differs from the source rows, and every row missing or left over ("(row)")."""
    differences = []
    for model, from_source, key, names in _models():
        source = from_source()
        kept = {
            (row.day, getattr(row, key)): {name: getattr(row, name) for name in names}
            for row in model._base_manager.all()
        }
        kind = "days" if key == "status" else "day categories"
        for pair in sorted(set(source) | set(kept)):
            label = f"{pair[0]} {pair[1]}" if key == "status" else f"{pair[0]} category {pair[1]}"
            if pair not in kept or pair not in source:
                differences.append((kind, label, "(row)", kept.get(pair), source.get(pair)))
                continue
            for name in names:
                if kept[pair][name] != source[pair][name]:
                    differences.append((kind, label, name, kept[pair][name], source[pair][name]))
    return differences
