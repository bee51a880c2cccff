"""Admin pages that are not a model's: the dashboard, the reports and the Query Lab.

Wired into the admin by ``backoffice.sites.BackofficeAdminSite.get_urls`` (each behind
``admin_view``, so login and staff status are required), with a permission check each.
"""

from django.contrib import admin
from django.contrib.admin.views.main import PAGE_VAR
from django.core.exceptions import PermissionDenied
from django.http import Http404, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from backoffice.reports.permissions import (
    VIEW_CUSTOMER,
    missing_permissions,
    permission_names,
    unavailable_reason,
)
from backoffice.reports.querylab.registry import entries_by_section, load_entries
from backoffice.reports.querylab.runner import display, run_entry

QUERY_LAB_PERMISSION = "backoffice.use_query_lab"
REPORTS_PERMISSION = "backoffice.view_reports"


def require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def page(request, template: str, title: str, status: int = 200, **context):
    return TemplateResponse(
        request,
        template,
        {**admin.site.each_context(request), "title": title, **context},
        status=status,
    )


def permission_needed(request, reason: str, item_title: str, back_title: str, back_url: str):
    """403 with a page saying which permission the report or lab entry needs."""
    return page(
        request,
        "admin/backoffice/permission_needed.html",
        f"{item_title}: permission needed",
        status=403,
        reason=reason,
        item_title=item_title,
        back_title=back_title,
        back_url=back_url,
    )


def availability(request, items) -> dict[str, str]:
    """slug → why the user may not open it (absent when they may), in one query at most."""
    missing = {p for item in items for p in missing_permissions(request.user, item.requires)}
    names = permission_names(sorted(missing))
    return {
        item.slug: reason
        for item in items
        if (reason := unavailable_reason(request.user, item.requires, names))
    }


# --- Query Lab ------------------------------------------------------------------------------


def querylab_index(request):
    require(request, QUERY_LAB_PERMISSION)
    return page(
        request,
        "admin/backoffice/querylab/index.html",
        "Query Lab",
        sections=entries_by_section(),
        unavailable=availability(request, load_entries().values()),
    )


def querylab_entry(request, slug):
    require(request, QUERY_LAB_PERMISSION)
    entry = load_entries().get(slug)
    if entry is None:
        raise Http404("No such Query Lab entry")
    reason = unavailable_reason(request.user, entry.requires)
    if reason:
        return permission_needed(
            request, reason, entry.title, "Query Lab", reverse("admin:querylab")
        )
    analyze = request.user.is_superuser and request.GET.get("analyze") == "1"
    run = run_entry(entry, explain=True, analyze=analyze)
    for variant in run.variants:
        if variant.result:
            variant.result.rows = [[display(cell) for cell in row] for row in variant.result.rows]
    return page(
        request,
        "admin/backoffice/querylab/entry.html",
        f"Query Lab: {entry.title}",
        entry=entry,
        run=run,
        analyze=analyze,
        can_analyze=request.user.is_superuser,
    )


# --- Dashboard and reports ------------------------------------------------------------------


def dashboard_context(request) -> dict:
    """The dashboard above the app list, for staff who may view reports."""
    from backoffice.reports.dashboard import dashboard_figures

    if not request.user.has_perm(REPORTS_PERMISSION):
        return {}
    return {
        "dashboard": dashboard_figures(),
        "dashboard_links": dashboard_links(request),
        # the top-customers panel names customers: only for staff who may view customers
        "dashboard_customers_reason": unavailable_reason(request.user, (VIEW_CUSTOMER,)),
    }


def sorted_list_url(request, model, column: str, descending: bool = True) -> str:
    """The model's admin list sorted by one of its columns (``?o=`` takes column positions)."""
    from django.urls import reverse

    model_admin = admin.site._registry[model]
    columns = list(model_admin.get_list_display(request))
    position = columns.index(column) + (1 if model_admin.get_actions(request) else 0)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return f"{url}?o={'-' if descending else ''}{position}"


def dashboard_links(request) -> dict:
    """Where each dashboard list leads: the admin list filtered or sorted the same way."""
    from urllib.parse import urlencode

    from django.urls import reverse

    from backoffice.models import Customer, Product
    from backoffice.querysets.catalog import STOCK_LOW, STOCK_OUT

    products = reverse("admin:backoffice_product_changelist")
    return {
        "products_by_revenue": sorted_list_url(request, Product, "revenue"),
        "customers_by_spending": sorted_list_url(request, Customer, "total_spent"),
        "low_stock": f"{products}?{urlencode({'stock_status': STOCK_LOW, 'is_active__exact': 1})}",
        "out_of_stock": f"{products}?{urlencode({'stock_status': STOCK_OUT, 'is_active__exact': 1})}",
    }


def reports_index(request):
    from backoffice.reports.registry import REPORTS

    require(request, REPORTS_PERMISSION)
    return page(
        request,
        "admin/backoffice/reports/index.html",
        "Reports",
        reports=REPORTS.values(),
        unavailable=availability(request, REPORTS.values()),
    )


def report_detail(request, slug):
    from backoffice.reports.base import csv_chunks
    from backoffice.reports.registry import REPORTS

    require(request, REPORTS_PERMISSION)
    spec = REPORTS.get(slug)
    if spec is None:
        raise Http404("No such report")
    reason = unavailable_reason(request.user, spec.requires)
    if reason:
        return permission_needed(request, reason, spec.title, "Reports", reverse("admin:reports"))
    form = spec.form_class(request.GET or None)

    def report_page(**context):
        return page(
            request,
            "admin/backoffice/reports/report.html",
            spec.title,
            spec=spec,
            form=form,
            **context,
        )

    if form.is_bound and not form.is_valid():
        return report_page(table=None)
    table = spec.build(form)
    if request.GET.get("format") == "csv":
        # every row of the report, not the page: streamed, so memory stays flat at any size
        response = StreamingHttpResponse(csv_chunks(table), content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d")
        response["Content-Disposition"] = f'attachment; filename="{slug}-{stamp}.csv"'
        return response
    if table.source is not None:
        table.show_page(request.GET.get(PAGE_VAR))
    rows = [
        {
            "cells": [(row.get(column.key), column.kind) for column in table.columns],
            "link": table.links[i] if i < len(table.links) else "",
        }
        for i, row in enumerate(table.rows)
    ]
    return report_page(
        table=table,
        rows=rows,
        csv_query=query_with(request, format="csv", **{PAGE_VAR: None}),
        page_links=page_links(request, table.page),
    )


def query_with(request, **changes) -> str:
    """The request's query string with these parameters set (None: removed)."""
    query = request.GET.copy()
    for name, value in changes.items():
        query.pop(name, None)
        if value is not None:
            query[name] = value
    return query.urlencode()


def page_links(request, report_page) -> list[tuple[object, str]]:
    """(page number or the ellipsis, its query string; "" for the current page and the
    ellipsis) for a paged report's pager, as Django's elided page range."""
    if report_page is None or report_page.paginator.num_pages < 2:
        return []
    paginator = report_page.paginator
    return [
        (
            number,
            ""
            if number in (report_page.number, paginator.ELLIPSIS)
            else query_with(request, **{PAGE_VAR: number}),
        )
        for number in paginator.get_elided_page_range(report_page.number)
    ]
