"""The import job: upload, preview on a worker, confirm, apply on a worker, all or nothing.

The steps and rules are the admin's import of before (``backoffice.importing.service``: strict
parsing, the preview as the promise, apply exactly that or nothing, the import history); what
changes is where they run. The upload returns at once with a job; a task worker previews the
file and the job page shows the outcome; staff confirm there, and a worker applies it. The
request never holds the work, so the size of a file is bounded by the settings, not by a
request's timeout.

A worker killed in the middle of an apply leaves nothing of the file applied (its transaction
never commits); its job stops beating (``progress.Heartbeat``) and is shown failed, with a
"Run again" (``fail_dead_jobs``, ``run_again``).
"""

import contextlib
import csv
import io
import json
import logging
import zlib
from array import array

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from import_export.signals import post_import

from backoffice.cache import dashboard_changed
from backoffice.figures import collecting
from backoffice.importing import chunked
from backoffice.importing.formats import FORMATS, ImportFileError
from backoffice.importing.report import ImportReport, RowProblem, RowReport, describe_exception
from backoffice.importing.uploads import InvalidToken, PrivateImportStorage
from backoffice.jobs import progress
from backoffice.jobs.exports import run_export
from backoffice.jobs.progress import Heartbeat, JobCancelled, Reporter
from backoffice.jobs.tasks_api import task
from backoffice.models import DataJob, ImportRecord
from backoffice.services.inventory import StockError

logger = logging.getLogger(__name__)

# what the job page shows of a preview; the whole list of problems is the error report (CSV)
SHOWN_PROBLEMS = 50
SHOWN_CHANGES = 20
ERROR_REPORT_HEADER = ["line", "column", "value", "problem"]

Status = DataJob.Status


# --- starting, confirming, cancelling ------------------------------------------------------


def start_import(
    *,
    user,
    page_label: str,
    resource_class,
    format_index: int,
    file_name: str,
    data: bytes,
    ignored_columns=frozenset(),
    queue: bool = True,
) -> DataJob:
    """Keep the upload privately and queue its preview (``queue=False``: the caller runs it,
    as ``import_file`` does); returns the job at once."""
    file_format = FORMATS[format_index]()
    token = PrivateImportStorage().save(
        data,
        {
            "user_id": getattr(user, "pk", None),
            "model_label": page_label,
            "file_name": file_name,
            "format_title": file_format.get_title(),
            "format": format_index,
        },
    )
    job = DataJob.objects.create(
        kind=DataJob.Kind.IMPORT,
        step=DataJob.Step.PREVIEW,
        user=user,
        page_label=page_label,
        model_label=resource_class._meta.model._meta.label,
        resource_path=f"{resource_class.__module__}.{resource_class.__qualname__}",
        resource_name=resource_class.get_display_name(),
        file_name=file_name[:255],
        format_index=format_index,
        file_format=file_format.get_title(),
        file_token=token,
        options={"ignored_columns": sorted(ignored_columns)},
    )
    if queue:
        enqueue(job)
    return job


def confirm_import(job: DataJob, apply_mode: str = DataJob.ApplyMode.ALL_OR_NOTHING) -> DataJob:
    """Queue the apply of a previewed import (the caller checked who may)."""
    if claim_apply(job, apply_mode):
        enqueue(job)
        job.refresh_from_db()
    return job


def claim_apply(job: DataJob, apply_mode: str) -> bool:
    """Move a previewed import to its queued apply, once (a second confirm finds it moved)."""
    claimed = DataJob.objects.filter(pk=job.pk, status=Status.PREVIEWED).update(
        step=DataJob.Step.APPLY, status=Status.QUEUED, apply_mode=apply_mode, message=""
    )
    job.refresh_from_db()
    return bool(claimed)


def run_again(job: DataJob) -> DataJob:
    """Queue a failed apply again (its upload and preview are still kept)."""
    if job.status == Status.FAILED and job.step == DataJob.Step.APPLY and job.file_token:
        progress.forget(job.pk)
        DataJob.objects.filter(pk=job.pk, status=Status.FAILED).update(
            status=Status.QUEUED, message="", finished_at=None
        )
        job.refresh_from_db()
        if job.status == Status.QUEUED:
            enqueue(job)
            job.refresh_from_db()
    return job


