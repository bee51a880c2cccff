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
import logging
from types import SimpleNamespace

from django.contrib import admin
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from import_export.signals import post_import

from backoffice.importing.formats import FORMATS
from backoffice.importing.report import ImportReport, RowProblem, RowReport
from backoffice.importing.service import ImportJob, import_apply, import_preview, record_import
from backoffice.importing.uploads import InvalidToken, PrivateImportStorage
from backoffice.jobs import progress
from backoffice.jobs.exports import run_export
from backoffice.jobs.progress import Heartbeat, JobCancelled, Reporter
from backoffice.jobs.tasks_api import task
from backoffice.models import DataJob, ImportRecord

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
    reporter.phase("reading")
    import_job = _import_job(job, reporter)
    if import_job is None:
        return
    report = import_preview(import_job)
    counts = report.counts
    job.rows_total = len(report.rows)
    job.rows_done = len(report.rows)
    job.counts = counts
    errors = _problem_rows(report)
    job.report = {
        "problems": report.problems,
        "notes": report.notes,
        "errors": errors[:SHOWN_PROBLEMS],
        "error_count": len(errors),
        "changes": [
            {"line": r.line, "kind": r.kind, "object": r.object_repr, "changes": r.changes}
            for r in report.changed_rows[:SHOWN_CHANGES]
        ],
    }
    storage = PrivateImportStorage()
    if errors:
        storage.write_extra(job.file_token, "errors.csv", _csv(ERROR_REPORT_HEADER, errors))
    if report.problems or not report.rows:
        if not report.rows and not report.problems:
            job.report["problems"] = ["The file has no rows to import."]
        _finish(job, Status.FAILED, "Nothing was imported: the file itself was refused.")
        _record(job, ImportRecord.Outcome.FAILED, "\n".join(job.report["problems"]), report)
        _drop_upload(job)  # a refused file is not kept: its problems are on the job's page
        return
    meta = storage.read_meta(job.file_token)
    storage.write_meta(job.file_token, {**meta, "preview": report.comparable()})
    _finish(job, Status.PREVIEWED, "")


def _apply(job: DataJob, reporter: Reporter) -> None:
    reporter.phase("reading")
    import_job = _import_job(job, reporter)
    if import_job is None:
        return
    preview = PrivateImportStorage().read_meta(job.file_token).get("preview", [])
    rejected = []
    if job.apply_mode == DataJob.ApplyMode.VALID_ROWS:
        import_job.dataset, preview, rejected = _valid_rows_only(job, import_job, preview)
    page_admin = _page_admin(job)
    writes_history = page_admin is not None and job.user is not None
    request = SimpleNamespace(user=job.user)  # what the admin's history writer reads
    applied, report = import_apply(
        import_job,
        preview,
        # each row's admin history names its user; a command-line import without one has
        # its import record (who, what, counts) and no per-row history
        on_applied=(lambda result: page_admin.generate_log_entries(result, request))
        if writes_history
        else None,
    )
    job.counts = {**report.counts, "error": len(rejected)}
    job.rows_done = len(report.rows) if applied else 0
    if not applied:
        errors = _problem_rows(report)  # what stopped it, the row problems included
        job.report = {
            **job.report,
            "problems": report.problems,
            "errors": errors[:SHOWN_PROBLEMS],
            "error_count": len(errors),
        }
        if errors:
            PrivateImportStorage().write_extra(
                job.file_token, "errors.csv", _csv(ERROR_REPORT_HEADER, errors)
            )
        record = record_import(import_job, report, ImportRecord.Outcome.FAILED)
        job.import_record = record
        _finish(job, Status.FAILED, "Nothing was imported: " + " ".join(report.problems[:3]))
        return
    message = "Imported: {new} new, {updated} updated, {unchanged} unchanged.".format(
        **report.counts
    )
    if rejected:
        message += (
            f" {len(rejected)} rejected row(s) were left out, as chosen at confirm: download "
            "them with their problems from the job's page."
        )
    record = record_import(import_job, report, ImportRecord.Outcome.APPLIED)
    if rejected:
        record.rows_invalid = len(rejected)
        record.message = f"Applied the valid rows only (chosen at confirm, job #{job.pk}); " + (
            f"{len(rejected)} rejected row(s) left out."
        )
        record.save(update_fields=["rows_invalid", "message"])
    job.import_record = record
    _finish(job, Status.SUCCEEDED, message)
    post_import.send(sender=None, model=import_job.resource_class._meta.model)
    if not rejected:
        _drop_upload(job)  # with rejected rows the upload stays for their download (swept later)


