"""Uploads between preview and confirm: a posted name can't reach any other file.

The library's confirm form posts ``import_file_name`` back and opens it in the system temp
folder (only ``basename``-ed): any file there is one form field away. Ours never takes a file
name from the browser: an upload belongs to its job (confirmed on the job's page, by its owner
only), and the storage opens nothing but 32-hex-digit names.
"""

import tempfile
from pathlib import Path

import pytest
from import_export.forms import ConfirmImportForm as LibraryConfirmForm
from import_export.tmp_storages import TempFolderStorage

from backoffice.importing.uploads import InvalidToken, LibraryTempStorage, PrivateImportStorage
from backoffice.models import DataJob, ImportRecord
from tests.factories import staff_user
from tests.importing.conftest import confirm_url, import_url, job_of, page_text, upload
from tests.importing.snapshots import table_snapshot

TRAVERSALS = ["../../etc/passwd", "/etc/passwd", "..", "", "A" * 32, "0" * 31, "0" * 32 + "/.."]


def test_the_library_opens_any_file_in_the_temp_folder_by_name():
    """The gap: a posted ``import_file_name`` reads a file nobody uploaded."""
    secret = Path(tempfile.gettempdir()) / "someone-elses-secret.txt"
    secret.write_text("secret")
    try:
        form = LibraryConfirmForm(
            data={
                "import_file_name": "../../" + secret.name,
                "original_file_name": "x.csv",
                "format": "0",
            }
        )
        assert form.is_valid()
        storage = TempFolderStorage(name=form.cleaned_data["import_file_name"])
        assert storage.read() == "secret"
    finally:
        secret.unlink()


@pytest.mark.parametrize("name", TRAVERSALS)
def test_our_storages_refuse_any_name_that_is_not_a_token(name, private_import_dir):
    with pytest.raises(InvalidToken):
        PrivateImportStorage().read(name)
    with pytest.raises(InvalidToken):
        LibraryTempStorage(name=name).read()


def test_library_fields_posted_to_the_confirm_step_are_ignored(seed, boss_client):
    """The library's confirm URL reads no file: imports are confirmed on their job's page."""
    before = table_snapshot()
    response = boss_client.post(
        import_url("product", "process_import"),
        {"import_file_name": "../../etc/passwd", "original_file_name": "a.csv", "format": "0"},
        follow=True,
    )
    assert "Imports are confirmed on their job's page" in page_text(response)
    assert table_snapshot() == before


def test_another_users_job_cannot_be_confirmed(seed, boss_client, client):
    preview = upload(boss_client, "product", "p.csv", "id,price\n1,1199.99\n")
    editor = staff_user(
        "backoffice.add_product",
        "backoffice.change_product",
        "backoffice.view_product",
        username="editor",
    )
    client.force_login(editor)
    before = table_snapshot()
    assert client.post(confirm_url(preview), {"apply_mode": "all"}).status_code == 404
    assert table_snapshot() == before


def test_an_expired_preview_is_cancelled_and_cannot_be_confirmed(seed, boss_client, settings):
    preview = upload(boss_client, "product", "p.csv", "id,price\n1,1199.99\n")
    settings.IMPORT_PREVIEW_MAX_AGE = -1
    upload(boss_client, "category", "c.csv", "id,name\n1,Electronics\n")  # sweeps the old one
    job = job_of(preview)
    job.refresh_from_db()
    assert job.status == DataJob.Status.CANCELLED and "expired" in job.message
    response = boss_client.post(confirm_url(preview), {"apply_mode": "all"}, follow=True)
    assert "not waiting for a confirm any more" in page_text(response)


def test_the_confirm_step_only_answers_post(seed, boss_client):
    assert boss_client.get(import_url("product", "process_import")).status_code == 405


def test_refused_uploads_are_not_kept(seed, boss_client, private_import_dir):
    upload(boss_client, "product", "p.csv", "id,prcie\n1,1\n")
    assert not private_import_dir.exists() or list(private_import_dir.iterdir()) == []
    assert ImportRecord.objects.get().outcome == "failed"