def cancel(job: DataJob) -> DataJob:
    """A queued job never starts; a running one stops at its next row and rolls back; a
    previewed import is dropped with its upload."""
    if job.status == Status.RUNNING:
        progress.request_cancel(job.pk)  # the worker records the outcome after its rollback
        return job
    if job.status in (Status.QUEUED, Status.PREVIEWED):
        moved = DataJob.objects.filter(pk=job.pk, status=job.status).update(
            status=Status.CANCELLED,
            finished_at=timezone.now(),
            message="Cancelled before it ran; nothing was imported."
            if job.status == Status.QUEUED
            else "Cancelled after the preview; nothing was imported.",
        )
        if moved and job.kind == DataJob.Kind.IMPORT:
            _record(job, ImportRecord.Outcome.ABANDONED, "Cancelled.")
            _drop_upload(job)
    job.refresh_from_db()
    return job


def enqueue(job: DataJob) -> None:
    """Hand the job to the task backend (a worker; in tests, maybe right here)."""
    result = run_job.enqueue(job.pk)
    DataJob.objects.filter(pk=job.pk).update(task_id=str(result.id))


def fail_dead_jobs(jobs=None) -> int:
    """Running jobs whose worker stopped beating: failed, with what happened and what to do.
    Called by the job pages and lists before they show a job."""
    running = (jobs if jobs is not None else DataJob.objects.all()).filter(status=Status.RUNNING)
    failed = 0
    for job in running.only("pk", "started_at", "step", "kind"):
        started = job.started_at.timestamp() if job.started_at else 0
        if not progress.is_dead(job.pk, started):
            continue
        applying = job.step == DataJob.Step.APPLY
        failed += DataJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(
            status=Status.FAILED,
            finished_at=timezone.now(),
            message=(
                "The worker running this job stopped (it was killed or lost its connection) "
                + (
                    "while applying the file. Nothing of the file was applied: its changes "
                    "were in one transaction that never committed. Run it again."
                    if applying
                    else "before it finished. Nothing was written; start the export again."
                    if job.kind == DataJob.Kind.EXPORT
                    else "before it finished. Nothing was changed; upload the file again."
                )
            ),
        )
    return failed


# --- the task ------------------------------------------------------------------------------


@task()
def run_job(job_id: int) -> str:
    """Run a queued job's step once. A job that is no longer queued (cancelled meanwhile, or
    taken by another worker) is left alone."""
    now = timezone.now()
    claimed = DataJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=now, finished_at=None, attempts=F("attempts") + 1
    )
    if not claimed:
        return "not queued"
    job = DataJob.objects.get(pk=job_id)
    reporter = Reporter(job.pk)
    with Heartbeat(job.pk):
        try:
            STEPS[job.step](job, reporter)
        except JobCancelled:
            _finish(job, Status.CANCELLED, "Cancelled while it ran; nothing was imported.")
            if job.kind == DataJob.Kind.IMPORT:
                _record(job, ImportRecord.Outcome.ABANDONED, "Cancelled while it ran.")
                _drop_upload(job)
        except Exception as exc:  # recorded on the job, not lost in a worker's log
            logger.exception("job %s failed", job.pk)
            _finish(job, Status.FAILED, f"The job stopped on an unexpected error: {exc}")
        finally:
            reporter.flush()
    return DataJob.objects.filter(pk=job.pk).values_list("status", flat=True).get()


def _preview(job: DataJob, reporter: Reporter) -> None:
    """Read and check every row (nothing is written), keep what each row would do."""
    storage = PrivateImportStorage()
    reporter.phase("validating", _estimated_rows(job))
    with _ErrorReport(storage, job.file_token) as errors:
        outcome = _run_engine(job, errors, reporter, apply=False)
    if outcome is None:
        return
    job.rows_total = outcome.rows
    job.rows_done = outcome.rows
    job.counts = outcome.count_dict()
    job.report = {
        "problems": outcome.problems,
        "notes": outcome.notes,
        "errors": errors.first,
        "error_count": errors.count,
        "changes": [
            {"line": r.line, "kind": r.kind, "object": r.object_repr, "changes": r.changes}
            for r in outcome.detail
            if r.kind in ("new", "updated")
        ][:SHOWN_CHANGES],
    }
    if not errors.count:
        storage.remove_extra(job.file_token, "errors.csv")
    if outcome.problems or not outcome.rows:
        if not outcome.rows and not outcome.problems:
            job.report["problems"] = ["The file has no rows to import."]
        _finish(job, Status.FAILED, "Nothing was imported: the file itself was refused.")
        _record(job, ImportRecord.Outcome.FAILED, "\n".join(job.report["problems"]), outcome)
        _drop_upload(job)  # a refused file is not kept: its problems are on the job's page
        return
    _keep_promise(storage, job.file_token, outcome)
    _finish(job, Status.PREVIEWED, "")


