"""The "Import and export jobs" list and a job's page: who sees what, progress, confirm,
cancel, run again, the error report."""

import pytest
from django.urls import reverse

from backoffice.jobs import imports, progress
from backoffice.models import Category, DataJob, ImportRecord
from backoffice.resources import CategoryResource
from tests.factories import staff_user
from tests.jobs.conftest import categories_csv

pytestmark = pytest.mark.django_db

Status = DataJob.Status
LIST = reverse("admin:backoffice_datajob_changelist")
IMPORTER = ("backoffice.add_category", "backoffice.change_category", "backoffice.view_category")


def page(job) -> str:
    return reverse("admin:backoffice_datajob_change", args=[job.pk])


def url(name, job) -> str:
    return reverse(f"admin:backoffice_datajob_{name}", args=[job.pk])


def previewed(user, text=None) -> DataJob:
    """A job queued and previewed (tasks run where they are enqueued in the tests)."""
    job = imports.start_import(
        user=user,
        page_label="backoffice.Category",
        resource_class=CategoryResource,
        format_index=0,
        file_name="categories.csv",
        data=(text or categories_csv(3)).encode(),
    )
    job.refresh_from_db()
    return job


@pytest.fixture
def owner(client):
    user = staff_user(*IMPORTER, username="owner")
    client.force_login(user)
    return user


def test_the_owner_sees_the_preview_and_confirms_it(client, owner):
    job = previewed(owner)
    assert job.status == Status.PREVIEWED
    response = client.get(page(job))
    text = response.content.decode()
    assert "3 new, 0 updated, 0 unchanged, 0 with problems (of 3 rows)." in text
    assert "Confirm import" in text and "Apply the valid rows" in text
    assert "Job category 000000" in text  # the first changes
    response = client.post(url("confirm", job), {"apply_mode": "all"})
    assert response.status_code == 302 and response["Location"] == page(job)
    job.refresh_from_db()
    assert job.status == Status.SUCCEEDED
    assert Category.objects.filter(name__startswith="Job category").count() == 3
    assert "Imported: 3 new" in client.get(page(job)).content.decode()
    again = client.post(url("confirm", job), follow=True)
    assert "not waiting for a confirm any more" in again.content.decode()
    assert Category.objects.filter(name__startswith="Job category").count() == 3


def test_another_staff_member_sees_neither_the_job_nor_its_errors(client, owner):
    job = previewed(owner, categories_csv(1) + ",blank name\n")
    other = staff_user(*IMPORTER, username="other")
    client.force_login(other)
    assert "categories.csv" not in client.get(LIST).content.decode()
    for target in [page(job), url("progress", job), url("errors", job)]:
        assert client.get(target).status_code == 404, target
    assert client.post(url("confirm", job)).status_code == 404
    assert client.post(url("cancel", job)).status_code == 404
    assert DataJob.objects.get(pk=job.pk).status == Status.PREVIEWED


def test_a_superuser_sees_every_job(admin_client, owner):
    job = previewed(owner)
    assert "categories.csv" in admin_client.get(LIST).content.decode()
    assert admin_client.get(page(job)).status_code == 200


def test_confirming_needs_the_import_permission_of_the_list(client):
    viewer = staff_user("backoffice.view_category", username="viewer")
    client.force_login(viewer)
    job = previewed(viewer)
    assert "Confirm import" not in client.get(page(job)).content.decode()
    assert client.post(url("confirm", job)).status_code == 403
    assert DataJob.objects.get(pk=job.pk).status == Status.PREVIEWED


def test_the_error_report_lists_every_problem_with_line_column_and_value(client, owner):
    job = previewed(owner, categories_csv(2) + ",blank name\n,another blank\n")
    text = client.get(page(job)).content.decode()
    assert "2 new, 0 updated, 0 unchanged, 2 with problems" in text
    assert "Download every problem" in text
    response = client.get(url("errors", job))
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "line,column,value,problem"
    assert [line.split(",")[:2] for line in lines[1:]] == [["4", "name"], ["5", "name"]]


