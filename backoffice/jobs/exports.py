"""The export job: a big list's export written to a private file on a worker, then downloaded.

The admin's Export answers at once while the list is small (``EXPORT_IMMEDIATE_MAX_ROWS``);
a bigger one becomes a job (``start_export``) and the answer is the job's page. The job keeps
what reproduces the list, never the rows or a pickled queryset: the list's query string
(filters, search, ordering), the ticked rows' ids for "Export selected", the resource, the
format and the columns. The worker rebuilds the list with the admin's own changelist machinery
(``get_export_queryset``) as the job's owner, who must still hold the export permission then,
and writes the file row by row (``exporting.write_export``: memory flat in the row count) to
``ExportFiles`` with progress and cancel, as imports do. The file is its owner's (and
superusers') to download for ``EXPORT_KEEP_SECONDS``; ``sweep_expired`` then deletes it, and
the job's page says it expired.
"""

import contextlib
import os
import secrets
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib import admin
from django.contrib.messages.storage.base import BaseStorage
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils import timezone
from import_export.signals import post_export

from backoffice.importing.exporting import write_export
from backoffice.importing.formats import FORMATS
from backoffice.importing.uploads import TOKEN_PATTERN
from backoffice.jobs import progress
from backoffice.jobs.progress import JobCancelled, Reporter
from backoffice.models import DataJob

Status = DataJob.Status


class ExportFiles:
    """Export jobs' files: the "exports" folder of ``IMPORT_TEMP_DIR`` (mode 0700, shared with
    the workers like the uploads), each named by a random token; a file being written has the
    ``.partial`` suffix until it is complete."""

    def __init__(self, directory=None):
        self.directory = Path(directory or Path(settings.IMPORT_TEMP_DIR) / "exports")

    def new_token(self) -> str:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)
        return secrets.token_hex(16)

    def path(self, token: str) -> Path:
        if not isinstance(token, str) or not TOKEN_PATTERN.fullmatch(token):
            raise FileNotFoundError("not an export's token")
        return self.directory / f"{token}.export"

    def partial(self, token: str) -> Path:
        return self.path(token).with_suffix(".partial")

    def remove(self, token: str) -> None:
        self.path(token).unlink(missing_ok=True)
        self.partial(token).unlink(missing_ok=True)

    def remove_stale_partials(self, max_age: float) -> None:
        """A worker killed while writing leaves its ``.partial`` file: gone after ``max_age``."""
        if not self.directory.is_dir():
            return
        cutoff = time.time() - max_age
        for path in self.directory.glob("*.partial"):
            with contextlib.suppress(FileNotFoundError):
                if path.stat().st_mtime < cutoff:
                    path.unlink()


# --- starting, cancelling, sweeping --------------------------------------------------------


def runs_as_job(queryset) -> bool:
    """More rows than ``EXPORT_IMMEDIATE_MAX_ROWS``: counted up to one past the limit only (a
    sliced count), so a list of millions costs what a list of the limit does."""
    limit = settings.EXPORT_IMMEDIATE_MAX_ROWS
    return queryset.order_by().values("pk")[: limit + 1].count() > limit


def start_export(
    *,
    user,
    model_admin,
    query: str,
    resource_index: int,
    format_index: int,
    selected_fields=None,
    pks=None,
    file_name: str,
) -> DataJob:
    """Queue the export of ``model_admin``'s list as ``query`` (its query string) shows it, or
    of the rows ``pks`` among them; returns the job at once."""
    request = _request(model_admin, user, query)
    resource_class = model_admin.get_export_resource_classes(request)[resource_index]
    job = DataJob.objects.create(
        kind=DataJob.Kind.EXPORT,
        step=DataJob.Step.EXPORT,
        user=user,
        page_label=model_admin.model._meta.label,
        model_label=resource_class._meta.model._meta.label,
        resource_path=f"{resource_class.__module__}.{resource_class.__qualname__}",
        resource_name=resource_class.get_display_name(),
        file_name=file_name[:255],
        format_index=format_index,
        file_format=FORMATS[format_index]().get_title(),
        options={
            "query": query,
            "resource": resource_index,
            "fields": list(selected_fields) if selected_fields else None,
            "pks": [str(pk) for pk in pks] if pks is not None else None,
        },
    )
    from backoffice.jobs.imports import enqueue  # that module runs this one's step

    enqueue(job)
    job.refresh_from_db()
    return job


def cancel(job: DataJob) -> DataJob:
    """A queued export never starts; a running one stops at its next row, its file deleted."""
    if job.status == Status.RUNNING:
        progress.request_cancel(job.pk)
    elif job.status == Status.QUEUED:
        DataJob.objects.filter(pk=job.pk, status=Status.QUEUED).update(
            status=Status.CANCELLED,
            finished_at=timezone.now(),
            message="Cancelled before it ran; no file was written.",
        )
    job.refresh_from_db()
    return job


