"""Import and export jobs: the list staff find their jobs in, and each job's page.

A job's page shows its live progress (rows done, rate, time left: read from the jobs cache
every second by ``backoffice/js/job_progress.js``), its preview (counts per kind, the first
problems, the full error report as CSV), and the buttons that fit its state: confirm (all or
nothing, or the valid rows only), cancel, run again. Only the job's owner and superusers see a
job, its file's rows and its errors; confirming also needs the import permission of the list
the file was uploaded to. An export job's page offers its file for download while it is kept
(``backoffice.jobs.exports``): to the owner and superusers only, like everything else here.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_POST
from django_tasks_db.models import DBTaskResult

from backoffice.admin.common.base import BackofficeAdmin
from backoffice.admin.common.readonly import ReadOnlyAdminMixin
from backoffice.importing.uploads import InvalidToken, PrivateImportStorage
from backoffice.jobs import exports, imports, progress
from backoffice.models import DataJob

Status = DataJob.Status


# The task backend's own table (django-tasks-db's admin): the worker's business; staff follow
# their work as jobs, below.
if DBTaskResult in admin.site._registry:
    admin.site.unregister(DBTaskResult)


@admin.register(DataJob)
class DataJobAdmin(ReadOnlyAdminMixin, BackofficeAdmin):
    """Read-only: jobs are started by the Import and Export pages and ``import_file``."""

    list_display = [
        "created_at",
        "job",
        "user",
        "file_name",
        "status_shown",
        "rows",
        "duration_shown",
    ]
    list_display_links = ["job"]
    list_filter = ["status", "kind", "model_label"]
    list_select_related = ["user"]
    search_fields = ["file_name", "resource_name", "user__username"]
    ordering = ["-created_at", "-id"]
    list_per_page = 50
    change_form_template = "admin/backoffice/datajob/job.html"

    # --- who sees what -------------------------------------------------------------------

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_export_permission(self, request):
        """An export of the job list (the user's own jobs) needs the view permission, as every
        export of a list without an export permission does."""
        return request.user.has_perm("backoffice.view_datajob")

    def has_view_permission(self, request, obj=None):
        """Every staff member sees their own jobs (the queryset keeps them to those)."""
        if not (request.user.is_active and request.user.is_staff):
            return False
        return obj is None or request.user.is_superuser or obj.user_id == request.user.pk

    # --- the list ------------------------------------------------------------------------

    def changelist_view(self, request, extra_context=None):
        imports.fail_dead_jobs(self.get_queryset(request))
        exports.sweep_expired()
        return super().changelist_view(request, extra_context)

    @admin.display(description="job", ordering="id")
    def job(self, obj):
        return f"#{obj.pk} {obj.get_kind_display().lower()}: {obj.resource_name}"

    @admin.display(description="status", ordering="status")
    def status_shown(self, obj):
        return obj.get_status_display()

    @admin.display(description="rows")
    def rows(self, obj):
        if obj.rows_total is None:
            return "—"
        return f"{obj.rows_done:,} of {obj.rows_total:,}"

    @admin.display(description="took")
    def duration_shown(self, obj):
        if obj.duration is None:
            return "—"
        seconds = int(obj.duration.total_seconds())
        return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"

    # --- the job's page ------------------------------------------------------------------

    def get_urls(self):
        def view(function, post=False):
            wrapped = self.admin_site.admin_view(function)
            return require_POST(wrapped) if post else wrapped

        return [
            path(
                "<int:job_id>/progress/",
                view(self.progress_view),
                name="backoffice_datajob_progress",
            ),
            path(
                "<int:job_id>/confirm/",
                view(self.confirm_view, post=True),
                name="backoffice_datajob_confirm",
            ),
            path(
                "<int:job_id>/cancel/",
                view(self.cancel_view, post=True),
                name="backoffice_datajob_cancel",
            ),
            path(
                "<int:job_id>/run-again/",
                view(self.run_again_view, post=True),
                name="backoffice_datajob_run_again",
            ),
            path(
                "<int:job_id>/errors.csv", view(self.errors_view), name="backoffice_datajob_errors"
            ),
            path(
                "<int:job_id>/download/",
                view(self.download_view),
                name="backoffice_datajob_download",
            ),
            path(
                "<int:job_id>/rejected.csv",
                view(self.rejected_view),
                name="backoffice_datajob_rejected",
            ),
            *super().get_urls(),
        ]

    def _job(self, request, job_id) -> DataJob:
        job = get_object_or_404(self.get_queryset(request), pk=job_id)
        imports.fail_dead_jobs(DataJob.objects.filter(pk=job.pk))
        exports.sweep_expired()
        job.refresh_from_db()
        return job

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self._job(request, object_id)
        page_admin = imports._page_admin(job)
        may_confirm = (
            job.status == Status.PREVIEWED
            and page_admin is not None
            and page_admin.has_import_permission(request)
        )
        context = {
            **self.admin_site.each_context(request),
            "title": str(job),
            "opts": self.opts,
            "job": job,
            "live": progress_of(job),
            "may_confirm": may_confirm,
            "apply_modes": DataJob.ApplyMode.choices,
            "may_cancel": job.status in (Status.QUEUED, Status.RUNNING, Status.PREVIEWED),
            "may_run_again": job.status == Status.FAILED
            and job.step == DataJob.Step.APPLY
            and bool(job.file_token),
            "has_error_report": bool((job.report or {}).get("error_count"))
            and bool(job.file_token),
            "has_rejected_rows": job.status == Status.SUCCEEDED
            and bool((job.counts or {}).get("error")),
            "list_url": reverse("admin:backoffice_datajob_changelist"),
            "imported_list_url": _changelist_of(page_admin)
            if job.status == Status.SUCCEEDED
            else "",
            "imported_list_name": page_admin.opts.verbose_name_plural if page_admin else "",
            "download_url": reverse("admin:backoffice_datajob_download", args=[job.pk])
            if exports.kept_file(job)
            else "",
            "export_expired": job.kind == DataJob.Kind.EXPORT
            and job.status == Status.SUCCEEDED
            and not job.file_token,
            "media": self.media,
            # the whole preview, row by row, read only if something asks for it
            "report": SimpleLazyObject(lambda: imports.report_of(job)),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.change_form_template, context)

    def progress_view(self, request, job_id):
        job = self._job(request, job_id)
        return JsonResponse(progress_of(job))

    def confirm_view(self, request, job_id):
        job = self._job(request, job_id)
        page_admin = imports._page_admin(job)
        if page_admin is None or not page_admin.has_import_permission(request):
            raise PermissionDenied
        mode = request.POST.get("apply_mode", DataJob.ApplyMode.ALL_OR_NOTHING)
        if mode not in DataJob.ApplyMode.values:
            mode = DataJob.ApplyMode.ALL_OR_NOTHING
        if job.status != Status.PREVIEWED:
            messages.error(request, "This import is not waiting for a confirm any more.")
        else:
            imports.confirm_import(job, mode)
            messages.info(request, "Confirmed: the file is being applied.")
        return HttpResponseRedirect(self._page_url(job))

    def cancel_view(self, request, job_id):
        job = self._job(request, job_id)
        was = job.status
        job = exports.cancel(job) if job.kind == DataJob.Kind.EXPORT else imports.cancel(job)
        if was == Status.RUNNING:
            messages.info(
                request,
                "Cancel requested: the job stops at its next row"
                + (
                    " and deletes its file."
                    if job.kind == DataJob.Kind.EXPORT
                    else " and rolls back."
                ),
            )
        elif job.status == Status.CANCELLED:
            messages.info(request, job.message)
        else:
            messages.error(request, "This job has finished; there is nothing to cancel.")
        return HttpResponseRedirect(self._page_url(job))

    def run_again_view(self, request, job_id):
        job = self._job(request, job_id)
        page_admin = imports._page_admin(job)
        if page_admin is None or not page_admin.has_import_permission(request):
            raise PermissionDenied
        before = job.status
        job = imports.run_again(job)
        if before == Status.FAILED and job.status != Status.FAILED:
            messages.info(request, "Queued again.")
        else:
            messages.error(request, "Only a failed apply whose file is still kept can run again.")
        return HttpResponseRedirect(self._page_url(job))

    def download_view(self, request, job_id):
        """The export's file, streamed from disk, to its owner or a superuser (others: 404)."""
        job = self._job(request, job_id)
        path = exports.kept_file(job)
        if path is None:
            messages.error(request, "This export's file is not kept (any more).")
            return HttpResponseRedirect(self._page_url(job))
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=job.file_name,
            content_type=exports.content_type(job),
        )

    def errors_view(self, request, job_id):
        return self._kept_file(request, job_id, "errors.csv", "problems", "error report")

    def rejected_view(self, request, job_id):
        return self._kept_file(request, job_id, "rejected.csv", "rejected-rows", "rejected rows")

    def _kept_file(self, request, job_id, name, download_as, what):
        job = self._job(request, job_id)
        try:
            data = PrivateImportStorage().read_extra(job.file_token, name)
        except (InvalidToken, ValueError):
            messages.error(request, f"This job's {what} are no longer kept.")
            return HttpResponseRedirect(self._page_url(job))
        response = HttpResponse(data, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="job-{job.pk}-{download_as}.csv"'
        return response

    @staticmethod
    def _page_url(job) -> str:
        return reverse("admin:backoffice_datajob_change", args=[job.pk])


def progress_of(job: DataJob) -> dict:
    """What the job's page shows, and what its script polls: status and live progress."""
    state = progress.read(job.pk) if job.status == Status.RUNNING else None
    live = {
        "status": job.status,
        "status_label": job.get_status_display(),
        "polling": not job.finished,  # the page asks again while the job is queued or running
        "message": job.message,
        "phase": "",
        "done": job.rows_done,
        "total": job.rows_total,
        "rate": None,
        "seconds_left": None,
    }
    if state is not None:
        live.update(
            phase=state.phase,
            done=state.done,
            total=state.total,
            rate=round(state.rate) if state.rate else None,
            seconds_left=round(state.seconds_left) if state.seconds_left is not None else None,
        )
    return live


def _changelist_of(model_admin) -> str:
    if model_admin is None:
        return ""
    opts = model_admin.opts
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