def test_cancelling_a_previewed_import_drops_its_upload_and_records_it(client, owner):
    job = previewed(owner)
    response = client.post(url("cancel", job), follow=True)
    assert "Cancelled after the preview; nothing was imported." in response.content.decode()
    job.refresh_from_db()
    assert job.status == Status.CANCELLED
    assert ImportRecord.objects.get().outcome == ImportRecord.Outcome.ABANDONED
    assert not Category.objects.filter(name__startswith="Job category").exists()
    assert client.post(url("confirm", job)).status_code == 302
    assert DataJob.objects.get(pk=job.pk).status == Status.CANCELLED


def test_a_running_job_shows_its_live_progress(client, owner):
    job = previewed(owner)
    DataJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, started_at=job.created_at)
    reporter = progress.Reporter(job.pk)
    reporter.phase("applying", total=3)
    reporter.advance(2)
    reporter.flush()
    with progress.Heartbeat(job.pk):
        live = client.get(url("progress", job)).json()
        text = client.get(page(job)).content.decode()
    assert (live["status"], live["phase"], live["done"], live["total"]) == (
        "running",
        "applying",
        2,
        3,
    )
    assert live["polling"] is True
    assert "job_progress.js" in text and 'data-status="running"' in text
    client.post(url("cancel", job))
    assert progress.cancel_requested(job.pk)


def test_a_failed_apply_runs_again(client, owner):
    job = previewed(owner)
    DataJob.objects.filter(pk=job.pk).update(
        status=Status.FAILED, step=DataJob.Step.APPLY, message="The worker stopped."
    )
    assert "Run again" in client.get(page(job)).content.decode()
    client.post(url("run_again", job))
    job.refresh_from_db()
    assert job.status == Status.SUCCEEDED
    assert Category.objects.filter(name__startswith="Job category").count() == 3


def test_the_job_list_runs_the_same_queries_whatever_the_number_of_jobs(
    client, owner, django_assert_max_num_queries
):
    previewed(owner)
    client.get(LIST)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(LIST)
    for _ in range(5):
        previewed(owner)
    with django_assert_max_num_queries(len(one)):
        response = client.get(LIST)
    assert response.content.decode().count("categories.csv") == 6


def test_the_valid_rows_apply_and_the_rejected_ones_come_back_as_a_file(client, owner):
    job = previewed(owner, categories_csv(2) + ",blank name\n" + "Kept too,Fine\n")
    text = client.get(page(job)).content.decode()
    assert 'value="all" disabled' in text  # all or nothing cannot pass: said before confirm
    client.post(url("confirm", job), {"apply_mode": "valid"})
    job.refresh_from_db()
    assert job.status == Status.SUCCEEDED, job.message
    names = set(
        Category.objects.filter(description__in=["Made by a job test", "Fine"]).values_list(
            "name", flat=True
        )
    )
    assert names == {"Job category 000000", "Job category 000001", "Kept too"}
    assert "1 rejected row(s) were left out" in job.message
    record = job.import_record
    assert (record.outcome, record.rows_new, record.rows_invalid) == ("applied", 3, 1)
    assert "valid rows only" in record.message
    rejected = client.get(url("rejected", job)).content.decode("utf-8-sig").splitlines()
    assert rejected[0] == "line,name,description,problem"
    assert rejected[1].startswith("4,,blank name,name: ")


def test_all_or_nothing_with_a_bad_row_imports_nothing(client, owner):
    job = previewed(owner, categories_csv(2) + ",blank name\n")
    client.post(url("confirm", job), {"apply_mode": "all"})
    job.refresh_from_db()
    assert job.status == Status.FAILED and job.message.startswith("Nothing was imported")
    assert not Category.objects.filter(name__startswith="Job category").exists()
