"""What every model admin of the back office shares."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.admin.views.main import ERROR_FLAG, SEARCH_VAR
from django.http import HttpResponseRedirect
from import_export.admin import ImportExportModelAdmin


class BackofficeAdmin(ImportExportModelAdmin):
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
