"""Large imports: the same resources in bulk mode, where that is safe.

The library's default import does, per row: a savepoint, a query to find the row's object, a
query per foreign key, a deep copy and an HTML diff, ``full_clean`` (a query per unique field,
per check constraint and per foreign key) and a save. ``import_in_bulk`` keeps the
file-level checks and the per-row model validation (field validators and ``clean()``) and
batches everything else:

* the rows' existing objects are loaded a few thousand ids per query (``ChunkedInstanceLoader``,
  not the library's ``CachedInstanceLoader``: that one sends every id of the file in one
  ``IN`` list, past SQLite's limit of bound variables and a statement of megabytes on
  PostgreSQL for a file of 300,000 order lines, and a junk id in the file raises there instead
  of being that row's own error);
* foreign keys are looked up in batches before the rows run (``KeyResolver.prime``), and their
  existence is therefore not checked again per row;
* rows are written with ``bulk_create`` / ``bulk_update`` of the file's columns, a batch at a
  time, in one transaction: any failure (a row error, or the database refusing a batch for a
  unique or check constraint it enforces) rolls back the whole file;
* no diffs and no preview: this is for files already known to be right (benchmarks, scripted
  loads), not for the admin, whose preview needs the per-row path.

Bulk mode is refused where it isn't safe: many-to-many columns (tags) need a saved object per
row, and user accounts need their per-row checks. The import rules of the shop
(``row_rules``: order status, totals, lines) run per row in bulk mode too; a row that would
change a column kept by a ledger (a product's stock) is refused in bulk mode, since
``bulk_update`` can't write its log row (import such files per row).

Kept although nothing but tests and benchmarks call it yet: it is the import path that holds at
the shop's size (benchmarks/import.py holds it to five times the library's rate and 5,000
order lines a second), held to the same rules as the admin (tests/importing/test_rules.py), and the one the
coming background imports and ``import_file`` command (docs/design.md) are to call for big files.
"""

from dataclasses import dataclass, field

from django.db import DatabaseError, transaction
from django.utils import timezone
from import_export.instance_loaders import ModelInstanceLoader
from import_export.results import Result
from import_export.widgets import ManyToManyWidget

from backoffice.importing.keys import ReadableKeyField, _is_id
from backoffice.importing.report import describe_exception

CHUNK = 5000


class BulkImportRefused(ValueError):
    pass


class ChunkedInstanceLoader(ModelInstanceLoader):
    """The objects named by the file's ``id`` column, loaded ``CHUNK`` ids per query."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        self.by_pk = {}
        if dataset is None or "id" not in (dataset.headers or []):
            return
        ids = sorted({int(v) for v in dataset["id"] if v not in (None, "") and _is_id(v)})
        queryset = self.get_queryset()
        for start in range(0, len(ids), CHUNK):
            for obj in queryset.filter(pk__in=ids[start : start + CHUNK]):
                self.by_pk[obj.pk] = obj

    def get_instance(self, row):
        value = row.get("id")
        return self.by_pk.get(int(value)) if _is_id(value) else None


class LeanResult(Result):
    """Counts every row but keeps only one row result (the library's sequence reset looks for
    a new row); errors are kept in ``invalid_rows`` / ``error_rows`` as usual. A result that
    kept 300,000 row objects would be most of the import's memory."""

    def append_row_result(self, row_result):
        if not self.rows or (row_result.is_new() and not self.rows[0].is_new()):
            self.rows[:] = [row_result]