def sweep_expired(now=None) -> int:
    """Delete the files of exports kept past their time (the jobs stay, saying so), and the
    partial files of workers that died. Called where jobs are listed and shown."""
    now = now or timezone.now()
    files = ExportFiles()
    expired = DataJob.objects.filter(kind=DataJob.Kind.EXPORT, expires_at__lte=now).exclude(
        file_token=""
    )
    swept = 0
    for pk, token in expired.values_list("pk", "file_token"):
        files.remove(token)
        swept += DataJob.objects.filter(pk=pk, file_token=token).update(file_token="")
    files.remove_stale_partials(max_age=settings.JOB_HEARTBEAT_TIMEOUT + 3600)
    return swept


def kept_file(job: DataJob) -> Path | None:
    """The export's file while it is kept (None: not an export, not done, or expired)."""
    if job.kind != DataJob.Kind.EXPORT or job.status != Status.SUCCEEDED or not job.file_token:
        return None
    if job.expires_at is not None and job.expires_at <= timezone.now():
        return None
    path = ExportFiles().path(job.file_token)
    return path if path.is_file() else None


def content_type(job: DataJob) -> str:
    file_format = FORMATS[job.format_index]()
    text = "" if file_format.is_binary() else "; charset=utf-8"
    return file_format.get_content_type() + text


# --- the step (run by ``imports.run_job``) -------------------------------------------------


def run_export(job: DataJob, reporter: Reporter) -> None:
    model_admin = admin.site._registry.get(_model(job.page_label))
    if model_admin is None:
        _finish(job, Status.FAILED, "This list can no longer be exported.")
        return
    request = _request(model_admin, job.user, job.options.get("query", ""))
    refusal = _refusal(job, model_admin, request)
    if refusal:
        _finish(job, Status.FAILED, refusal)
        return
    options = job.options
    queryset = model_admin.get_export_queryset(request)
    if options.get("pks") is not None:
        queryset = queryset.filter(pk__in=options["pks"])
    resource_class = model_admin.get_export_resource_classes(request)[options.get("resource", 0)]
    resource = resource_class(**model_admin.get_export_resource_kwargs(request))
    job.rows_total = queryset.count()
    files = ExportFiles()
    token = files.new_token()
    partial = files.partial(token)
    try:
        reporter.phase("writing", job.rows_total)  # raises JobCancelled if asked already
        with open(partial, "xb") as out:
            os.chmod(partial, 0o600)
            job.rows_done = write_export(
                resource,
                queryset,
                FORMATS[job.format_index](),
                out,
                selected_fields=options.get("fields"),
                on_row=reporter.advance,
            )
    except JobCancelled:
        partial.unlink(missing_ok=True)
        job.rows_done = reporter.state.done
        _finish(job, Status.CANCELLED, "Cancelled while it ran; the partial file was deleted.")
        return
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, files.path(token))
    job.file_token = token
    job.expires_at = timezone.now() + timedelta(seconds=settings.EXPORT_KEEP_SECONDS)
    post_export.send(sender=None, model=resource_class._meta.model)
    notes = [str(message) for message in request._messages._queued_messages]
    job.report = {"notes": notes} if notes else {}
    _finish(job, Status.SUCCEEDED, f"Exported {job.rows_done:,} rows.")


def _refusal(job: DataJob, model_admin, request) -> str:
    """Why this export may not run now (the owner may have lost the permission since)."""
    user = job.user
    if user is None or not (user.is_active and user.is_staff):
        return "The account that started this export can no longer use the admin."
    if not model_admin.has_export_permission(request):
        return f"{user} no longer has the permission to export this list; nothing was written."
    resource_classes = model_admin.get_export_resource_classes(request)
    index = job.options.get("resource", 0)
    if index >= len(resource_classes) or job.resource_path != (
        f"{resource_classes[index].__module__}.{resource_classes[index].__qualname__}"
    ):
        return "This list no longer offers that export; export the list again."
    return ""


class _KeptMessages(BaseStorage):
    """The messages a list's filters send (a filter value ignored): kept for the job's notes."""

    def _get(self, *args, **kwargs):
        return [], True

    def _store(self, messages, response, *args, **kwargs):
        return []


def _request(model_admin, user, query: str) -> HttpRequest:
    """A GET of the list's export page, as ``user``, with the list's query string: what the
    admin's changelist machinery reads to rebuild the list (filters, search, ordering)."""
    opts = model_admin.model._meta
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = reverse(f"admin:{opts.app_label}_{opts.model_name}_export")
    request.META["QUERY_STRING"] = query
    request.GET = QueryDict(query)
    request.user = user
    request._messages = _KeptMessages(request)
    return request


def _model(label: str):
    from django.apps import apps

    return apps.get_model(label)


def _finish(job: DataJob, status: str, message: str) -> None:
    job.status = status
    job.message = message
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "status",
            "message",
            "finished_at",
            "rows_total",
            "rows_done",
            "file_token",
            "expires_at",
            "report",
        ]
    )
