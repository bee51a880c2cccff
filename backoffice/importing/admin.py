"""Import and export views shared by every model admin (mixed into ``BackofficeAdmin``).

Replaces the library's import views (``import_action``, ``process_import``) because their
contract is the problem: the confirm form carries a file name, the confirm doesn't check what
it applies, and history is written for rows that were rolled back. The library's export
views stay; this mixin only adds permissions, native values, formula-safe formats and
streaming CSV on top.
"""

from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST
from import_export.forms import ImportForm
from import_export.signals import post_import

from backoffice.importing import exporting
from backoffice.importing.formats import FORMATS
from backoffice.importing.service import ImportJob, import_apply, import_preview, record_import
from backoffice.importing.uploads import (
    InvalidToken,
    PrivateImportStorage,
    sign_token,
    unsign_token,
)
from backoffice.models import ImportRecord

EXPORT_ACTION = "export_admin_action"


class BackofficeImportForm(ImportForm):
    """The library's form, but an empty file reaches our checks (and the import history)."""

    import_file = forms.FileField(label=_lazy("File to import"), allow_empty_file=True)


class ConfirmImportForm(forms.Form):
    """The confirm step carries one signed token, never a file name (see ``uploads``)."""

    confirmation = forms.CharField(widget=forms.HiddenInput())


