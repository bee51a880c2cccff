"""Exports as jobs: a list bigger than EXPORT_IMMEDIATE_MAX_ROWS is exported by a task worker
into a private file that its owner downloads from the job's page for a day; small lists stay
immediate. Through the admin's own Export page, as staff use it."""

import csv
import io
import json
from datetime import datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from backoffice.jobs import exports, imports, progress
from backoffice.models import DataJob, Order, Product
from backoffice.resources import OrderResource, ProductResource
from tests.factories import ProductFactory, staff_user
from tests.importing.conftest import export_form_data, page_text, streamed_text
from tests.jobs.conftest import job_status, wait_for

pytestmark = pytest.mark.django_db

Status = DataJob.Status
EXPORTER = ("backoffice.view_product", "backoffice.export_product")
SEARCH = "?q=Big+export"


def export_url(model="product"):
    return reverse(f"admin:backoffice_{model}_export")


def job_page(job) -> str:
    return reverse("admin:backoffice_datajob_change", args=[job.pk])


def download_url(job) -> str:
    return reverse("admin:backoffice_datajob_download", args=[job.pk])


def body(response) -> bytes:
    assert response.status_code == 200, response
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def big_list(seed, settings):
    """Six products the search finds (with the seed's ten that it doesn't): more than the
    limit, which the tests set to 3."""
    settings.EXPORT_IMMEDIATE_MAX_ROWS = 3
    return [
        ProductFactory(name=f"Big export item {n}", price=Decimal("12.50"), stock_quantity=n)
        for n in range(6)
    ]


@pytest.fixture
def owner(client):
    user = staff_user(*EXPORTER, username="exporter")
    client.force_login(user)
    return user


def start_big_export(client, fmt="csv", query=SEARCH) -> DataJob:
    response = client.post(export_url() + query, export_form_data(ProductResource, fmt))
    job = DataJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job_page(job)
    return job


def test_a_big_export_runs_as_a_job_whose_owner_downloads_the_listed_rows(big_list, client, owner):
    job = start_big_export(client)  # tasks run where they are enqueued in these tests
    job.refresh_from_db()
    assert (job.kind, job.step, job.status) == ("export", "export", Status.SUCCEEDED)
    assert job.options["query"] == "q=Big+export"  # the list, not its rows, is kept
    assert (job.rows_total, job.rows_done) == (6, 6)
    assert job.expires_at - timezone.now() > timedelta(hours=23)
    page = client.get(job_page(job))
    assert download_url(job) in page.content.decode()
    assert "Exported 6 rows." in page_text(page)

    response = client.get(download_url(job))
    assert response.streaming  # a FileResponse from disk, not the file in memory
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="Product-')
    rows = list(csv.DictReader(io.StringIO(body(response).decode("utf-8-sig"))))
    assert sorted(row["name"] for row in rows) == sorted(p.name for p in big_list)
    assert {row["price"] for row in rows} == {"12.50"}


def test_the_jobs_file_is_the_immediate_exports_file(big_list, client, owner, settings):
    """The same list, columns and ordering give the same file, whichever path wrote it."""
    for fmt in ("csv", "tsv", "json"):
        DataJob.objects.all().delete()
        job = start_big_export(client, fmt, SEARCH + "&o=-4")
        from_job = body(client.get(download_url(job)))
        settings.EXPORT_IMMEDIATE_MAX_ROWS = 10_000
        immediate = client.post(
            export_url() + SEARCH + "&o=-4", export_form_data(ProductResource, fmt)
        )
        settings.EXPORT_IMMEDIATE_MAX_ROWS = 3
        if fmt == "json":
            assert json.loads(from_job) == json.loads(body(immediate)), fmt
        else:
            assert from_job == body(immediate), fmt


def test_only_the_owner_and_superusers_download_it(big_list, client, owner, django_user_model):
    job = start_big_export(client)
    colleague = staff_user(*EXPORTER, "backoffice.view_datajob", username="colleague")
    client.force_login(colleague)
    assert client.get(download_url(job)).status_code == 404
    assert client.get(job_page(job)).status_code == 404
    boss = django_user_model.objects.create_superuser("boss", "boss@example.com", "pw", id=9999)
    client.force_login(boss)
    assert client.get(download_url(job)).status_code == 200


def test_after_its_day_the_file_is_deleted_and_the_page_says_it_expired(
    big_list, client, owner, settings
):
    job = start_big_export(client)
    job.refresh_from_db()
    path = exports.ExportFiles().path(job.file_token)
    assert path.is_file()
    assert client.get(download_url(job)).status_code == 200
    DataJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(download_url(job))
    assert response.status_code == 302 and response["Location"] == job_page(job)
    assert not path.exists()
    page = client.get(job_page(job))
    assert "has expired: it is deleted" in page_text(page)
    assert download_url(job) not in page.content.decode()
    assert DataJob.objects.get(pk=job.pk).file_token == ""


def test_the_file_is_private_and_named_by_a_token(big_list, client, owner, private_import_dir):
    job = start_big_export(client)
    job.refresh_from_db()
    path = exports.ExportFiles().path(job.file_token)
    assert path.parent == private_import_dir / "exports"
    assert path.name == f"{job.file_token}.export" and len(job.file_token) == 32
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(FileNotFoundError):
        exports.ExportFiles().path("../../etc/passwd")


