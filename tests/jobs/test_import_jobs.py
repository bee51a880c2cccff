"""The import job: preview, then apply all or nothing, with progress; from the command line and
on a real task worker that may be killed in the middle."""

import time

import pytest
from django.core.management import CommandError, call_command

from backoffice.importing import chunked
from backoffice.jobs import imports, progress
from backoffice.models import Category, DataJob, ImportRecord
from tests.factories import staff_user
from tests.jobs.conftest import categories_csv, job_status, wait_for

pytestmark = pytest.mark.django_db

Status = DataJob.Status


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def start(text: str, user=None, queue=False) -> DataJob:
    from backoffice.resources import CategoryResource

    return imports.start_import(
        user=user,
        page_label="backoffice.Category",
        resource_class=CategoryResource,
        format_index=0,  # CSV
        file_name="categories.csv",
        data=text.encode(),
        queue=queue,
    )


# --- the command line ---------------------------------------------------------------------


def test_import_file_previews_then_applies_and_records_the_job(tmp_path, capsys):
    path = write(tmp_path, "categories.csv", categories_csv(3))
    call_command("import_file", str(path), resource="category")
    names = set(
        Category.objects.filter(name__startswith="Job category").values_list("name", flat=True)
    )
    assert names == {f"Job category {i:06d}" for i in range(3)}
    job = DataJob.objects.get()
    assert (job.kind, job.step, job.status) == ("import", "apply", Status.SUCCEEDED)
    assert job.counts["new"] == 3 and job.rows_done == 3
    assert job.import_record.outcome == ImportRecord.Outcome.APPLIED
    assert job.import_record.rows_new == 3
    out = capsys.readouterr().out
    assert "Preview: 3 new, 0 updated, 0 unchanged, 0 with problems." in out
    assert "Imported: 3 new" in out


def test_import_file_applies_the_valid_rows_only_when_asked(tmp_path, capsys):
    path = write(tmp_path, "categories.csv", "name,description\nKept A,x\n,no name\nKept B,y\n")
    with pytest.raises(CommandError, match="1 row"):
        call_command("import_file", str(path), resource="category")
    assert not Category.objects.filter(name__startswith="Kept").exists()
    errors = tmp_path / "problems.csv"
    call_command(
        "import_file", str(path), resource="category", valid_rows=True, errors_to=str(errors)
    )
    names = set(Category.objects.filter(name__startswith="Kept").values_list("name", flat=True))
    assert names == {"Kept A", "Kept B"}
    job = DataJob.objects.order_by("pk").last()
    assert (job.status, job.apply_mode, job.counts["error"]) == (
        Status.SUCCEEDED,
        DataJob.ApplyMode.VALID_ROWS,
        1,
    )
    assert "Applied the valid rows only" in job.import_record.message
    assert errors.read_text(encoding="utf-8-sig").splitlines()[1].startswith("3,name,")


def test_a_second_run_of_the_same_file_changes_nothing(tmp_path, capsys):
    path = write(tmp_path, "categories.csv", categories_csv(2))
    call_command("import_file", str(path), resource="CategoryResource")
    call_command("import_file", str(path), resource="category")
    assert Category.objects.filter(name__startswith="Job category").count() == 2
    assert "0 new, 0 updated, 2 unchanged" in capsys.readouterr().out


def test_dry_run_changes_nothing_and_says_so(tmp_path, capsys):
    path = write(tmp_path, "categories.csv", categories_csv(2))
    before = Category.objects.count()
    call_command("import_file", str(path), resource="category", dry_run=True)
    assert Category.objects.count() == before
    assert "Dry run: nothing was imported." in capsys.readouterr().out
    assert DataJob.objects.get().status == Status.CANCELLED
    assert ImportRecord.objects.get().outcome == ImportRecord.Outcome.ABANDONED


def test_a_bad_row_refuses_the_whole_file_naming_line_and_column(tmp_path, capsys):
    text = categories_csv(2) + ",no name\n"  # line 4: a blank name
    path = write(tmp_path, "categories.csv", text)
    before = Category.objects.count()
    errors = tmp_path / "problems.csv"
    with pytest.raises(CommandError, match="1 row"):
        call_command("import_file", str(path), resource="category", errors_to=str(errors))
    assert Category.objects.count() == before
    err = capsys.readouterr().err
    assert "line 4, name" in err
    job = DataJob.objects.get()
    assert job.report["errors"][0][:2] == [4, "name"]
    csv_report = errors.read_text(encoding="utf-8-sig")
    assert csv_report.splitlines()[0] == "line,column,value,problem"
    assert csv_report.splitlines()[1].startswith("4,name,")


def test_unknown_resource_and_missing_file_are_named(tmp_path):
    with pytest.raises(CommandError, match="No import resource is called 'gadgets'"):
        call_command("import_file", str(tmp_path / "x.csv"), resource="gadgets")
    with pytest.raises(CommandError, match="x.csv"):
        call_command("import_file", str(tmp_path / "x.csv"), resource="category")


# --- cancelling, progress, a dead worker --------------------------------------------------


