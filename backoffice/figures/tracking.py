"""Which kept figures a write touched, and when they are recomputed.

Every write path reports the product, order and customer ids it affects through ``touched()``:
model signals for saves and deletes (``backoffice.figures.signals``), ``KeptFiguresQuerySet``
for ``update``/``bulk_create``/``bulk_update``, and the few services that write link tables
directly. Inside ``collecting()`` the ids are gathered and recomputed once when the outermost
block ends, in its transaction (a bulk action or an import then costs a few statements, not a
few per row); outside one they are recomputed at once.
"""

import contextlib
from contextvars import ContextVar

from django.db import models, transaction

_collector: ContextVar[dict | None] = ContextVar("kept_figures_collector", default=None)
# Rows being deleted right now (a cascade sends its signals row by row): never given figures.
_deleting: ContextVar[dict | None] = ContextVar("kept_figures_deleting", default=None)

KIND_NAMES = ("products", "orders", "customers", "categories", "suppliers", "reviews", "days")


def _empty() -> dict[str, set]:
    return {name: set() for name in KIND_NAMES}


def touched(
    *, products=(), orders=(), customers=(), categories=(), suppliers=(), reviews=(), days=()
) -> None:
    """Report ids whose figures a write moved (and UTC days whose day sales it moved beyond
    those of the orders named; categories and suppliers beyond those of the products named):
    gathered inside ``collecting()``, else recomputed now."""
    ids = {
        "products": products,
        "orders": orders,
        "customers": customers,
        "categories": categories,
        "suppliers": suppliers,
        "reviews": reviews,
        "days": days,
    }
    collector = _collector.get()
    if collector is not None:
        for name, values in ids.items():
            collector[name].update(values)
        return
    if any(ids.values()):
        from backoffice.figures.keeping import refresh

        refresh(**ids, skip=_deleting.get())


@contextlib.contextmanager
def collecting():
    """Gather every touched id in this block; recompute them at its end, in its transaction.
    Nested blocks join the outermost one."""
    if _collector.get() is not None:
        yield
        return
    collector = _empty()
    token = _collector.set(collector)
    try:
        with transaction.atomic():
            yield
            _flush(collector)
    finally:
        _collector.reset(token)


def _flush(collector) -> None:
    from backoffice.figures.keeping import refresh

    # recomputing may itself touch nothing more, but stay safe: loop until nothing is left
    while any(collector.values()):
        pending = {name: set(ids) for name, ids in collector.items()}
        for ids in collector.values():
            ids.clear()
        refresh(**pending, skip=_deleting.get())


def mark_deleting(kind: str, pk) -> None:
    """From ``pre_delete``: ``pk`` is on its way out; its cascade's signals must not give it
    figures again (``unmark_deleting`` from its ``post_delete``)."""
    current = _deleting.get()
    if current is None:
        current = _empty()
        _deleting.set(current)
    current[kind].add(pk)


def unmark_deleting(kind: str, pk) -> None:
    current = _deleting.get()
    if current is not None:
        current[kind].discard(pk)


class KeptFiguresQuerySet(models.QuerySet):
    """A QuerySet whose set-based writes report the figures they move.

    ``figure_keys(rows)`` (each model's QuerySet defines it) takes an iterable of objects or of
    value dicts and returns the ids ``touched()`` takes. ``figure_key_fields`` are the columns
    it reads. ``update`` reads the keys of the rows before and after (a row may move to another
    product or customer); ``bulk_create``/``bulk_update`` read them off the objects.
    """

    figure_key_fields: tuple[str, ...] = ()
    # False for products and customers: their figures don't follow their own columns, only
    # their creation gives them a figures row (Django's ``bulk_update`` goes through ``update``).
    figures_follow_updates = True

    def figure_keys(self, rows) -> dict:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def _keys_of_rows(self, queryset) -> dict:
        return self.figure_keys(queryset.values(*self.figure_key_fields))

    def update(self, **kwargs):
        if not self.figures_follow_updates:
            return super().update(**kwargs)
        pks = list(self.values_list("pk", flat=True))
        if not pks:
            return 0
        before = self._keys_of_rows(self.model._base_manager.filter(pk__in=pks))
        count = super().update(**kwargs)
        after = self._keys_of_rows(self.model._base_manager.filter(pk__in=pks))
        touched(**_union(before, after))
        return count

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        touched(**self.figure_keys(created))
        return created


def _union(*key_sets) -> dict:
    merged = _empty()
    for keys in key_sets:
        for name, ids in keys.items():
            merged[name].update(ids)
    return merged


def value(row, name):
    """A field of an object or of a ``values()`` dict."""
    return row[name] if isinstance(row, dict) else getattr(row, name)
