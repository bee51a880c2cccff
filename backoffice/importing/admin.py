"""Import and export views shared by every model admin (mixed into ``BackofficeAdmin``).

The library's views and hooks carry most of the work; this module fills in what they leave
open, each through the hook the library offers for it:

* import needs "change" (``IMPORT_EXPORT_IMPORT_PERMISSION_CODE``) and "add" (one permission
  code can't name two permissions: ``has_import_permission`` adds it); export needs
  ``<app>.export_<model>`` (``IMPORT_EXPORT_EXPORT_PERMISSION_CODE``), or "view" for models
  without that permission;
* the preview step (``import_action``) is ours: the library reads the file before any check
  and shows exception class names, runs the dry run outside a transaction we can reason about
  and keeps no record of the rows it previewed. Ours refuses bad uploads with sentences
  (``formats``), keeps the upload privately (``uploads``), records failures in the import
  history and stores the preview for the confirm step;
* the confirm step is the library's ``process_import`` with our ``confirm_form_class`` (one
  signed token, never a file name), ``process_dataset`` (apply exactly the preview or nothing,
  admin history in the same transaction: ``service.import_apply``) and ``process_result``
  (import history, message); a refused confirmation answers 400, and Cancel is handled;
* export goes through ``get_export_queryset`` (what the list shows, the user's rows only) and
  streams CSV/TSV (``exporting``); values stay native (numbers are numbers) in every format.
"""

from dataclasses import dataclass
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
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST
from import_export.forms import ImportForm
from import_export.signals import post_export, post_import

from backoffice.importing import exporting, rules
from backoffice.importing.formats import FORMATS
from backoffice.importing.report import ImportReport
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
    """The confirm step carries one signed token, never a file name (see ``uploads``).

    Valid only for the user and the admin page it was made for, while its upload exists; its
    ``cleaned_data`` then holds what the library's ``process_import`` reads (the token as
    ``import_file_name``, ``format``, ``resource``, ``original_file_name``) and the stored
    ``meta`` (who uploaded what, and the preview's rows).
    """

    confirmation = forms.CharField(widget=forms.HiddenInput())

    def __init__(self, *args, user_id=None, model_label="", **kwargs):
        super().__init__(*args, **kwargs)
        self.user_id = user_id
        self.model_label = model_label

    def clean(self):
        value = self.cleaned_data.get("confirmation")
        try:
            if not value:
                raise InvalidToken("This confirmation is not valid: upload the file again.")
            token = unsign_token(value, user_id=self.user_id, model_label=self.model_label)
            meta = PrivateImportStorage().read_meta(token)
        except InvalidToken as exc:
            raise forms.ValidationError(str(exc)) from None
        return {
            "confirmation": value,
            "import_file_name": token,
            "original_file_name": meta["file_name"],
            "format": meta["format"],
            "resource": meta["resource"],
            "meta": meta,
        }


@dataclass
class ConfirmOutcome:
    """What ``process_dataset`` hands ``process_result``: the job, applied or not, the report."""

    job: ImportJob
    applied: bool
    report: ImportReport


