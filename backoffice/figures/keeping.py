"""Recompute the kept figures of given rows, in the caller's transaction."""

from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from backoffice.figures.kinds import KINDS

CHUNK = 2_000  # ids per statement: PostgreSQL and SQLite both take this many parameters


def refresh(*, products=(), orders=(), customers=(), skip=None) -> None:
    """Recompute the figures of these product, order and customer ids from the source rows.

    Ids whose row no longer exists (or is being deleted: ``skip`` maps a kind's name to ids)
    are left out; a row without its figures row gets one. On PostgreSQL the figure rows are
    locked in id order before they are recomputed: the recompute is a new statement, so it sees
    every write committed by a writer that held those locks before us.
    """
    wanted = {"products": products, "orders": orders, "customers": customers}
    skip = skip or {}
    with transaction.atomic(savepoint=False):  # all or nothing with the caller's writes
        for kind in KINDS:
            ids = sorted(
                {pk for pk in wanted[kind.name] if pk is not None} - set(skip.get(kind.name, ()))
            )
            for start in range(0, len(ids), CHUNK):
                _refresh_chunk(kind, ids[start : start + CHUNK])


def _refresh_chunk(kind, ids) -> None:
    figures = kind.model._base_manager
    has_figures = Exists(figures.filter(pk=OuterRef("pk")))
    existing = dict(
        kind.source_model._base_manager.filter(pk__in=ids)
        .annotate(has_figures=has_figures)
        .values_list("pk", "has_figures")
    )
    if not existing:
        return
    missing = [kind.model(pk=pk) for pk, kept in existing.items() if not kept]
    if missing:
        figures.bulk_create(missing, ignore_conflicts=True)
    rows = figures.filter(pk__in=list(existing))
    if connection.features.has_select_for_update:
        list(rows.select_for_update().order_by("pk").values_list("pk", flat=True))
    rows.update(**kind.definitions())
