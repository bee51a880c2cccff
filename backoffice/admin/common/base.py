"""What every model admin of the back office shares.

Import and export come from django-import-export, closed where it leaves gaps
(``backoffice.importing.admin``): import needs add+change permission and runs as preview then
all-or-nothing confirm; export needs the model's export permission, streams CSV, escapes
formulas, and is offered for the filtered list (Export button) and for the selected rows
("Export selected" action) on every list.
"""

import contextlib
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.contrib.admin.views.main import ERROR_FLAG, SEARCH_VAR
from django.core.exceptions import FieldDoesNotExist
from django.db import DataError, connection, models
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpResponseRedirect
from import_export.admin import ExportActionMixin, ImportExportMixin

from backoffice.admin.common.changelist import PageFirstChangeList
from backoffice.admin.common.pagination import EstimatedCountPaginator
from backoffice.admin.common.search import IdSetSearchMixin
from backoffice.figures import collecting
from backoffice.importing.admin import ExportViewsMixin, ImportViewsMixin


class JunkParametersMixin:
    """Junk in a list's address or a search gives the list and a message, never an error page.

    Part of ``BackofficeAdmin``; also mixed into the admins of Django's own models that we keep
    (groups), so every list and the autocomplete endpoint behave the same.
    """

    def get_search_results(self, request, queryset, search_term):
        """A NUL character matches nothing (PostgreSQL refuses it in text: a DataError).

        The list and the admin's autocomplete endpoint both search through here."""
        if NUL in search_term:
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    def get_changelist_instance(self, request):
        """Filter values the database cannot take become Django's "incorrect lookup" case.

        Django turns errors raised while *building* the filters into ``IncorrectLookupParameters``
        but not those raised when the query runs (in ``ChangeList.__init__``): a year past 9999
        (OverflowError). A refused statement (DataError) is caught too when no transaction is
        open (a request's normal case); numbers no column can hold are refused before the query
        by ``refuse_unusable_parameters``, so that case never reaches the database.
        """
        try:
            return super().get_changelist_instance(request)
        except (OverflowError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error
        except DataError as error:
            if connection.in_atomic_block:  # the transaction is broken: let it fail whole
                raise
            raise IncorrectLookupParameters(error) from error

    def changelist_view(self, request, extra_context=None):
        """Junk in the address (a bad filter value, an unknown lookup) never ends in an error page.

        Django answers an unusable filter with a bare redirect to ``?e=1`` and, on that page, an
        "invalid setup" screen. Instead we say which parameters were ignored and show the list
        with only the search kept.
        """
        refused = self.refuse_unusable_parameters(request)
        if refused:
            return refused
        response = super().changelist_view(request, extra_context)
        redirected_to_error = (
            isinstance(response, HttpResponseRedirect) and response.url.endswith(f"?{ERROR_FLAG}=1")
        ) or (
            ERROR_FLAG in request.GET
            and getattr(response, "template_name", "") == "admin/invalid_setup.html"
        )
        if not redirected_to_error:
            return response
        ignored = sorted(key for key in request.GET if key not in {ERROR_FLAG, SEARCH_VAR})
        messages.warning(
            request,
            "Some filters in the address could not be applied and were removed: "
            + (", ".join(f"{key}={request.GET[key]}" for key in ignored) or "(unknown)")
            + ".",
        )
        kept = {SEARCH_VAR: request.GET[SEARCH_VAR]} if request.GET.get(SEARCH_VAR) else {}
        return HttpResponseRedirect(request.path + (f"?{urlencode(kept)}" if kept else ""))

    def refuse_unusable_parameters(self, request):
        """Values no column can hold: redirect without them, saying what was removed.

        A NUL character (PostgreSQL refuses it in text with a DataError) or, on a number field,
        a number past any column's range (``1e999999``: numeric overflow) can match nothing;
        we drop them rather than run the query."""
        unusable = [
            key
            for key, value in request.GET.items()
            if NUL in key or NUL in value or self.is_overflowing_number(key, value)
        ]
        if not unusable:
            return None
        kept, removed = {}, []
        for key, value in request.GET.items():
            if key not in unusable:
                kept[key] = value
            elif key == SEARCH_VAR:
                messages.warning(request, "A search cannot contain NUL characters; it was removed.")
            else:
                removed.append(f"{key}={value}".replace(NUL, "\\0"))
        if removed:
            messages.warning(
                request,
                "Some filters in the address could not be applied and were removed: "
                + ", ".join(removed)
                + " (a NUL character, or a number too large for any column).",
            )
        return HttpResponseRedirect(request.path + (f"?{urlencode(kept)}" if kept else ""))

    def is_overflowing_number(self, key: str, value: str) -> bool:
        parts = key.split(LOOKUP_SEP)
        field = None
        # the field and one lookup; longer keys (``price__range__gte``) are list filters' own
        for end in range(len(parts), max(len(parts) - 2, 0), -1):
            try:
                field = get_fields_from_path(self.model, LOOKUP_SEP.join(parts[:end]))[-1]
                break
            except (FieldDoesNotExist, NotRelationField):
                continue
        if not isinstance(field, (models.DecimalField, models.FloatField, models.IntegerField)):
            return False
        try:
            number = Decimal(value)
        except InvalidOperation:
            return False  # not a number: Django's own lookup check answers it
        return not number.is_finite() or number.adjusted() > MAX_NUMBER_EXPONENT


def _collecting_if_posted(request):
    return collecting() if request.method == "POST" else contextlib.nullcontext()


def _recomputing_figures_once(view_name: str):
    """``BackofficeAdmin``'s ``view_name``: the inherited view, with the kept figures a POST
    moves recomputed once, at its end, instead of after each row it writes."""

    def view(self, request, *args, **kwargs):
        with _collecting_if_posted(request):
            return getattr(super(BackofficeAdmin, self), view_name)(request, *args, **kwargs)

    view.__name__ = view_name
    view.__qualname__ = f"BackofficeAdmin.{view_name}"
    return view


class BackofficeAdmin(
    JunkParametersMixin,
    IdSetSearchMixin,
    ImportViewsMixin,
    ExportViewsMixin,
    ImportExportMixin,
    ExportActionMixin,
    admin.ModelAdmin,
):
    """Base class of every model admin: Import/Export through the model's resources, the search
    by id sets (``search``: each table's condition served by its own index)."""

    list_per_page = 50
    # An unfiltered big list is counted from the statistics (``pagination``); the "(N total)"
    # beside a filtered count would count the whole table again, so it is not shown.
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def get_changelist(self, request, **kwargs):
        return PageFirstChangeList

    # Every write a page makes (a save, the list's editable columns, an action, a delete, an
    # import) moves kept figures; they are recomputed once, at the end, in its transaction.
    changeform_view = _recomputing_figures_once("changeform_view")
    changelist_view = _recomputing_figures_once("changelist_view")
    delete_view = _recomputing_figures_once("delete_view")
    process_import = _recomputing_figures_once("process_import")

    def get_deleted_objects(self, objs, request):
        """Django also asks for the delete permission on the rows that *protect* the selection
        (an order, whose admin refuses to delete it), and its page then blames a missing
        permission; those rows are never deleted, so the reason shown is the protection."""
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            perms_needed = set()
        return to_delete, model_count, perms_needed, protected


NUL = "\x00"
# No column of ours holds a number of more than 20 digits (bigint: 19; our decimals: 14)
MAX_NUMBER_EXPONENT = 20