class ImportViewsMixin:
    import_template_name = "admin/import_export/backoffice_import.html"
    import_form_class = BackofficeImportForm
    confirm_form_class = ConfirmImportForm

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
        job = self._job(request, form, file_format, Path(upload.name).name)
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
        upload.tmp_storage_name = storage.save(
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
        return {"report": report, "confirm_form": self.create_confirm_form(request, form)}

    def _job(self, request, form, file_format, file_name, dataset=None) -> ImportJob:
        resource_class = self.choose_import_resource_class(form, request)
        return ImportJob(
            resource_class=resource_class,
            file_format=file_format,
            data=b"",
            file_name=file_name,
            user=request.user,
            ignored_columns=self._export_only_columns(request, resource_class),
            dataset=dataset,
            resource_kwargs=self.get_import_resource_kwargs(request, form=form),
            import_kwargs=self.get_import_data_kwargs(request=request, form=form),
        )

    def get_confirm_form_kwargs(self, request, import_form=None):
        kwargs = super().get_confirm_form_kwargs(request, import_form)
        return {**kwargs, "user_id": request.user.pk, "model_label": self.model._meta.label}

    def get_confirm_form_initial(self, request, import_form):
        """The signed token of the stored upload, bound to the user and to this admin page (a
        Tags page may import product-tag links: the page, not the resource's model)."""
        if import_form is None:
            return {}
        token = import_form.cleaned_data["import_file"].tmp_storage_name
        label = self.model._meta.label
        return {"confirmation": sign_token(token, user_id=request.user.pk, model_label=label)}

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

    # --- step 2: confirm or cancel (the library's process_import, on its hooks) -----------

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        """The library's confirm step; a confirmation that doesn't hold (forged, another
        user's, expired, used up) is refused with 400 and the upload form, and Cancel throws
        the upload away."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        try:
            if "cancel" in request.POST:
                return self._cancel_import(request)
            return super().process_import(request, **kwargs)
        except InvalidToken as exc:
            messages.error(request, str(exc))
            return self._render_import(request, self.create_import_form_blank(request), {}, 400)

    def create_confirm_form(self, request, import_form=None):
        form = super().create_confirm_form(request, import_form)
        if import_form is None and not form.is_valid():  # the posted confirm step
            raise InvalidToken(" ".join(form.non_field_errors()) or form.errors.as_text())
        return form

    def _cancel_import(self, request):
        form = self.create_confirm_form(request)
        meta = form.cleaned_data["meta"]
        PrivateImportStorage().remove(form.cleaned_data["import_file_name"])
        file_format = self.get_import_formats()[meta["format"]]()
        job = self._job(request, form, file_format, meta["file_name"])
        record_import(job, job.new_report(), ImportRecord.Outcome.ABANDONED, "Cancelled.")
        messages.info(request, _("Import cancelled; nothing was imported."))
        return HttpResponseRedirect(self._changelist_url())

    def process_dataset(self, dataset, form, request, **kwargs):
        """Apply the file only if it does exactly what its preview showed, else nothing; the
        admin history is written in the same transaction (``service.import_apply``)."""
        meta = form.cleaned_data["meta"]
        # confirmed, refused or failed: the upload is used up either way
        PrivateImportStorage().remove(form.cleaned_data["import_file_name"])
        file_format = self.get_import_formats()[meta["format"]]()
        job = self._job(request, form, file_format, meta["file_name"], dataset=dataset)
        applied, report = import_apply(
            job,
            meta["preview"],
            on_applied=lambda result: self.generate_log_entries(result, request),
        )
        return ConfirmOutcome(job, applied, report)

    def process_result(self, outcome, request):
        """The import history entry, the message, the post_import signal and the redirect (the
        admin history is already written, with the rows)."""
        if not outcome.applied:
            record_import(outcome.job, outcome.report, ImportRecord.Outcome.FAILED)
            messages.error(request, _("Nothing was imported: see the problems below."))
            context = {"report": outcome.report, "failed": True}
            return self._render_import(request, self.create_import_form_blank(request), context)
        record_import(outcome.job, outcome.report, ImportRecord.Outcome.APPLIED)
        self.add_success_message(outcome, request)
        post_import.send(sender=None, model=self.model)
        return HttpResponseRedirect(self._changelist_url())

    def add_success_message(self, outcome, request):
        messages.success(
            request,
            _("Import finished: %(new)d new, %(updated)d updated, %(unchanged)d unchanged.")
            % outcome.report.counts,
        )

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
            if "export_items" in form.changed_data:
                queryset = queryset.filter(pk__in=form.cleaned_data["export_items"])
            try:
                return self.export_response(file_format, request, queryset, export_form=form)
            except (ValueError, FieldError) as exc:
                messages.error(request, str(exc))
        context = self.init_request_context_data(request, form)
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.export_template_name], context=context)

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