class ImportViewsMixin:
    import_template_name = "admin/import_export/backoffice_import.html"
    import_form_class = BackofficeImportForm

    @property
    def formats(self):
        return FORMATS

    def has_import_permission(self, request):
        """Importing adds and changes rows: it needs both model permissions (the library: none).

        The model's permissions, not the admin's ``has_add_permission``: a list whose add form
        is switched off because the form would bypass a service (order lines) still takes
        historical data from a file. Audit trails switch imports off themselves.
        """
        opts = self.opts
        return all(
            request.user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")
            for action in ("add", "change")
        )

    def get_import_resource_classes(self, request):
        from backoffice.resources import extra_import_resources

        declared = list(super().get_import_resource_classes(request))
        return declared + [r for r in extra_import_resources(self.model) if r not in declared]

    def import_action(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_import_form(request)
        context = {}
        if request.method == "POST" and form.is_valid():
            context = self._preview(request, form)
        return self._render_import(request, form, context)

    def _preview(self, request, form) -> dict:
        upload = form.cleaned_data["import_file"]
        file_format = self.get_import_formats()[int(form.cleaned_data["format"])]()
        resource_class = self.choose_import_resource_class(form, request)
        job = ImportJob(
            resource_class=resource_class,
            file_format=file_format,
            data=b"",
            file_name=Path(upload.name).name,
            user=request.user,
            ignored_columns=self._export_only_columns(request, resource_class),
        )
        problem = upload_problem(upload, file_format)
        if problem is None:
            job.data = b"".join(upload.chunks())
            report = import_preview(job)
        else:
            report = job.new_report()
            report.problems.append(problem)
        if not report.ok:
            record_import(job, report, ImportRecord.Outcome.FAILED)
            return {"report": report}
        storage = PrivateImportStorage()
        self._sweep_abandoned(storage)
        token = storage.save(
            job.data,
            {
                "user_id": request.user.pk,
                "model_label": job.model_label,
                "resource": int(form.cleaned_data.get("resource") or 0),
                "format": int(form.cleaned_data["format"]),
                "file_name": job.file_name,
                "format_title": file_format.get_title(),
                "preview": report.comparable(),
                "counts": report.counts,
            },
        )
        # bound to this admin page (a Tags page may import product-tag links)
        confirmation = sign_token(
            token, user_id=request.user.pk, model_label=self.model._meta.label
        )
        confirm_form = ConfirmImportForm(initial={"confirmation": confirmation})
        return {"report": report, "confirm_form": confirm_form}

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
        """Uploads nobody confirmed or cancelled in time: removed, and recorded as abandoned."""
        for meta in storage.remove_stale():
            if not meta.get("model_label"):
                continue
            ImportRecord.objects.create(
                user_id=meta.get("user_id"),
                model_label=meta["model_label"],
                file_name=meta.get("file_name", "")[:255],
                file_format=meta.get("format_title", "")[:20],
                outcome=ImportRecord.Outcome.ABANDONED,
                rows_total=len(meta.get("preview", [])),
                message="Previewed but neither confirmed nor cancelled in time; file removed.",
            )

    @staticmethod
    def _make_rules_context():
        from backoffice.importing import rules

        return {"number_rules": rules.NUMBER_RULES, "date_rules": rules.DATE_RULES}

    def _render_import(self, request, form, context, status=200):
        resources = self.get_import_resource_classes(request)
        context = {
            **self.admin_site.each_context(request),
            **self._make_rules_context(),
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

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        storage = PrivateImportStorage()
        form = ConfirmImportForm(request.POST)
        try:
            if not form.is_valid():
                raise InvalidToken("This confirmation is not valid: upload the file again.")
            token = unsign_token(
                form.cleaned_data["confirmation"],
                user_id=request.user.pk,
                model_label=self.model._meta.label,
            )
            data, meta = storage.read(token)
        except InvalidToken as exc:
            messages.error(request, str(exc))
            return self._render_import(request, self.create_import_form_blank(request), {}, 400)
        resource_class = self.get_import_resource_classes(request)[meta["resource"]]
        job = ImportJob(
            resource_class=resource_class,
            file_format=self.get_import_formats()[meta["format"]](),
            data=data,
            file_name=meta["file_name"],
            user=request.user,
            ignored_columns=self._export_only_columns(request, resource_class),
        )
        storage.remove(token)  # confirm, cancel or failure: the upload is used up either way
        if "cancel" in request.POST:
            record_import(job, job.new_report(), ImportRecord.Outcome.ABANDONED, "Cancelled.")
            messages.info(request, _("Import cancelled; nothing was imported."))
            return HttpResponseRedirect(self._changelist_url())
        applied, report = import_apply(
            job,
            meta["preview"],
            on_applied=lambda result: self.generate_log_entries(result, request),
        )
        if not applied:
            record_import(job, report, ImportRecord.Outcome.FAILED)
            messages.error(request, _("Nothing was imported: see the problems below."))
            return self._render_import(
                request, self.create_import_form_blank(request), {"report": report, "failed": True}
            )
        record_import(job, report, ImportRecord.Outcome.APPLIED)
        post_import.send(sender=None, model=self.model)
        counts = report.counts
        messages.success(
            request,
            _("Import finished: %(new)d new, %(updated)d updated, %(unchanged)d unchanged.")
            % counts,
        )
        return HttpResponseRedirect(self._changelist_url())

    def create_import_form_blank(self, request):
        return self.get_import_form_class(request)(
            self.get_import_formats(), self.get_import_resource_classes(request)
        )

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
        """``<app>.export_<model>``; models without that permission (auth.User, history) need
        the view permission, which already shows every value on screen."""
        opts = self.opts
        action = "export" if "export" in opts.default_permissions else "view"
        codename = get_permission_codename(action, opts)
        return request.user.has_perm(f"{opts.app_label}.{codename}")

    def export_action(self, request):
        if not self.has_export_permission(request):
            raise PermissionDenied
        return super().export_action(request)

    def export_admin_action(self, request, queryset):
        if not self.has_export_permission(request):
            raise PermissionDenied
        return super().export_admin_action(request, queryset)

    def changelist_view(self, request, extra_context=None):
        # Django ignores an action the user may not run (a message, no error); for exports the
        # answer must be a refusal, like the export page's.
        posted_action = request.method == "POST" and request.POST.get("action")
        if posted_action == EXPORT_ACTION and not self.has_export_permission(request):
            raise PermissionDenied
        return super().changelist_view(request, extra_context)

    def get_valid_export_item_pks(self, request):
        """The posted ids this user may see (the library lists every id of the table)."""
        posted = request.POST.getlist("export_items")
        return self.get_queryset(request).filter(pk__in=posted).values_list("pk", flat=True)

    def get_export_data(self, file_format, request, queryset, **kwargs):
        if not self.has_export_permission(request):
            raise PermissionDenied
        kwargs["force_native_type"] = True  # numbers stay numbers whatever the language
        data = self.get_data_for_export(request, queryset, **kwargs)
        return file_format.export_data(data)

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        if not exporting.streams(file_format):
            return super()._do_file_export(file_format, request, queryset, export_form)
        if not self.has_export_permission(request):
            raise PermissionDenied
        resource_class = self.choose_export_resource_class(export_form, request)
        resource = resource_class(**self.get_export_resource_kwargs(request))
        fields = self.get_export_resource_fields_from_form(export_form)
        filename = self.get_export_filename(request, queryset, file_format)
        return exporting.streaming_response(
            resource, queryset, file_format, filename=filename, selected_fields=fields
        )
