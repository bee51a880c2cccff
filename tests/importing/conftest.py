"""Fixtures for the import/export tests: staff with chosen permissions, upload helpers."""

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from backoffice.importing.formats import FORMATS
from tests.importing.snapshots import table_snapshot  # noqa: F401  (re-exported for tests)

FORMAT_INDEX = {f().get_title(): i for i, f in enumerate(FORMATS)}


@pytest.fixture
def boss(django_user_model):
    """A superuser whose id can't collide with the sample users' ids."""
    return django_user_model.objects.create_superuser("boss", "boss@example.com", "pw", id=9999)


@pytest.fixture
def boss_client(client, boss):
    client.force_login(boss)
    return client


def import_url(model_name, step="import", app_label="backoffice"):
    return reverse(f"admin:{app_label}_{model_name}_{step}")


def export_form_data(resource_class, fmt="csv", resource=0, **extra):
    """The export form as the page posts it: a format and every column ticked."""
    prefix = resource_class.__name__.lower()
    columns = {f"{prefix}_{name}": "on" for name in resource_class().get_export_order()}
    return {"format": str(FORMAT_INDEX[fmt]), "resource": str(resource), **columns, **extra}


def streamed_text(response) -> str:
    assert response.status_code == 200, getattr(response, "content", b"")[:2000]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode("utf-8-sig")


def upload(client, model_name, name, content, fmt=None, resource=0, url=None):
    """POST a file to the import page; returns the page it leads to: the job's page with the
    preview (tasks run where they are enqueued in the tests), or the import page itself when
    the upload is refused at once."""
    if isinstance(content, str):
        content = content.encode("utf-8")
    fmt = fmt or name.rsplit(".", 1)[-1].lower()
    return client.post(
        url or import_url(model_name),
        {
            "resource": str(resource),
            "format": str(FORMAT_INDEX[fmt]),
            "import_file": SimpleUploadedFile(name, content),
        },
        follow=True,
    )


def job_of(response):
    """The job a preview page shows."""
    assert "job" in response.context, "not a job's page:\n" + page_text(response)[:2000]
    return response.context["job"]


def confirm_url(response) -> str:
    return reverse("admin:backoffice_datajob_confirm", args=[job_of(response).pk])


def cancel_url(response) -> str:
    return reverse("admin:backoffice_datajob_cancel", args=[job_of(response).pk])


def confirm(client, model_name, preview_response, url=None, apply_mode="all"):
    """Confirm the preview on its job's page (whatever list it came from: ``url`` is kept for
    the callers that name one); returns the job's page after the apply."""
    return client.post(confirm_url(preview_response), {"apply_mode": apply_mode}, follow=True)


def upload_and_confirm(client, model_name, name, content, fmt=None, resource=0, url=None):
    preview = upload(client, model_name, name, content, fmt, resource, url)
    assert preview.status_code == 200
    assert preview.context["report"].ok, preview.context["report"].problems + [
        (r.line, r.problems) for r in preview.context["report"].error_rows
    ]
    return confirm(client, model_name, preview)


def applied(response) -> bool:
    """The job's page after a confirm shows the import done."""
    return job_of(response).status == "succeeded"


def page_text(response) -> str:
    """The page's visible text: no style block, no tags, entities decoded, spaces collapsed."""
    text = re.sub(r"<style.*?</style>", " ", response.content.decode(), flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return re.sub(r"\s+", " ", text)