def _apply(job: DataJob, reporter: Reporter) -> None:
    """Write the previewed rows, all of them (or the valid ones, as chosen) or nothing."""
    storage = PrivateImportStorage()
    promise = _read_promise(storage, job.file_token)
    if promise is None:
        _finish(job, Status.FAILED, "The uploaded file is no longer kept: upload it again.")
        return
    valid_only = job.apply_mode == DataJob.ApplyMode.VALID_ROWS
    skip = (
        frozenset(
            line for line, code in enumerate(promise.kinds, 2) if code == chunked.KIND_CODE["error"]
        )
        if valid_only
        else frozenset()
    )
    reporter.phase("applying", len(promise.kinds) - len(skip))
    rejected = _RejectedRows() if skip else None
    record = None
    problem = ""
    try:
        with transaction.atomic(), collecting():
            _serialize_imports_of(job.model_label)
            record = _new_record(job, ImportRecord.Outcome.APPLIED)
            record.save()
            with _ErrorReport(storage, job.file_token) as errors:
                outcome = _run_engine(
                    job,
                    errors,
                    reporter,
                    apply=True,
                    import_record=record,
                    promise=promise,
                    skip_lines=skip,
                    on_skipped=rejected.add if rejected else None,
                )
            if outcome is None or not outcome.ok:
                transaction.set_rollback(True)
                problem = _why_not(outcome, errors)
            else:
                _fill_record(record, outcome, len(skip))
                record.save()
                dashboard_changed()  # bulk writes send no model signals: drop cached reads
    except chunked.ChangedSincePreview as exc:
        problem = f"Nothing was imported: {exc} Upload the file again to preview it anew."
    except (DatabaseError, ImportFileError, StockError, ValidationError) as exc:
        problem = "Nothing was imported: " + describe_exception(exc)
    if problem:
        job.import_record = _record(job, ImportRecord.Outcome.FAILED, problem)
        job.rows_done = 0
        _finish(job, Status.FAILED, problem)
        return
    if rejected:
        rejected.write(storage, job.file_token)
    job.counts = {**outcome.count_dict(), "error": len(skip)}
    job.rows_done = outcome.rows
    job.import_record = record
    message = "Imported: {new} new, {updated} updated, {unchanged} unchanged.".format(**job.counts)
    if skip:
        message += (
            f" {len(skip)} rejected row(s) were left out, as chosen at confirm: download "
            "them with their problems from the job's page."
        )
    notes = outcome.notes
    if (job.rows_total or 0) > settings.IMPORT_ROW_HISTORY_MAX_ROWS:
        notes = [
            *notes,
            f"A file of more than {settings.IMPORT_ROW_HISTORY_MAX_ROWS:,} rows writes no admin "
            "history entry per row: its import record (who, when, which file, the counts) is "
            "their history.",
        ]
    job.report = {**job.report, "notes": notes}
    _finish(job, Status.SUCCEEDED, message)
    post_import.send(sender=None, model=import_string(job.resource_path)._meta.model)
    if not skip:
        _drop_upload(job)  # with rejected rows the upload stays for their download (swept later)


def _run_engine(job, errors, reporter, *, apply: bool, **kwargs):
    """The engine over the job's upload; None (and the job failed) when the upload is gone.
    A file that turns out unreadable half-way is a problem of the file, as at its start."""
    resource_class = import_string(job.resource_path)
    ignored = frozenset(job.options.get("ignored_columns", []))
    try:
        source = PrivateImportStorage().open_data(job.file_token)
    except InvalidToken:
        _finish(job, Status.FAILED, "The uploaded file is no longer kept: upload it again.")
        return None
    page_admin = _page_admin(job)
    per_row_history = (job.rows_total or 0) <= settings.IMPORT_ROW_HISTORY_MAX_ROWS
    history = _History(job) if apply and page_admin and job.user and per_row_history else None
    with source:
        try:
            table = FORMATS[job.format_index]().read_table(
                source, max_columns=resource_class().max_columns(ignored)
            )
            with contextlib.ExitStack() as stack:
                if not apply:  # the preview writes nothing; should a hook, it is undone
                    stack.enter_context(transaction.atomic())
                outcome = chunked.run(
                    resource_class,
                    table,
                    apply=apply,
                    user=job.user,
                    file_name=job.file_name,
                    ignored_columns=ignored,
                    on_error=errors.add,
                    progress=reporter,
                    on_chunk_written=history.log if history else None,
                    **kwargs,
                )
                if not apply:
                    transaction.set_rollback(True)
        except ImportFileError as exc:
            outcome = chunked.Outcome(problems=[f"{job.file_name}: {exc}"])
    return outcome