def test_a_job_cancelled_while_it_applies_rolls_back_every_row():
    job = start(categories_csv(5))
    imports.run_job.call(job.pk)
    job.refresh_from_db()
    assert job.status == Status.PREVIEWED
    assert imports.claim_apply(job, DataJob.ApplyMode.ALL_OR_NOTHING)
    job.status = Status.RUNNING  # as the worker finds it
    progress.request_cancel(job.pk)  # staff pressed Cancel: the next row stops it
    DataJob.objects.filter(pk=job.pk).update(status=Status.QUEUED)
    imports.run_job.call(job.pk)
    job.refresh_from_db()
    assert job.status == Status.CANCELLED
    assert "nothing was imported" in job.message
    assert not Category.objects.filter(name__startswith="Job category").exists()


def test_a_queued_job_cancelled_never_runs():
    job = start(categories_csv(2))
    imports.cancel(job)
    assert job.status == Status.CANCELLED
    assert imports.run_job.call(job.pk) == "not queued"
    assert not Category.objects.filter(name__startswith="Job category").exists()


def test_progress_counts_the_rows_of_each_phase():
    job = start(categories_csv(7))
    imports.run_job.call(job.pk)
    state = progress.read(job.pk)
    assert (state.phase, state.done, state.total) == ("validating", 7, 7)
    imports.claim_apply(DataJob.objects.get(pk=job.pk), DataJob.ApplyMode.ALL_OR_NOTHING)
    imports.run_job.call(job.pk)
    state = progress.read(job.pk)
    assert (state.phase, state.done, state.total) == ("applying", 7, 7)


def test_a_running_job_without_a_heartbeat_is_failed_with_what_to_do(settings):
    settings.JOB_HEARTBEAT_TIMEOUT = 1
    job = start(categories_csv(2))
    DataJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, step=DataJob.Step.APPLY, started_at=job.created_at
    )
    progress.forget(job.pk)
    time.sleep(1.1)
    assert imports.fail_dead_jobs() == 1
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert "Nothing of the file was applied" in job.message and "Run it again" in job.message


def test_a_live_job_is_not_taken_for_dead(settings):
    settings.JOB_HEARTBEAT_TIMEOUT = 60
    job = start(categories_csv(2))
    DataJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, started_at=job.created_at)
    with progress.Heartbeat(job.pk):
        assert imports.fail_dead_jobs() == 0
    assert job_status(job.pk) == Status.RUNNING


def test_jobs_are_their_owners_and_superusers(django_user_model):
    owner, other = staff_user(username="owner"), staff_user(username="other")
    boss = django_user_model.objects.create_superuser("boss", "b@example.com", "pw")
    job = start(categories_csv(1), user=owner)
    assert list(DataJob.objects.visible_to(owner)) == [job]
    assert list(DataJob.objects.visible_to(other)) == []
    assert list(DataJob.objects.visible_to(boss)) == [job]


# --- on a real worker ---------------------------------------------------------------------


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_previews_and_applies_a_queued_import(worker):
    worker()
    job = start(categories_csv(20), queue=True)
    wait_for(lambda: job_status(job.pk) == Status.PREVIEWED, what="the preview")
    imports.confirm_import(DataJob.objects.get(pk=job.pk))
    wait_for(lambda: job_status(job.pk) == Status.SUCCEEDED, what="the apply")
    assert Category.objects.filter(name__startswith="Job category").count() == 20


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_applying_leaves_no_row_and_the_job_runs_again(worker, settings):
    """SIGKILL in the middle of the apply: the transaction never commits, the job is shown
    failed once its heartbeat stops, and "Run again" on a new worker imports the whole file."""
    settings.JOB_HEARTBEAT_TIMEOUT = 3
    rows = 3 * chunked.CHUNK_ROWS  # killed once a chunk is written (in the open transaction)
    first = worker()
    job = start(categories_csv(rows), queue=True)
    wait_for(lambda: job_status(job.pk) == Status.PREVIEWED, timeout=120, what="the preview")
    imports.confirm_import(DataJob.objects.get(pk=job.pk))

    def applying_midway():
        state = progress.read(job.pk)
        return state and state.phase == "applying" and chunked.CHUNK_ROWS < state.done < rows

    wait_for(applying_midway, timeout=120, every=0.05, what="the apply to be under way")
    first.kill(running_job_pid=progress.read(job.pk).pid)
    assert not Category.objects.filter(name__startswith="Job category").exists()
    wait_for(lambda: imports.fail_dead_jobs(), timeout=30, what="the dead job to be failed")
    job.refresh_from_db()
    assert job.status == Status.FAILED and "Nothing of the file was applied" in job.message
    assert not Category.objects.filter(name__startswith="Job category").exists()

    worker()
    imports.run_again(job)
    wait_for(lambda: job_status(job.pk) == Status.SUCCEEDED, timeout=120, what="the re-run")
    assert Category.objects.filter(name__startswith="Job category").count() == rows
    job.refresh_from_db()
    assert job.attempts == 3  # the preview, the killed apply, the re-run
