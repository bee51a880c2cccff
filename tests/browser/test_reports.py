"""Browser: the dashboard's charts, a report's CSV download, a Query Lab entry's SQL and result."""

import csv
import io

import pytest

from backoffice.reports.querylab.registry import load_entries
from tests.truth import reports as truth

pytestmark = pytest.mark.django_db(transaction=True)


def test_dashboard_shows_kpis_and_charts(seed, logged_in_page, live_server):
    page = logged_in_page
    page.goto(f"{live_server.url}/admin/")
    assert page.locator("#dashboard").is_visible()
    assert page.locator("#kpi-orders .kpi-value").inner_text() == str(len(truth.orders()))
    charts = page.locator(".dashboard-chart svg")
    assert charts.count() == 3
    assert page.locator(".dashboard-chart svg rect.bar").count() > 0
    # the text fallback opens and lists the months
    page.locator(".dashboard-chart details summary").first.click()
    months = page.locator(".dashboard-chart").first.locator(".chart-table th")
    assert sorted(months.all_inner_texts()) == sorted(truth.monthly())


def test_report_downloads_its_csv(seed, logged_in_page, live_server):
    page = logged_in_page
    page.goto(f"{live_server.url}/admin/reports/")
    page.click("text=Monthly sales")
    assert page.locator("table.report-table tbody tr").count() == len(truth.monthly())
    with page.expect_download() as download_info:
        page.click("a.report-csv")
    download = download_info.value
    assert download.suggested_filename.startswith("monthly-sales-")
    with open(download.path(), encoding="utf-8") as downloaded:
        lines = list(csv.reader(io.StringIO(downloaded.read())))
    assert lines[0][0] == "Month"
    assert [line[0] for line in lines[1:]] == sorted(truth.monthly())


def test_query_lab_entry_shows_sql_and_results(seed, logged_in_page, live_server):
    page = logged_in_page
    slug = next(slug for slug, entry in load_entries().items() if entry.errata)
    page.goto(f"{live_server.url}/admin/query-lab/")
    page.click(f"a[href$='/query-lab/{slug}/']")
    assert page.locator("pre.querylab-sql").count() >= 1
    assert "SELECT" in page.locator("pre.querylab-sql").first.inner_text().upper()
    assert page.locator("table.querylab-result tbody tr").count() >= 1
    assert int(page.locator(".query-count").first.inner_text()) >= 1
    assert "seed-errata.md" in page.locator(".errata").inner_text()
