"""No staff-written text reaches a page unescaped (issue 9, point 1).

A shop whose every text field is an attack (tests/hostile.py) is crawled page by page as a
superuser: every admin list, change, add, history and delete page, every action's page, the
import preview, the dashboard, every report and every Query Lab entry. No page may contain an
injected element (``<tag data-xss``) or a ``javascript:`` address. The same pages run in
Chromium in tests/browser/test_escaping.py.
"""

import re

import pytest
from django.contrib import admin
from django.contrib.admin import helpers
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from backoffice.reports.querylab.registry import load_entries
from backoffice.reports.registry import REPORTS
from tests.hostile import INJECTED, hostile_shop, img, model_pages, script, superuser_request

JS_ADDRESS = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)


def assert_escaped(response, where: str) -> None:
    assert response.status_code == 200, f"{where}: {response.status_code}"
    html = response.content.decode()
    found = INJECTED.search(html)
    assert not found, (
        f"{where}: unescaped markup: …{html[found.start() - 200 : found.end() + 100]}…"
    )
    found = JS_ADDRESS.search(html)
    assert not found, f"{where}: javascript: address: …{html[found.start() - 200 : found.end()]}…"


@pytest.fixture
def shop(db, admin_user):
    return hostile_shop(superuser=admin_user)


def test_every_model_page_escapes_staff_text(admin_client, admin_user, shop):
    for url in model_pages(admin_user):
        assert_escaped(admin_client.get(url), url)


def test_filters_that_name_an_object_escape_it(admin_client, shop):
    """The order list's "contains product" filter shows the chosen product's name."""
    url = reverse("admin:backoffice_order_changelist") + f"?product={shop['product'].pk}"
    assert_escaped(admin_client.get(url), url)


def test_dashboard_reports_and_query_lab_escape_staff_text(admin_client, shop):
    urls = [reverse("admin:index"), reverse("admin:reports"), reverse("admin:querylab")]
    urls += [reverse("admin:report", args=[slug]) for slug in REPORTS]
    urls += [reverse("admin:querylab_entry", args=[slug]) for slug in load_entries()]
    for url in urls:
        assert_escaped(admin_client.get(url), url)
    dashboard = admin_client.get(reverse("admin:index")).content.decode()
    assert "&lt;script data-xss&gt;" in dashboard  # the product is listed there, escaped


def test_transfer_stock_page_escapes_the_product_name(admin_client, shop):
    """The exact attack: a superuser runs "Transfer stock from the selected product" on a
    product whose name is a script; the page's help text named the product unescaped."""
    product = shop["product"]
    response = admin_client.post(
        reverse("admin:backoffice_product_changelist"),
        {"action": "transfer_stock", helpers.ACTION_CHECKBOX_NAME: [product.pk]},
    )
    assert_escaped(response, "transfer stock page")
    help_text = response.content.decode()
    assert "&lt;script data-xss&gt;window.__xss=1;alert(1)//product&lt;/script&gt;" in help_text
    assert f"has {product.stock_quantity} in stock." in help_text


def test_every_action_page_escapes_staff_text(admin_client, admin_user, shop):
    """Each action of each list run on one object without confirming: its page, or the list
    after it ran (in a transaction rolled back, so each action sees the same data)."""
    request = superuser_request(admin_user)
    for model, model_admin in admin.site._registry.items():
        obj = model_admin.get_queryset(request).order_by("pk").first()
        if obj is None:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for name in model_admin.get_actions(request):
            with transaction.atomic():
                response = admin_client.post(
                    url, {"action": name, helpers.ACTION_CHECKBOX_NAME: [obj.pk]}, follow=True
                )
                assert_escaped(response, f"{model.__name__} action {name}")
                transaction.set_rollback(True)


def csv_cell(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def upload(client, model_name: str, content: str):
    return client.post(
        reverse(f"admin:backoffice_{model_name}_import"),
        {
            "resource": "0",
            "format": "0",
            "import_file": SimpleUploadedFile(f"{img('file')}.csv", content.encode()),
        },
        follow=True,  # to the job's page, where the preview is
    )


def test_import_preview_escapes_the_file_values(admin_client, shop):
    """A file's values are shown in the preview (its changes, its errors): escaped."""
    category = shop["category"]
    changes = upload(
        admin_client,
        "category",
        "id,name,description\n"
        f"{category.pk},{csv_cell(script('renamed'))},{csv_cell(img('new description'))}\n"
        f",{csv_cell(img('new category'))},{csv_cell(script('new description'))}\n",
    )
    assert_escaped(changes, "import preview (changes)")
    page = changes.content.decode()
    assert "&lt;script data-xss&gt;window.__xss=1;alert(1)//renamed" in page  # shown, escaped

    errors = upload(
        admin_client,
        "product",
        "name,price,stock_quantity,category\n"
        f"{csv_cell(script('bad row'))},{csv_cell(img('bad price'))},1,{csv_cell(script('no such'))}\n",
    )
    assert_escaped(errors, "import preview (errors)")
    assert "onerror=&quot;window.__xss=1;alert(1)//bad price" in errors.content.decode()