def _valid_rows_only(job: DataJob, import_job: ImportJob, preview: list):
    """The file without the rows the preview found problems in, the preview of the rest
    renumbered as that file's lines, and the rejected rows (as the file had them, with their
    problems) written beside the upload as ``rejected.csv``.

    The preview's lines count as a spreadsheet does (the header is line 1), one per row."""
    resource = import_job.resource_class()
    dataset = import_job.file_format.create_dataset(
        import_job.data, max_columns=resource.max_columns(import_job.ignored_columns)
    )
    rejected_lines = {row[0] for row in preview if row[1] == "error"}
    problems = {}
    report = PrivateImportStorage().read_extra(job.file_token, "errors.csv").decode("utf-8-sig")
    for line, column, _value, message in list(csv.reader(io.StringIO(report)))[1:]:
        problems.setdefault(int(line), []).append(f"{column}: {message}" if column else message)
    kept, rejected = [], []
    for index, values in enumerate(dataset, start=2):
        if index in rejected_lines:
            rejected.append([index, *values, "; ".join(problems.get(index, []))])
        else:
            kept.append(values)
    valid = dataset.__class__(*kept, headers=dataset.headers)
    renumbered = [
        [line, *row[1:]]
        for line, row in enumerate((r for r in preview if r[1] != "error"), start=2)
    ]
    PrivateImportStorage().write_extra(
        job.file_token,
        "rejected.csv",
        _csv(["line", *dataset.headers, "problem"], rejected),
    )
    return valid, renumbered, rejected


STEPS = {
    DataJob.Step.PREVIEW: _preview,
    DataJob.Step.APPLY: _apply,
    DataJob.Step.EXPORT: run_export,
}


def report_of(job: DataJob) -> ImportReport:
    """The preview's report, row by row, as the import page showed it before jobs: rebuilt
    from the kept preview (each row's kind and values before and after) and its problems.
    Read only where every row is wanted (an export of the preview, the tests); the job's page
    shows the first rows from ``job.report``."""
    report = ImportReport(
        model_label=job.model_label, file_name=job.file_name, file_format=job.file_format
    )
    report.problems = list((job.report or {}).get("problems", []))
    report.notes = list((job.report or {}).get("notes", []))
    problems = {}
    storage = PrivateImportStorage()
    preview, kept = [], ""
    with contextlib.suppress(InvalidToken):  # the upload is gone: the counts stay on the job
        preview = storage.read_meta(job.file_token).get("preview", [])
    with contextlib.suppress(InvalidToken):  # no problems found, no error report
        kept = storage.read_extra(job.file_token, "errors.csv").decode("utf-8-sig")
    for line, column, value, message in list(csv.reader(io.StringIO(kept)))[1:]:
        problems.setdefault(int(line), []).append(RowProblem(column, value, message))
    for line, kind, object_id, before, after in preview:
        row = RowReport(line=line, kind=kind, object_id=object_id, before=before, after=after)
        row.problems = problems.get(line, [])
        report.rows.append(row)
    return report


# --- helpers -------------------------------------------------------------------------------


def _import_job(job: DataJob, reporter: Reporter) -> ImportJob | None:
    """The import service's job for this row, with the upload read back; None (and the job
    failed) when the upload is gone."""
    try:
        data = PrivateImportStorage().read_data(job.file_token)
    except InvalidToken:
        _finish(job, Status.FAILED, "The uploaded file is no longer kept: upload it again.")
        return None
    return ImportJob(
        resource_class=import_string(job.resource_path),
        file_format=FORMATS[job.format_index](),
        data=data,
        file_name=job.file_name,
        user=job.user,
        ignored_columns=frozenset(job.options.get("ignored_columns", [])),
        progress=reporter,
    )


def _page_admin(job: DataJob):
    from django.apps import apps

    model = apps.get_model(job.page_label)
    return admin.site._registry.get(model)


def _problem_rows(report) -> list[list]:
    problems = [[1, "", "", problem] for problem in report.problems]
    for row in report.error_rows:
        problems += [[row.line, p.column, p.value, p.message] for p in row.problems] or [
            [row.line, "", "", "This row could not be imported."]
        ]
    return problems


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


def _record(job: DataJob, outcome: str, message: str, report=None):
    import_job = ImportJob(
        resource_class=import_string(job.resource_path),
        file_format=FORMATS[job.format_index](),
        data=b"",
        file_name=job.file_name,
        user=job.user,
    )
    return record_import(import_job, report or import_job.new_report(), outcome, message)


def _drop_upload(job: DataJob) -> None:
    PrivateImportStorage().remove(job.file_token)