def test_the_job_list_sweeps_expired_files_too(big_list, client, owner):
    job = start_big_export(client)
    job.refresh_from_db()
    path = exports.ExportFiles().path(job.file_token)
    DataJob.objects.filter(pk=job.pk).update(expires_at=timezone.now())
    assert client.get(reverse("admin:backoffice_datajob_changelist")).status_code == 200
    assert not path.exists()


def test_xlsx_dates_are_excel_dates_in_the_shops_time_zone_and_numbers_are_numbers(
    seed, client, settings
):
    settings.EXPORT_IMMEDIATE_MAX_ROWS = 2
    settings.TIME_ZONE = "Europe/Berlin"
    client.force_login(staff_user("backoffice.view_order", "backoffice.export_order"))
    response = client.post(
        export_url("order") + "?status__exact=delivered", export_form_data(OrderResource, "xlsx")
    )
    job = DataJob.objects.get()
    assert response["Location"] == job_page(job)
    download = client.get(download_url(job))
    assert download["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(body(download))).active
    rows = list(sheet.iter_rows())
    headers = [cell.value for cell in rows[0]]
    by_id = {row[headers.index("id")].value: row for row in rows[1:]}
    assert set(by_id) == set(Order.objects.filter(status="delivered").values_list("pk", flat=True))
    first = by_id[1]
    date_cell = first[headers.index("order_date")]
    assert date_cell.is_date and date_cell.data_type == "d"
    # 2024-03-01T14:30:00Z is 15:30 in Berlin; Excel holds no time zone
    assert date_cell.value == datetime(2024, 3, 1, 15, 30)
    total = first[headers.index("total_amount")]
    assert total.data_type == "n"
    assert Decimal(str(total.value)) == Order.objects.get(pk=1).total_amount
    assert first[headers.index("status")].data_type == "s"


def test_a_small_export_stays_immediate(big_list, client, owner, settings):
    settings.EXPORT_IMMEDIATE_MAX_ROWS = 6  # exactly the list: not more than the limit
    response = client.post(export_url() + SEARCH, export_form_data(ProductResource, "csv"))
    assert response.streaming
    assert len(streamed_text(response).splitlines()) == 7  # the header and six rows
    assert not DataJob.objects.exists()


def test_export_selected_of_many_rows_runs_as_a_job_of_exactly_those_rows(big_list, client, owner):
    chosen = [str(p.pk) for p in big_list[:4]]
    data = export_form_data(ProductResource, "csv", export_items=chosen)
    response = client.post(export_url(), data)
    job = DataJob.objects.get()
    assert response["Location"] == job_page(job)
    assert sorted(job.options["pks"]) == sorted(chosen)
    rows = list(
        csv.DictReader(io.StringIO(body(client.get(download_url(job))).decode("utf-8-sig")))
    )
    assert sorted(row["id"] for row in rows) == sorted(chosen)


def test_without_the_export_permission_no_job_starts(big_list, client):
    client.force_login(staff_user("backoffice.view_product", username="viewer"))
    response = client.post(export_url() + SEARCH, export_form_data(ProductResource, "csv"))
    assert response.status_code == 403
    assert not DataJob.objects.exists()


def test_an_owner_who_lost_the_permission_before_it_ran_gets_no_file(big_list, client, owner):
    job = start_big_export(client)
    owner.user_permissions.remove(*owner.user_permissions.filter(codename="export_product"))
    DataJob.objects.filter(pk=job.pk).update(status=Status.QUEUED, file_token="")
    imports.run_job.call(job.pk)
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert "no longer has the permission to export" in job.message
    assert not job.file_token


def test_progress_counts_the_rows_written(big_list, client, owner):
    job = start_big_export(client)
    state = progress.read(job.pk)
    assert (state.phase, state.done, state.total) == ("writing", 6, 6)


def test_a_cancel_stops_the_export_and_keeps_no_file(big_list, client, owner, private_import_dir):
    job = start_big_export(client)
    DataJob.objects.filter(pk=job.pk).update(status=Status.QUEUED, file_token="")
    files_before = set((private_import_dir / "exports").iterdir())
    progress.request_cancel(job.pk)
    imports.run_job.call(job.pk)
    job.refresh_from_db()
    assert job.status == Status.CANCELLED
    assert "the partial file was deleted" in job.message
    assert set((private_import_dir / "exports").iterdir()) == files_before


def test_a_queued_export_cancelled_from_its_page_never_runs(big_list, client, owner):
    job = start_big_export(client)
    DataJob.objects.filter(pk=job.pk).update(status=Status.QUEUED, file_token="")
    client.post(reverse("admin:backoffice_datajob_cancel", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == Status.CANCELLED
    assert job.message == "Cancelled before it ran; no file was written."
    assert imports.run_job.call(job.pk) == "not queued"


# --- on a real worker ---------------------------------------------------------------------


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_writes_the_export_and_its_owner_downloads_it(
    worker, big_list, client, owner
):
    worker()
    response = client.post(export_url() + SEARCH, export_form_data(ProductResource, "xlsx"))
    job = DataJob.objects.get()
    assert response["Location"] == job_page(job)
    wait_for(lambda: job_status(job.pk) == Status.SUCCEEDED, what="the export")
    sheet = openpyxl.load_workbook(io.BytesIO(body(client.get(download_url(job))))).active
    headers = [cell.value for cell in sheet[1]]
    names = sorted(
        row[headers.index("name")] for row in sheet.iter_rows(min_row=2, values_only=True)
    )
    assert names == sorted(p.name for p in big_list)
    assert Product.objects.count() == 16