def _why_not(outcome, errors) -> str:
    if outcome is None:
        return "The uploaded file is no longer kept: upload it again."
    reasons = outcome.problems[:3] or [
        f"{errors.count} problem(s) in the rows (the first: line {errors.first[0][0]}, "
        f"{errors.first[0][3]})"
        if errors.first
        else "rows with problems"
    ]
    return "Nothing was imported: " + " ".join(reasons)


def _serialize_imports_of(model_label: str) -> None:
    """Two applies of the same table wait for each other (PostgreSQL: a transaction-level
    advisory lock), so their rows never interleave; SQLite has one writer anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(model_label.encode())])


class _History:
    """The admin's history (``LogEntry``) of every row an import adds or changes, a chunk at a
    time in one insert (the library writes one per row)."""

    def __init__(self, job: DataJob):
        from django.contrib.contenttypes.models import ContentType

        self.user_id = job.user.pk
        self.content_type = ContentType.objects.get_for_model(
            import_string(job.resource_path)._meta.model, for_concrete_model=False
        )
        self.message = f"Imported from {job.file_name} (job #{job.pk})."

    def log(self, created, updated) -> None:
        from django.contrib.admin.models import ADDITION, CHANGE, LogEntry

        now = timezone.now()
        LogEntry.objects.bulk_create(
            [
                LogEntry(
                    action_time=now,
                    user_id=self.user_id,
                    content_type=self.content_type,
                    object_id=str(instance.pk),
                    object_repr=str(instance)[:200],
                    action_flag=flag,
                    change_message=self.message,
                )
                for flag, instances in ((ADDITION, created), (CHANGE, updated))
                for instance in instances
            ],
            batch_size=2000,
        )


class _ErrorReport:
    """Every problem of the rows, written to ``errors.csv`` as found; the first kept for the
    job's page."""

    def __init__(self, storage, token: str):
        self.storage, self.token = storage, token
        self.first: list[list] = []
        self.count = 0
        self.file = None

    def __enter__(self):
        return self

    def add(self, line, column, value, message) -> None:
        if self.file is None:
            self.file = self.storage.open_extra(self.token, "errors.csv")
            self.writer = csv.writer(self.file)
            self.writer.writerow(ERROR_REPORT_HEADER)
        self.count += 1
        self.writer.writerow([line, column, value, message])
        if len(self.first) < SHOWN_PROBLEMS:
            self.first.append([line, column, value, message])

    def __exit__(self, *exc):
        if self.file is not None:
            self.file.close()


class _RejectedRows:
    """The rows left out by "apply the valid rows", as the file had them."""

    def __init__(self):
        self.rows: list[list] = []
        self.headers: list[str] = []

    def add(self, line: int, row: dict) -> None:
        self.headers = self.headers or list(row)
        self.rows.append([line, *row.values()])

    def write(self, storage, token) -> None:
        problems: dict[int, list[str]] = {}
        with contextlib.suppress(InvalidToken):
            kept = storage.read_extra(token, "errors.csv").decode("utf-8-sig")
            for line, column, _value, message in list(csv.reader(io.StringIO(kept)))[1:]:
                problems.setdefault(int(line), []).append(
                    f"{column}: {message}" if column else message
                )
        storage.write_extra(
            token,
            "rejected.csv",
            _csv(
                ["line", *self.headers, "problem"],
                [[*row, "; ".join(problems.get(row[0], []))] for row in self.rows],
            ),
        )


def _estimated_rows(job: DataJob) -> int | None:
    """Lines of a CSV/TSV upload less its header (a quoted cell may hold a line break, so
    this is the progress bar's estimate; the preview counts the rows)."""
    if FORMATS[job.format_index].__name__ not in ("CSV", "TSV"):
        return None
    try:
        with PrivateImportStorage().open_data(job.file_token) as file:
            lines = sum(block.count(b"\n") for block in iter(lambda: file.read(1 << 20), b""))
    except InvalidToken:
        return None
    return max(lines - 1, 0)


