"""Every action of every list, run through the changelist as the list's form posts it.

The lists and their actions are read from the admin site itself (``admin.site._registry`` and
``ModelAdmin.get_actions`` for a superuser), so a new list or action is covered, or fails here:

* "Export selected" (``export_admin_action``): the library's export form, then the file, which
  holds exactly the selected rows; refused (403, and not offered) without the export permission.
* ``delete_selected``: the unprotected rows go, each with a deletion LogEntry; a row that other
  rows protect (``on_delete=PROTECT``: sold products, categories and suppliers with products,
  customers and users with orders) is listed with what protects it, and nothing is deleted.
* every other action must be named, as a string, in some test under tests/ (its own tests).
"""

import csv
import io
import re
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection
from django.db.models import PROTECT, ProtectedError
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from backoffice.models import (
    Category,
    Customer,
    DataJob,
    ImportRecord,
    InventoryLog,
    InventoryReason,
    Order,
    OrderItem,
    OrderStatusChange,
    Product,
    ProductMeta,
    Supplier,
)
from backoffice.services.inventory import StockChange, stock_apply_changes
from tests.factories import (
    CategoryFactory,
    CustomerFactory,
    ProductFactory,
    SupplierFactory,
    UserFactory,
    staff_user,
)
from tests.importing.conftest import export_form_data, page_text, streamed_text

EXPORT = "export_admin_action"
DELETE = "delete_selected"
User = get_user_model()


def superuser_request():
    request = RequestFactory().get("/")
    request.user = User(username="root", is_staff=True, is_superuser=True, is_active=True)
    return request


def offered_actions() -> dict[str, list[str]]:
    """Every list's actions for a superuser, by model label (no database needed)."""
    return {
        model._meta.label: list(model_admin.get_actions(superuser_request()))
        for model, model_admin in admin.site._registry.items()
    }


OFFERED = offered_actions()
EXPORTING = sorted(label for label, actions in OFFERED.items() if EXPORT in actions)
DELETING = sorted(label for label, actions in OFFERED.items() if DELETE in actions)


def model_of(label):
    return next(m for m in admin.site._registry if m._meta.label == label)


