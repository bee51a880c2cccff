"""What every model admin of the back office shares.

Import and export come from django-import-export, closed where it leaves gaps
(``backoffice.importing.admin``): import needs add+change permission and runs as preview then
all-or-nothing confirm; export needs the model's export permission, streams CSV, escapes
formulas, and is offered for the filtered list (Export button) and for the selected rows
("Export selected" action) on every list.
"""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.views.main import ERROR_FLAG, SEARCH_VAR
from django.http import HttpResponseRedirect
from import_export.admin import ExportActionMixin, ImportExportMixin

from backoffice.importing.admin import ExportViewsMixin, ImportViewsMixin


class BackofficeAdmin(
    ImportViewsMixin, ExportViewsMixin, ImportExportMixin, ExportActionMixin, admin.ModelAdmin
):
    """Base class of every model admin: Import/Export through the model's resources."""

    list_per_page = 50

    def changelist_view(self, request, extra_context=None):
        """Junk in the address (a bad filter value, an unknown lookup) never ends in an error page.

        Django answers an unusable filter with a bare redirect to ``?e=1`` and, on that page, an
        "invalid setup" screen. Instead we say which parameters were ignored and show the list
        with only the search kept.
        """
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