def _keep_promise(storage, token: str, outcome) -> None:
    storage.write_extra(token, "preview.bin", bytes(outcome.kinds) + outcome.digests.tobytes())
    storage.write_extra(
        token,
        "preview.json",
        json.dumps(
            [[r.line, r.kind, r.object_id, r.before, r.after] for r in outcome.detail]
        ).encode(),
    )


def _read_promise(storage, token: str) -> chunked.Promise | None:
    try:
        data = storage.read_extra(token, "preview.bin")
        detail = json.loads(storage.read_extra(token, "preview.json"))
    except InvalidToken:
        return None
    rows = len(data) // 5
    digests = array("I")
    digests.frombytes(data[rows:])
    promised = {}
    for line, kind, object_id, before, after in detail:
        promised[line] = [line, kind, "" if kind == "new" else object_id, before, after]
    return chunked.Promise(kinds=data[:rows], digests=digests, detail=promised)


def report_of(job: DataJob) -> ImportReport:
    """The preview's report, row by row, as the import page showed it before jobs: each row's
    kind, the first rows' values before and after, every problem. Read only where every row is
    wanted (the tests; a preview's export); the job's page shows ``job.report``."""
    report = ImportReport(
        model_label=job.model_label, file_name=job.file_name, file_format=job.file_format
    )
    report.problems = list((job.report or {}).get("problems", []))
    report.notes = list((job.report or {}).get("notes", []))
    storage = PrivateImportStorage()
    promise = None
    with contextlib.suppress(InvalidToken):  # the upload is gone: the counts stay on the job
        promise = _read_promise(storage, job.file_token)
    problems: dict[int, list] = {}
    with contextlib.suppress(InvalidToken):  # no problems found, no error report
        kept = storage.read_extra(job.file_token, "errors.csv").decode("utf-8-sig")
        for line, column, value, message in list(csv.reader(io.StringIO(kept)))[1:]:
            problems.setdefault(int(line), []).append(RowProblem(column, value, message))
    if promise is None:
        return report
    for line, code in enumerate(promise.kinds, 2):
        detail = promise.detail.get(line)
        row = RowReport(line=line, kind=chunked.KIND_OF_CODE[code])
        if detail is not None:
            row.object_id, row.before, row.after = detail[2], detail[3], detail[4]
        row.problems = problems.get(line, [])
        report.rows.append(row)
    return report


# --- helpers -------------------------------------------------------------------------------


STEPS = {
    DataJob.Step.PREVIEW: _preview,
    DataJob.Step.APPLY: _apply,
    DataJob.Step.EXPORT: run_export,
}


def _page_admin(job: DataJob):
    from django.apps import apps

    model = apps.get_model(job.page_label)
    return admin.site._registry.get(model)


def _csv(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")  # a BOM: spreadsheets then read UTF-8


def _finish(job: DataJob, status: str, message: str) -> None:
    job.status = status
    job.message = message
    job.finished_at = timezone.now() if status != Status.PREVIEWED else None
    job.save(
        update_fields=[
            "status",
            "message",
            "finished_at",
            "rows_total",
            "rows_done",
            "counts",
            "report",
            "import_record",
        ]
    )


def _new_record(job: DataJob, outcome: str) -> ImportRecord:
    return ImportRecord(
        user=job.user if job.user_id else None,
        model_label=job.model_label,
        file_name=job.file_name[:255],
        file_format=job.file_format,
        outcome=outcome,
    )


def _fill_record(record: ImportRecord, outcome, rejected: int = 0, message: str = "") -> None:
    counts = outcome.counts
    record.rows_total = outcome.rows + rejected
    record.rows_new = counts["new"]
    record.rows_updated = counts["updated"]
    record.rows_skipped = counts["unchanged"]
    record.rows_deleted = 0
    record.rows_invalid = counts["error"] + rejected
    record.message = message or "\n".join(outcome.problems)[:5000]
    if rejected:
        record.message = (
            f"Applied the valid rows only (chosen at confirm); {rejected} rejected row(s) left out."
        )
    if outcome.id_remaps:
        record.id_remaps = outcome.id_remaps


def _record(job: DataJob, outcome: str, message: str, found=None) -> ImportRecord:
    """A line of import history for an import that wrote nothing (written outside its
    transaction, so failures are recorded too)."""
    record = _new_record(job, outcome)
    _fill_record(record, found or chunked.Outcome(), message=message)
    record.save()
    return record


def _drop_upload(job: DataJob) -> None:
    PrivateImportStorage().remove(job.file_token)