def url(model, step="changelist", *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{step}", args=args)


def post_action(client, model, action, pks, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [str(pk) for pk in pks], "index": "0"}
    return client.post(url(model), {**data, **extra})


# --- rows to act on: the seed's, and for the lists the seed leaves (nearly) empty, made here ---


def _stock_moves():
    products = list(Product.objects.order_by("pk")[:3])
    stock_apply_changes([StockChange(p.pk, 1, InventoryReason.RESTOCK) for p in products])


def _status_changes():
    for order in Order.objects.order_by("pk")[:3]:
        OrderStatusChange.objects.create(order=order, from_status="", to_status=order.status)


def _import_records():
    for n in range(3):
        ImportRecord.objects.create(
            model_label="backoffice.product",
            file_name=f"f{n}.csv",
            file_format="csv",
            outcome=ImportRecord.Outcome.APPLIED,
        )


def _jobs():
    for n in range(3):
        DataJob.objects.create(
            kind="import",
            step="preview",
            page_label="backoffice.Category",
            model_label="backoffice.Category",
            resource_path="backoffice.resources.CategoryResource",
            resource_name="categories",
            file_name=f"f{n}.csv",
            file_format="csv",
            status=DataJob.Status.CANCELLED,
        )


def _metadata():
    for product in Product.objects.filter(productmeta__isnull=True).order_by("pk")[:3]:
        ProductMeta.objects.create(product=product, metadata={"color": f"c{product.pk}"})


def _groups():
    for n in range(3):
        Group.objects.create(name=f"team {n}")


def _login_records():
    for n in range(3):
        fields = {"username": f"u{n}", "ip_address": f"10.0.0.{n}", "user_agent": "test"}
        AccessAttempt.objects.create(**fields, failures_since_start=1, get_data="", post_data="")
        AccessLog.objects.create(**fields)


MAKERS = {
    "backoffice.InventoryLog": _stock_moves,
    "backoffice.OrderStatusChange": _status_changes,
    "backoffice.ImportRecord": _import_records,
    "backoffice.DataJob": _jobs,
    "backoffice.ProductMeta": _metadata,
    "auth.Group": _groups,
    "axes.AccessAttempt": _login_records,
    "axes.AccessLog": _login_records,
}


def rows_of(label) -> list[int]:
    """At least three rows of the list, in pk order (the seed's, or made for the test)."""
    model = model_of(label)
    if model._default_manager.count() < 3:
        assert label in MAKERS, f"{label}: the seed has fewer than 3 rows; add a maker here"
        MAKERS[label]()
    return list(model._default_manager.order_by("pk").values_list("pk", flat=True))


# --- Export selected ---


def export_selected(client, model, selected) -> tuple[list[str], int]:
    """Choose "Export selected" on the list, then submit the export form it shows: the ids in
    the file, and the number of queries the download ran (streamed: counted while read)."""
    form_page = post_action(client, model, EXPORT, selected)
    assert form_page.status_code == 200
    assert form_page.context["export_url"] == url(model, "export")
    items = re.findall(r'name="export_items" value="([^"]+)"', form_page.content.decode())
    assert sorted(items, key=int) == [str(pk) for pk in selected]
    data = export_form_data(form_page.context["form"].resources[0], export_items=items)
    with CaptureQueriesContext(connection) as queries:
        body = streamed_text(client.post(url(model, "export"), data))
    return [row["id"] for row in csv.DictReader(io.StringIO(body))], len(queries)


@pytest.mark.parametrize("label", EXPORTING)
def test_export_selected_holds_exactly_the_selected_rows(seed, admin_client, label):
    model = model_of(label)
    pks = rows_of(label)
    selected = pks[::2]  # the first, third, ...: every other row stays out
    assert set(pks) - set(selected)
    ids, queries = export_selected(admin_client, model, selected)
    assert sorted(ids, key=int) == [str(pk) for pk in selected]
    one_ids, one_queries = export_selected(admin_client, model, selected[:1])
    assert one_ids == [str(selected[0])]
    assert queries == one_queries, "the export's SQL grows with the rows selected"


def lister_without_export(model):
    """A staff user who sees the list but lacks what export needs there.

    Export needs ``export_<model>``, or for models without that permission (auth.User, the
    history lists) ``view_<model>``: there, ``change`` shows the list without allowing export,
    and a list that has only ``view`` can't be seen at all without it.
    """
    opts = model._meta
    if model is DataJob:  # every staff member lists their own jobs; exporting needs "view"
        return staff_user(username="lister"), True
    if "export" in opts.default_permissions:
        return staff_user(f"{opts.app_label}.view_{opts.model_name}", username="lister"), True
    if "change" in opts.default_permissions and admin.site._registry[model].has_change_permission(
        superuser_request()
    ):
        return staff_user(f"{opts.app_label}.change_{opts.model_name}", username="lister"), True
    return staff_user("backoffice.view_product", username="lister"), False


@pytest.mark.parametrize("label", EXPORTING)
def test_export_selected_is_refused_without_the_export_permission(seed, client, label):
    model = model_of(label)
    selected = rows_of(label)[:1]
    user, sees_the_list = lister_without_export(model)
    client.force_login(user)
    listing = client.get(url(model))
    if sees_the_list:
        assert listing.status_code == 200
        form = listing.context["action_form"]
        offered = set() if form is None else {v for v, _ in form.fields["action"].choices}
        assert EXPORT not in offered
    else:
        assert listing.status_code == 403
    assert post_action(client, model, EXPORT, selected).status_code == 403
    assert client.post(url(model, "export"), {"export_items": selected}).status_code == 403


# --- delete_selected ---


def protectors_of(obj) -> list:
    """The rows that keep ``obj`` from being deleted (``on_delete=PROTECT`` in the models)."""
    if isinstance(obj, Product):
        return [*OrderItem.objects.filter(product=obj), *InventoryLog.objects.filter(product=obj)]
    if isinstance(obj, Category | Supplier):
        return list(obj.products.all())
    if isinstance(obj, Customer):
        return list(obj.orders.all())
    if isinstance(obj, User):
        return list(Order.objects.filter(customer__user=obj))
    return []


FREE_MAKERS = {  # a row nothing protects, for the lists whose seed rows may all be protected
    "backoffice.Category": CategoryFactory,
    "backoffice.Supplier": SupplierFactory,
    "backoffice.Product": ProductFactory,
    "backoffice.Customer": CustomerFactory,
    "auth.User": UserFactory,
}


def split_rows(label):
    """(free pks, protected objects): three free rows at least; protected ones from the seed."""
    model = model_of(label)
    rows_of(label)
    if label in FREE_MAKERS:
        FREE_MAKERS[label].create_batch(3)
    objects = list(model._default_manager.order_by("pk"))
    protected = [o for o in objects if protectors_of(o)]
    free = [  # never the logged-in superuser
        o.pk for o in objects if not protectors_of(o) and not getattr(o, "is_superuser", False)
    ]
    return free, protected


def deletion_logs(model, pks):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        action_flag=DELETION,
        object_id__in=[str(pk) for pk in pks],
    )


