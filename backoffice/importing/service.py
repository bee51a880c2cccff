"""Preview an import, then apply exactly that preview or nothing; record it in the history.

The library's confirm step re-runs the import with ``dry_run=False`` and then writes admin
history for every row it saw: validation errors at that point leave the valid rows written
(``rollback_on_validation_errors`` is off by default), a database error rolls the rows back
but still logs them as "added", and nothing checks that the rows are still what the staff
member previewed. ``import_apply`` runs the whole confirm in one transaction, locks the rows
it will update (PostgreSQL), compares the outcome row by row with the preview, and commits
only when every row does what the preview said; the admin history is written inside that
transaction. The ``ImportRecord`` of an applied import is written inside it too, before the
rows, so the stock ledger rows the import writes can point at it; a failed import's record is
written after the rollback (so failures are recorded too).

The admin reaches this module through the library's own hooks: its ``process_import`` view
calls our ``process_dataset``, which runs ``import_apply`` on the dataset the view has read.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, transaction

from backoffice.cache import dashboard_changed
from backoffice.figures import collecting
from backoffice.importing.formats import ImportFileError
from backoffice.importing.report import (
    ImportReport,
    build_report,
    compare_with_preview,
    describe_exception,
)
from backoffice.models import ImportRecord


@dataclass
class ImportJob:
    """One file to import into one resource, as the staff member uploaded it."""

    resource_class: type
    file_format: object  # an instance of one of backoffice.importing.formats.FORMATS
    data: bytes
    file_name: str
    user: object
    ignored_columns: frozenset = frozenset()  # export-only columns of sibling exports
    record: ImportRecord | None = None  # the applied import's record (set by import_apply)
    dataset: object = None  # the file already read (the confirm step): ``data`` is then unused
    resource_kwargs: dict = field(default_factory=dict)  # the admin's resource kwargs hook
    import_kwargs: dict = field(default_factory=dict)  # the admin's import_data kwargs hook
    progress: object = None  # a backoffice.jobs.progress.Reporter: told of every row done

    @property
    def model_label(self) -> str:
        return self.resource_class._meta.model._meta.label

    def new_report(self) -> ImportReport:
        return ImportReport(
            model_label=self.model_label,
            file_name=self.file_name,
            file_format=self.file_format.get_title(),
        )


def _read(job: ImportJob, report: ImportReport, phase: str):
    """The dataset and a resource, or None when the file itself is refused (report says why)."""
    resource = job.resource_class(track_changes=True, **job.resource_kwargs)
    resource.progress = job.progress
    dataset = job.dataset
    try:
        if dataset is None:
            dataset = job.file_format.create_dataset(
                job.data, max_columns=resource.max_columns(job.ignored_columns)
            )
    except ImportFileError as exc:
        report.problems.append(f"{job.file_name}: {exc}")
        return None, None
    report.problems += resource.check_headers(dataset.headers, also_known=job.ignored_columns)
    ignored = [h for h in dataset.headers if h in job.ignored_columns]
    if ignored:
        report.notes.append(
            "These columns are written by exports but not imported, and are ignored: "
            + ", ".join(ignored)
            + "."
        )
    if not report.problems:
        report.problems += resource.check_duplicates(dataset)
    if report.problems:
        return None, None
    if job.progress is not None:
        job.progress.phase(phase, len(dataset))
    return dataset, resource


def _run(job: ImportJob, dataset, resource, *, dry_run: bool, import_record=None):
    return resource.import_data(
        dataset,
        **{
            **job.import_kwargs,
            "dry_run": dry_run,
            "raise_errors": False,
            "use_transactions": True,
            "rollback_on_validation_errors": True,
            "retain_instance_in_row_result": True,
            "file_name": job.file_name,
            "user": job.user,
            "import_record": import_record,
        },
    )


def import_preview(job: ImportJob) -> ImportReport:
    """Run the import in a transaction that is always rolled back; report every row."""
    report = job.new_report()
    dataset, resource = _read(job, report, "validating")
    if dataset is None:
        return report
    try:
        with transaction.atomic():
            with collecting():  # kept figures: recomputed once, rolled back with the rows
                result = _run(job, dataset, resource, dry_run=True)
            transaction.set_rollback(True)
    except DatabaseError as exc:
        report.problems.append(describe_exception(exc))
        return report
    return build_report(report, resource, dataset, result)


def import_apply(
    job: ImportJob,
    preview_rows: list,
    on_applied: Callable[[object], None] | None = None,
) -> tuple[bool, ImportReport]:
    """Apply the import if it does exactly what ``preview_rows`` promised; else write nothing.

    ``on_applied(result)`` runs inside the transaction (the admin writes its history there, so
    history and data commit together or not at all).
    """
    report = job.new_report()
    dataset, resource = _read(job, report, "applying")
    if dataset is None:
        return False, report
    try:
        with transaction.atomic(), collecting():
            lock_rows(resource, dataset)
            record = _new_record(job, ImportRecord.Outcome.APPLIED)
            record.save()
            result = _run(job, dataset, resource, dry_run=False, import_record=record)
            build_report(report, resource, dataset, result)
            if report.ok:
                report.problems += compare_with_preview(preview_rows, report)
            if not report.ok:
                transaction.set_rollback(True)
                return False, report
            _fill_record(record, report)
            record.save()
            dashboard_changed()  # bulk writes send no model signals: drop the cached reads
            if on_applied is not None:
                on_applied(result)
    except DatabaseError as exc:
        report.problems.append(describe_exception(exc))
        return False, report
    job.record = record
    return True, report


def lock_rows(resource, dataset) -> None:
    """Lock the rows the file names by id, in id order, for the rest of the transaction.

    Taking every lock up front and in a fixed order means two imports (or an import and a stock
    change) wait for each other instead of deadlocking, and no row can change between being
    compared with the preview and being saved. SQLite locks the whole database on write.
    """
    if connection.vendor != "postgresql" or "id" not in (dataset.headers or []):
        return
    ids = set()
    for value in dataset["id"]:
        try:
            ids.add(int(str(value).strip()))
        except (TypeError, ValueError):
            continue  # blank or junk ids are the rows' own problem, reported by the import
    manager = resource._meta.model._base_manager
    ordered = sorted(ids)
    for start in range(0, len(ordered), 5000):
        chunk = ordered[start : start + 5000]
        list(manager.select_for_update().filter(pk__in=chunk).order_by("pk").values_list("pk"))


def record_import(job: ImportJob, report: ImportReport, outcome: str, message: str = ""):
    """One line of import history (written outside the import's transaction).

    An applied import already has its record (``import_apply`` wrote it with the rows): that
    one is returned, not a second one.
    """
    if outcome == ImportRecord.Outcome.APPLIED and job.record is not None:
        return job.record
    record = _new_record(job, outcome)
    _fill_record(record, report, message)
    record.save()
    return record


def _new_record(job: ImportJob, outcome: str) -> ImportRecord:
    return ImportRecord(
        user=job.user if getattr(job.user, "pk", None) else None,
        model_label=job.model_label,
        file_name=job.file_name[:255],
        file_format=job.file_format.get_title(),
        outcome=outcome,
    )


def _fill_record(record: ImportRecord, report: ImportReport, message: str = "") -> None:
    counts = report.counts
    record.rows_total = len(report.rows)
    record.rows_new = counts["new"]
    record.rows_updated = counts["updated"]
    record.rows_skipped = counts["unchanged"]
    record.rows_deleted = counts["deleted"]
    record.rows_invalid = counts["error"]
    record.message = message or "\n".join(report.problems)[:5000]
