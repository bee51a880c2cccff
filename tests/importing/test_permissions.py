"""Who may import and export: the permission matrix.

Import needs the model's add and change permissions; export needs ``<app>.export_<model>``
(models without that permission - auth.User, the history tables - need ``view``). A user who
may only view gets 403 on every import and export URL and on the "Export selected" action.
The library's defaults let every staff member who reaches a list import into it.
"""

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import RequestFactory, override_settings
from import_export.admin import ImportExportModelAdmin

from backoffice.models import Category, Product
from backoffice.resources import ProductResource
from tests.factories import staff_user
from tests.importing.conftest import (
    export_form_data,
    import_url,
    streamed_text,
    upload,
)
from tests.importing.snapshots import table_snapshot

PRODUCT_CSV = "id,price\n5,75.00\n"


def urls(model="product"):
    return {
        "import page": ("get", import_url(model), {}),
        "import upload": ("post", import_url(model), {"format": "0", "resource": "0"}),
        "confirm": ("post", import_url(model, "process_import"), {"confirmation": "x"}),
        "export page": ("get", import_url(model, "export"), {}),
        "export download": ("post", import_url(model, "export"), export_form_data(ProductResource)),
        "export action": (
            "post",
            import_url(model, "changelist"),
            {"action": "export_admin_action", ACTION_CHECKBOX_NAME: ["1"], "index": "0"},
        ),
    }


def status_of(client, method, url, data):
    return getattr(client, method)(url, data).status_code


def test_the_library_lets_a_view_only_user_import(django_user_model):
    """The gap this file closes: no permission code configured means everyone may import."""
    user = staff_user("backoffice.view_category", username="viewer")
    request = RequestFactory().get("/")
    request.user = user
    plain = ImportExportModelAdmin(Category, admin.site)
    # the library's default: no IMPORT_EXPORT_*_PERMISSION_CODE (ours are in settings)
    with override_settings(
        IMPORT_EXPORT_IMPORT_PERMISSION_CODE=None, IMPORT_EXPORT_EXPORT_PERMISSION_CODE=None
    ):
        assert plain.has_import_permission(request) is True
        assert plain.has_export_permission(request) is True
    ours = admin.site._registry[Category]
    assert ours.has_import_permission(request) is False
    assert ours.has_export_permission(request) is False


@pytest.mark.parametrize("what", list(urls()))
def test_a_view_only_user_gets_403(seed, client, django_user_model, what):
    viewer = staff_user("backoffice.view_product", username="viewer")
    client.force_login(viewer)
    before = table_snapshot()
    method, url, data = urls()[what]
    assert status_of(client, method, url, data) == 403
    assert table_snapshot() == before


def test_a_view_only_user_sees_the_list_without_import_or_export(seed, client, django_user_model):
    client.force_login(staff_user("backoffice.view_product", username="viewer"))
    response = client.get(import_url("product", "changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert import_url("product") not in page
    assert import_url("product", "export") not in page
    assert "export_admin_action" not in page


@pytest.mark.parametrize(
    ("perms", "can_import"),
    [
        (["view_product", "add_product"], False),
        (["view_product", "change_product"], False),
        (["view_product", "export_product"], False),
        (["view_product", "add_product", "change_product"], True),
    ],
    ids=["add only", "change only", "export only", "add and change"],
)
def test_import_needs_add_and_change(seed, client, django_user_model, perms, can_import):
    user = staff_user(*[f"backoffice.{p}" for p in perms], username="editor")
    client.force_login(user)
    assert client.get(import_url("product")).status_code == (200 if can_import else 403)
    response = upload(client, "product", "p.csv", PRODUCT_CSV)
    assert response.status_code == (200 if can_import else 403)
    if can_import:
        assert response.context["report"].ok


@pytest.mark.parametrize(
    ("perms", "can_export"),
    [
        (["view_product"], False),
        (["view_product", "add_product", "change_product"], False),
        (["view_product", "export_product"], True),
    ],
    ids=["view", "add and change", "export"],
)
def test_export_needs_the_export_permission(seed, client, django_user_model, perms, can_export):
    user = staff_user(*[f"backoffice.{p}" for p in perms], username="analyst")
    client.force_login(user)
    expected = 200 if can_export else 403
    for what in ("export page", "export download", "export action"):
        method, url, data = urls()[what]
        assert status_of(client, method, url, data) == expected, what


def test_export_selected_offers_only_the_rows_this_user_may_see(seed, client, django_user_model):
    user = staff_user("backoffice.view_product", "backoffice.export_product", username="analyst")
    client.force_login(user)
    response = client.post(
        import_url("product", "export"), export_form_data(ProductResource, export_items=["1", "3"])
    )
    body = streamed_text(response)
    ids = sorted(line.split(",")[0] for line in body.splitlines()[1:])
    assert ids == ["1", "3"]
    assert Product.objects.count() > 2


def test_users_are_exported_with_the_view_permission(seed, client, django_user_model):
    """auth.User has no export permission: viewing users (emails included) is the bar."""
    export_page = import_url("user", "export", app_label="auth")
    client.force_login(staff_user("backoffice.view_product", username="nobody"))
    assert client.get(export_page).status_code == 403
    client.force_login(staff_user("auth.view_user", username="hr"))
    assert client.get(export_page).status_code == 200
    assert client.get(import_url("user", app_label="auth")).status_code == 403


def test_audit_trails_never_import(seed, admin_client):
    for model in ("inventorylog", "importrecord", "orderstatuschange"):
        assert admin_client.get(import_url(model)).status_code == 403, model
