"""Import and export views shared by every model admin (mixed into ``BackofficeAdmin``).

The library's views and hooks carry most of the work; this module fills in what they leave
open, each through the hook the library offers for it:

* import needs "change" (``IMPORT_EXPORT_IMPORT_PERMISSION_CODE``) and "add" (one permission
  code can't name two permissions: ``has_import_permission`` adds it); export needs
  ``<app>.export_<model>`` (``IMPORT_EXPORT_EXPORT_PERMISSION_CODE``), or "view" for models
  without that permission;
* the upload (``import_action``) is ours: the library reads the file in the request before
  any check and shows exception class names, runs the dry run outside a transaction we can
  reason about and keeps no record of the rows it previewed. Ours refuses bad uploads with
  sentences at once (size, a name that contradicts the format: recorded in the import
  history), keeps an accepted one privately (``uploads``) and queues its preview as a job
  (``backoffice.jobs.imports``); the answer is the job's page, where the preview, the
  confirm, cancel and "run again" are (``backoffice.admin.jobs``). The library's confirm URL
  (``process_import``) only points there;
* export goes through ``get_export_queryset`` (what the list shows, the user's rows only) and
  streams CSV/TSV (``exporting``); values stay native (numbers are numbers) in every format.
  A list bigger than ``EXPORT_IMMEDIATE_MAX_ROWS`` is exported by a job instead
  (``backoffice.jobs.exports``), and the answer is the job's page with its download.
"""

from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_permission_codename, get_user_model
from django.core.exceptions import FieldError, PermissionDenied
from django.forms import MultipleChoiceField, MultipleHiddenInput
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST
from import_export.forms import ImportForm
from import_export.signals import post_export

from backoffice.importing import exporting, rules
from backoffice.importing.formats import FORMATS
from backoffice.importing.service import ImportJob, record_import
from backoffice.importing.uploads import PrivateImportStorage
from backoffice.jobs import exports
from backoffice.jobs.imports import start_import
from backoffice.models import DataJob, ImportRecord

EXPORT_ACTION = "export_admin_action"


class BackofficeImportForm(ImportForm):
    """The library's form, but an empty file reaches our checks (and the import history)."""

    import_file = forms.FileField(label=_lazy("File to import"), allow_empty_file=True)


