"""The back office's admin site: the stock admin plus the dashboard, reports and Query Lab.

It lives outside the ``backoffice.admin`` package on purpose: Django imports it lazily while
setting up ``admin.site``, before the model admins in that package may register.
"""

from django.contrib import admin
from django.urls import path


class BackofficeAdminSite(admin.AdminSite):
    site_header = "Shop back office"
    site_title = "Shop back office"
    index_title = "Dashboard"

    def get_urls(self):
        from backoffice.admin import reports as views

        extra = [
            path("reports/", self.admin_view(views.reports_index), name="reports"),
            path("reports/<slug:slug>/", self.admin_view(views.report_detail), name="report"),
            path("query-lab/", self.admin_view(views.querylab_index), name="querylab"),
            path(
                "query-lab/<slug:slug>/",
                self.admin_view(views.querylab_entry),
                name="querylab_entry",
            ),
        ]
        return extra + super().get_urls()

    def autocomplete_view(self, request):
        from backoffice.admin.common.autocomplete import AutocompleteView

        return AutocompleteView.as_view(admin_site=self)(request)

    def index(self, request, extra_context=None):
        from backoffice.admin import reports as views

        extra_context = {**(extra_context or {}), **views.dashboard_context(request)}
        return super().index(request, extra_context)
