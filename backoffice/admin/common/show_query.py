""" "Show the query" on admin lists: the SQL behind the current page and how many queries it took.

For staff with the Query Lab permission, a list opened with ``?_show_query=1`` captures every
query the page runs and prints them under the results. The panel is rendered last, and reads
the captured queries lazily, so it lists everything the page did up to that point.
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext

SHOW_QUERY_PARAM = "_show_query"
QUERY_LAB_PERMISSION = "backoffice.use_query_lab"


class CapturedQueries:
    """The queries captured so far; the template reads it at the end of the page."""

    def __init__(self, capture: CaptureQueriesContext):
        self._capture = capture

    @property
    def queries(self) -> list[str]:
        return [query["sql"] for query in self._capture.captured_queries]

    @property
    def count(self) -> int:
        return len(self._capture.captured_queries)


class ShowQueryMixin:
    def changelist_view(self, request, extra_context=None):
        allowed = request.user.has_perm(QUERY_LAB_PERMISSION)
        wanted = SHOW_QUERY_PARAM in request.GET
        if wanted:
            # not a filter: take it out before the changelist reads the parameters
            request.GET = request.GET.copy()
            request.GET.pop(SHOW_QUERY_PARAM)
        extra_context = {**(extra_context or {}), "can_show_query": allowed}
        if not (wanted and allowed):
            return super().changelist_view(request, extra_context)
        with CaptureQueriesContext(connection) as capture:
            extra_context["captured_queries"] = CapturedQueries(capture)
            response = super().changelist_view(request, extra_context)
            if hasattr(response, "render"):
                response.render()
        return response