@pytest.mark.parametrize("label", DELETING)
def test_delete_selected_deletes_the_selected_rows_and_logs_each(seed, admin_client, label):
    model = model_of(label)
    free, _ = split_rows(label)
    first, selected = free[:1], free[1:3]
    reprs = {str(pk): str(model._default_manager.get(pk=pk)) for pk in selected}
    page = post_action(admin_client, model, DELETE, selected)
    assert page.status_code == 200
    assert "Are you sure" in page_text(page)
    for name in reprs.values():
        assert escape(name) in page.content.decode()
    ContentType.objects.get_for_model(model)  # cached once per process: not the deletion's SQL
    cache.clear()  # the cached reads (a filter's choices) dropped by every delete: for both
    with CaptureQueriesContext(connection) as one:
        post_action(admin_client, model, DELETE, first, post="yes")
    before = model._default_manager.count()
    cache.clear()
    with CaptureQueriesContext(connection) as two:
        response = post_action(admin_client, model, DELETE, selected, post="yes")
    assert response.status_code == 302
    assert len(two) == len(one), "deleting more rows runs more SQL"
    assert not model._default_manager.filter(pk__in=[*first, *selected]).exists()
    assert model._default_manager.count() == before - len(selected)
    logs = deletion_logs(model, selected)
    assert {log.object_id: log.object_repr for log in logs} == reprs
    assert logs.count() == len(selected)
    assert deletion_logs(model, first).count() == 1


# The lists whose rows other rows can protect (``protectors_of`` knows what protects them).
PROTECTING = [label for label in DELETING if label in FREE_MAKERS]


def test_every_list_with_protected_rows_is_covered():
    """A model PROTECTed by another (``on_delete=PROTECT``) whose list offers delete_selected
    must be in ``protectors_of``/``FREE_MAKERS`` here."""
    from django.apps import apps

    protected_models = {
        field.related_model._meta.label
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.is_relation and field.remote_field.on_delete is PROTECT
    }
    assert protected_models & set(DELETING) <= set(PROTECTING)
    assert "auth.User" in PROTECTING  # a user's customer profile cascades to its orders


@pytest.mark.parametrize("label", PROTECTING)
def test_delete_selected_lists_what_protects_a_row_and_deletes_nothing(seed, admin_client, label):
    model = model_of(label)
    free, protected = split_rows(label)
    assert protected, f"the seed has no protected {model._meta.verbose_name}"
    victim = protected[0]
    selected = [victim.pk, free[0]]
    before = model._default_manager.count()
    page = post_action(admin_client, model, DELETE, selected)
    assert page.status_code == 200
    html = page.content.decode()
    for protector in protectors_of(victim):
        assert escape(str(protector)) in html, protector
    text = page_text(page)
    single = page_text(admin_client.get(url(model, "delete", victim.pk)))  # its own Delete page
    if model is Product:
        assert "Nothing was deleted: order lines or stock history entries below refer to" in text
        assert "cannot be deleted because the order lines or stock history" in single
    else:
        assert "would require deleting the following protected related objects" in text
        assert "would require deleting the following protected related objects" in single
    for page_shown in (text, single):  # the reason is the protection, never a permission
        assert "permission" not in page_shown.split("Delete")[-1]
        assert "Yes, I’m sure" not in page_shown
    with pytest.raises(ProtectedError):  # the page's reason is the database's
        model._default_manager.filter(pk=victim.pk).delete()
    # Posting the confirmation anyway deletes nothing, not even the free row.
    response = post_action(admin_client, model, DELETE, selected, post="yes")
    assert response.status_code == 200
    assert model._default_manager.count() == before
    assert not deletion_logs(model, selected).exists()


def test_the_order_list_offers_no_delete_and_a_posted_one_deletes_nothing(seed, admin_client):
    """Orders are cancelled, never deleted from the list (their stock history would go)."""
    assert DELETE not in OFFERED["backoffice.Order"]
    cancelled = Order.objects.filter(status="cancelled").values_list("pk", flat=True)
    pks = list(Order.objects.values_list("pk", flat=True))
    response = post_action(admin_client, Order, DELETE, [*cancelled, pks[0]], post="yes")
    assert response.status_code in (200, 302)
    assert Order.objects.count() == len(pks)


# --- every other action has its own tests ---

TESTS = Path(__file__).resolve().parents[1]
OTHER_ACTIONS = sorted({a for actions in OFFERED.values() for a in actions} - {EXPORT, DELETE})


@pytest.fixture(scope="module")
def test_sources() -> dict[Path, str]:
    here = Path(__file__).resolve()
    return {p: p.read_text() for p in TESTS.rglob("test_*.py") if p.resolve() != here}


@pytest.mark.parametrize("action", OTHER_ACTIONS)
def test_every_other_action_is_named_in_a_test(test_sources, action):
    """Named as a string (``"action": "<name>"``), as posting it through the list needs."""
    pattern = re.compile(rf"[\"']{re.escape(action)}[\"']")
    assert any(pattern.search(text) for text in test_sources.values()), (
        f"no test under tests/ posts the action {action!r}"
    )