class ImportViewsMixin:
    import_template_name = "admin/import_export/backoffice_import.html"
    import_form_class = BackofficeImportForm

    @property
    def formats(self):
        return FORMATS

    def has_import_permission(self, request):
        """Importing adds and changes rows: the library checks "change" (the setting), and
        "add" is checked here.

        The model's permission, not the admin's ``has_add_permission``: a list whose add form
        is switched off because the form would bypass a service (order lines) still takes
        historical data from a file. Audit trails switch imports off themselves.
        """
        opts = self.opts
        add = f"{opts.app_label}.{get_permission_codename('add', opts)}"
        return super().has_import_permission(request) and request.user.has_perm(add)

    def get_import_resource_classes(self, request):
        from backoffice.resources import extra_import_resources

        declared = list(super().get_import_resource_classes(request))
        return declared + [r for r in extra_import_resources(self.model) if r not in declared]

    # --- step 1: upload and preview ------------------------------------------------------

    def import_action(self, request, **kwargs):
        """Upload: a refused file is answered here (and recorded); an accepted one is kept
        privately and its preview queued as a job, and the answer is the job's page at once
        (``backoffice.jobs.imports``: preview, confirm, apply on a task worker)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_import_form(request)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["import_file"]
            file_format = self.get_import_formats()[int(form.cleaned_data["format"])]()
            resource_class = self.choose_import_resource_class(form, request)
            problem = upload_problem(upload, file_format)
            if problem is None:
                self._sweep_abandoned(PrivateImportStorage())
                job = start_import(
                    user=request.user,
                    page_label=self.model._meta.label,
                    resource_class=resource_class,
                    format_index=FORMATS.index(type(file_format)),
                    file_name=Path(upload.name).name,
                    data=upload.chunks(),
                    ignored_columns=self._export_only_columns(request, resource_class),
                )
                messages.info(
                    request,
                    _("%(file)s is uploaded; its preview runs as job #%(job)d.")
                    % {"file": job.file_name, "job": job.pk},
                )
                return HttpResponseRedirect(
                    reverse("admin:backoffice_datajob_change", args=[job.pk])
                )
            job = self._job(request, form, file_format, Path(upload.name).name)
            report = job.new_report()
            report.problems.append(problem)
            record_import(job, report, ImportRecord.Outcome.FAILED)
            return self._render_import(request, form, {"report": report})
        return self._render_import(request, form, {})

    def _job(self, request, form, file_format, file_name) -> ImportJob:
        """The import service's record of a refused upload (for the import history)."""
        return ImportJob(
            resource_class=self.choose_import_resource_class(form, request),
            file_format=file_format,
            data=b"",
            file_name=file_name,
            user=request.user,
        )

    def _export_only_columns(self, request, resource_class) -> frozenset:
        """Columns our own exports of this model write but this import doesn't read (figures
        such as review_count): an exported file imports back, those columns are ignored."""
        model = resource_class._meta.model
        written = {
            field.column_name
            for exporter in self.get_export_resource_classes(request)
            if exporter._meta.model is model
            for field in exporter().fields.values()
        }
        return frozenset(written - {f.column_name for f in resource_class().importable_fields()})

    @staticmethod
    def _sweep_abandoned(storage):
        """Uploads nobody confirmed or cancelled in time: removed, and recorded as abandoned.

        The uploader may have been deleted since (their uploads outlive them on disk): such a
        record keeps no user rather than a dangling id."""
        stale = [meta for meta in storage.remove_stale() if meta.get("model_label")]
        if not stale:
            return
        DataJob.objects.filter(
            file_token__in=[meta["token"] for meta in stale], status=DataJob.Status.PREVIEWED
        ).update(
            status=DataJob.Status.CANCELLED,
            finished_at=timezone.now(),
            message="The preview expired before anyone confirmed it; nothing was imported.",
        )
        uploaders = {meta.get("user_id") for meta in stale} - {None}
        existing = set(
            get_user_model().objects.filter(pk__in=uploaders).values_list("pk", flat=True)
        )
        for meta in stale:
            ImportRecord.objects.create(
                user_id=meta.get("user_id") if meta.get("user_id") in existing else None,
                model_label=meta["model_label"],
                file_name=meta.get("file_name", "")[:255],
                file_format=meta.get("format_title", "")[:20],
                outcome=ImportRecord.Outcome.ABANDONED,
                rows_total=len(meta.get("preview", [])),
                message="Previewed but neither confirmed nor cancelled in time; file removed.",
            )

    def _render_import(self, request, form, context, status=200):
        resources = self.get_import_resource_classes(request)
        context = {
            **self.admin_site.each_context(request),
            **self.get_import_context_data(),
            "number_rules": rules.NUMBER_RULES,
            "date_rules": rules.DATE_RULES,
            "title": _("Import"),
            "form": form,
            "opts": self.model._meta,
            "media": self.media + form.media,
            "fields_list": [
                (r.get_display_name(), [f.column_name for f in r().importable_fields()])
                for r in resources
            ],
            "max_upload_mb": settings.IMPORT_MAX_UPLOAD_BYTES / 1_000_000,
            "max_rows": settings.IMPORT_MAX_ROWS,
            **context,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context, status=status)

    # --- step 2 is the job's page (backoffice.admin.jobs) --------------------------------

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        """The library's confirm URL: imports are confirmed on their job's page now."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        messages.error(
            request,
            _("Imports are confirmed on their job's page: find it under Import and export jobs."),
        )
        return HttpResponseRedirect(reverse("admin:backoffice_datajob_changelist"))

    def _changelist_url(self):
        opts = self.model._meta
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_changelist", current_app=self.admin_site.name
        )


def upload_problem(upload, file_format) -> str | None:
    """Why an upload is refused before reading it (size, a name that contradicts the format)."""
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    if upload.size > limit:
        return (
            f"The file is {upload.size / 1e6:,.1f} MB; the most an import takes is "
            f"{limit / 1e6:,.0f} MB. Split it into smaller files."
        )
    if upload.size == 0:
        return "The file is empty."
    extension = Path(upload.name).suffix.lower().lstrip(".")
    titles = {ext: f().get_title() for f in FORMATS for ext in f().get_format().extensions}
    chosen = file_format.get_title()
    if extension in titles and titles[extension] != chosen:
        return (
            f"The file name ends in .{extension} but the format chosen is {chosen.upper()}. "
            "Choose the format that matches the file's content."
        )
    return None


class ExportViewsMixin:
    """Export permission, native values and formula-safe formats, streaming CSV/TSV."""

    def get_export_resource_classes(self, request):
        from backoffice.resources import extra_export_resources

        declared = list(super().get_export_resource_classes(request))
        return declared + [r for r in extra_export_resources(self.model) if r not in declared]

    def has_export_permission(self, request):
        """``<app>.export_<model>`` (the library, from ``IMPORT_EXPORT_EXPORT_PERMISSION_CODE``);
        models without that permission (auth.User, history) need the view permission, which
        already shows every value on screen."""
        opts = self.opts
        if "export" in opts.default_permissions:
            return super().has_export_permission(request)
        return request.user.has_perm(f"{opts.app_label}.{get_permission_codename('view', opts)}")

    def export_admin_action(self, request, queryset):
        if not self.has_export_permission(request):  # also reached from a change page's button
            raise PermissionDenied
        return super().export_admin_action(request, queryset)

    def changelist_view(self, request, extra_context=None):
        # Django ignores an action the user may not run (a message, no error); for exports the
        # answer must be a refusal, like the export page's.
        posted_action = request.method == "POST" and request.POST.get("action")
        if posted_action == EXPORT_ACTION and not self.has_export_permission(request):
            raise PermissionDenied
        return super().changelist_view(request, extra_context)

    def export_action(self, request):
        """The library's export page, with two changes: "Export selected" offers only the
        posted rows that ``get_export_queryset`` gives this user (the library lists every id of
        the table, through a deprecated hook), and the file comes from ``export_response``."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        formats = self.get_export_formats()
        queryset = self.get_export_queryset(request)
        if self.is_skip_export_form_enabled():
            return self.export_response(formats[0](), request, queryset)
        form = self.get_export_form_class()(
            formats, self.get_export_resource_classes(request), data=request.POST or None
        )
        if "export_items" in request.POST:
            posted = queryset.filter(pk__in=request.POST.getlist("export_items"))
            form.fields["export_items"] = MultipleChoiceField(
                widget=MultipleHiddenInput,
                required=False,
                choices=[(pk, pk) for pk in posted.values_list("pk", flat=True)],
            )
        if form.is_valid():
            file_format = formats[int(form.cleaned_data["format"])]()
            selected = "export_items" in form.changed_data
            if selected:
                queryset = queryset.filter(pk__in=form.cleaned_data["export_items"])
            if exports.runs_as_job(queryset):
                return self._start_export_job(request, form, file_format, queryset, selected)
            try:
                return self.export_response(file_format, request, queryset, export_form=form)
            except (ValueError, FieldError) as exc:
                messages.error(request, str(exc))
        context = self.init_request_context_data(request, form)
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.export_template_name], context=context)

    def _start_export_job(self, request, form, file_format, queryset, selected):
        """A list bigger than ``EXPORT_IMMEDIATE_MAX_ROWS``: its export runs as a job (the
        list's query string, the ticked ids, the resource, format and columns kept to rebuild
        it on the worker) and the answer is the job's page, where the file is downloaded."""
        job = exports.start_export(
            user=request.user,
            model_admin=self,
            query=request.GET.urlencode(),
            resource_index=self.get_resource_index(form),
            format_index=FORMATS.index(type(file_format)),
            selected_fields=self.get_export_resource_fields_from_form(form),
            pks=form.cleaned_data["export_items"] if selected else None,
            file_name=self.get_export_filename(request, queryset, file_format),
        )
        messages.info(
            request,
            _("This export has more than %(limit)s rows: it runs as job #%(job)d.")
            % {"limit": f"{settings.EXPORT_IMMEDIATE_MAX_ROWS:,}", "job": job.pk},
        )
        return HttpResponseRedirect(reverse("admin:backoffice_datajob_change", args=[job.pk]))

    def export_response(self, file_format, request, queryset, export_form=None):
        """CSV and TSV stream row by row (``exporting``); other formats are built whole by the
        library's ``get_export_data``."""
        filename = self.get_export_filename(request, queryset, file_format)
        if exporting.streams(file_format):
            resource_class = self.choose_export_resource_class(export_form, request)
            return exporting.streaming_response(
                resource_class(**self.get_export_resource_kwargs(request)),
                queryset,
                file_format,
                filename=filename,
                selected_fields=self.get_export_resource_fields_from_form(export_form),
            )
        data = self.get_export_data(
            file_format, request, queryset, encoding=self.to_encoding, export_form=export_form
        )
        response = HttpResponse(data, content_type=file_format.get_content_type())
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        post_export.send(sender=None, model=self.model)
        return response

    def get_data_for_export(self, request, queryset, **kwargs):
        kwargs["force_native_type"] = True  # numbers stay numbers whatever the language
        return super().get_data_for_export(request, queryset, **kwargs)