def bulk_resource(resource_class):
    """``resource_class`` in bulk mode (a subclass; the original is unchanged)."""

    class Bulk(resource_class):
        class Meta(resource_class.Meta):
            use_bulk = True
            batch_size = 2000
            skip_diff = True
            skip_unchanged = False  # needs the diff's copy of each row
            report_skipped = False
            instance_loader_class = ChunkedInstanceLoader

        # field validators and clean() per row; uniqueness and check constraints are the
        # database's in bulk (a violation refuses the whole file)
        validate_in_database = False

        @classmethod
        def get_result_class(cls):
            return LeanResult

        def before_import(self, dataset, **kwargs):
            super().before_import(dataset, **kwargs)
            self._headers = list(dataset.headers)
            self._restore = []
            for key in self.fields.values():
                if (
                    isinstance(key, ReadableKeyField)
                    and key.role == "id"
                    and key.id_column in self._headers
                ):
                    key.resolver.prime(v for v in dataset[key.id_column] if _is_id(v))

        def row_rules(self, instance, stored):
            # bulk_update writes columns as they are: one kept by a ledger (stock) would
            # change without its log row, so bulk mode refuses to change it
            problems = list(super().row_rules(instance, stored))
            for name in getattr(self, "ledger_fields", ()) if stored is not None else ():
                if getattr(instance, name) != stored[name]:
                    problems.append(
                        (
                            name,
                            f"Bulk mode can't change {self.column_for_attribute(name)} of an "
                            "existing row: it changes only through the stock ledger. Import "
                            "this file on the admin's Import page (per row).",
                        )
                    )
            return problems

        def get_bulk_update_fields(self):
            return self._row_state.get("update_fields") or []

        def before_save_instance(self, instance, row, **kwargs):
            super().before_save_instance(instance, row, **kwargs)
            now = timezone.now()
            for model_field in instance._meta.concrete_fields:
                if getattr(model_field, "auto_now", False):
                    setattr(instance, model_field.attname, now)  # bulk_update doesn't stamp it

        def after_save_instance(self, instance, row, **kwargs):
            super().after_save_instance(instance, row, **kwargs)
            values = {
                name: self.fields[name].clean(row)
                for name in self.preserved_timestamps
                if row.get(name) not in (None, "")
            }
            if values:  # bulk_create/bulk_update stamp auto_now later: put these back after
                self._restore.append((instance, values))

        def after_import(self, dataset, result, **kwargs):
            super().after_import(dataset, result, **kwargs)
            if not self._restore or kwargs.get("dry_run"):
                return
            for instance, values in self._restore:
                for name, value in values.items():
                    setattr(instance, name, value)
            names = sorted({name for _, values in self._restore for name in values})
            self._meta.model._default_manager.bulk_update(
                [instance for instance, _ in self._restore], names, batch_size=2000
            )

    Bulk.__name__ = Bulk.__qualname__ = f"Bulk{resource_class.__name__}"
    return Bulk


@dataclass
class BulkOutcome:
    applied: bool
    totals: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def import_in_bulk(resource_class, file_format, data: bytes, max_rows=None) -> BulkOutcome:
    """Import a whole file in bulk mode, all or nothing (no row limit unless given)."""
    resource = bulk_resource(resource_class)()
    dataset = file_format.create_dataset(
        data, max_rows=max_rows, max_columns=resource.max_columns()
    )
    m2m = [
        f.column_name
        for f in resource.importable_fields()
        if isinstance(f.widget, ManyToManyWidget) and f.column_name in dataset.headers
    ]
    if m2m or not getattr(resource_class, "bulk_safe", True):
        raise BulkImportRefused(
            f"Bulk mode can't import {', '.join(m2m) or resource_class.__name__}: "
            "use the admin's Import page (per row)."
        )
    problems = resource.check_headers(dataset.headers) or resource.check_duplicates(dataset)
    if problems:
        return BulkOutcome(False, problems=problems)
    try:
        with transaction.atomic():
            result = resource.import_data(
                dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True
            )
            problems = _problems(resource, result)
            if problems:
                transaction.set_rollback(True)
    except DatabaseError as exc:
        return BulkOutcome(False, problems=[describe_exception(exc)])
    return BulkOutcome(not problems, dict(result.totals), problems)


def _problems(resource, result) -> list[str]:
    problems = [describe_exception(error.error) for error in result.base_errors]
    for row in result.invalid_rows:
        for attribute, messages in row.error_dict.items():
            column = resource.column_for_attribute(attribute)
            problems += [f"Line {row.number + 1}, {column}: {m}" for m in messages]
    for row in result.error_rows:
        problems += [f"Line {row.number + 1}: {describe_exception(e.error)}" for e in row.errors]
    return problems
