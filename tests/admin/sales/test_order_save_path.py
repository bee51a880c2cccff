"""The order page's save reads top to bottom (issue 10, point 5): the view runs once, a refused
save is shown from the form and lines it validated, nothing travels on the request, and a
refusal writes nothing."""

import ast
from pathlib import Path

import pytest
from django.contrib.admin import site
from django.contrib.admin.models import LogEntry
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backoffice.admin.sales.orders import OrderAdmin
from backoffice.models import InventoryLog, Order, OrderItem, OrderStatusChange, Product
from backoffice.services import orders as order_services
from backoffice.services.orders import OrderLine, order_create
from tests.admin.helpers import page_form_data
from tests.admin.sales.conftest import lines_of, order_form_data
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:backoffice_order_add")
SAVE_PATH_MODULES = ["forms.py", "inlines.py", "orders.py"]
WRITES = ("INSERT", "UPDATE", "DELETE")


def change_url(order):
    return reverse("admin:backoffice_order_change", args=[order.pk])


def placed_order(lines=1, stock=10):
    products = [ProductFactory(stock_quantity=stock, name=f"Lamp {i}") for i in range(lines)]
    return order_create(
        customer=CustomerFactory(), lines=[OrderLine(product.pk, 1) for product in products]
    )


def stale_post(client, order, **changes):
    """The order page as a browser holds it, posted after someone else edited the order."""
    data = page_form_data(client.get(change_url(order)), "order_form")
    data.update({name: [value] for name, value in changes.items()})
    data["_save"] = ["Save"]
    Order.objects.filter(pk=order.pk).update(edit_version=order.edit_version + 1)
    return data


def everything(order):
    """What a refused save must leave as it was."""
    return (
        list(Order.objects.filter(pk=order.pk).values()),
        list(OrderItem.objects.order_by("pk").values()),
        list(Product.objects.order_by("pk").values_list("pk", "stock_quantity")),
        InventoryLog.objects.count(),
        OrderStatusChange.objects.count(),
        LogEntry.objects.count(),
    )


def writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(WRITES) and "django_session" not in q["sql"]
    ]


@pytest.fixture
def view_runs(monkeypatch):
    """How many times Django's changeform view ran (each run validates the whole page)."""
    runs = []
    real = OrderAdmin._changeform_view

    def counting(self, *args, **kwargs):
        runs.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(OrderAdmin, "_changeform_view", counting)
    return runs


def test_a_stock_refusal_at_save_time_runs_the_view_once(admin_client, monkeypatch, view_runs):
    scarce = ProductFactory(stock_quantity=1, name="Scarce Lamp")
    real_check = order_services.order_stock_refusals
    checks = []

    def check_then_someone_buys(**kwargs):
        checks.append(1)
        result = real_check(**kwargs)
        Product.objects.filter(pk=scarce.pk).update(stock_quantity=0)
        return result

    monkeypatch.setattr(
        "backoffice.admin.sales.inlines.order_stock_refusals", check_then_someone_buys
    )
    data = order_form_data(
        customer=CustomerFactory(), lines=[{"product": scarce.pk, "quantity": 1}]
    )
    response = admin_client.post(ADD_URL, data)
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.forms[0].errors == {"quantity": ["Scarce Lamp: only 0 in stock, 1 asked."]}
    assert (len(view_runs), len(checks)) == (1, 1)
    assert Order.objects.count() == 0


def test_a_stale_page_runs_the_view_once_and_writes_nothing(admin_client, view_runs):
    order = placed_order(lines=2)
    item = order.items.order_by("pk").first()
    data = stale_post(admin_client, order, **{"items-0-quantity": "3", "status": "processing"})
    view_runs.clear()  # the page was opened (GET) to post it
    before = everything(order)
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.post(change_url(order), data)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "Someone else changed this order" in " ".join(form.non_field_errors())
    assert len(view_runs) == 1
    assert writes(queries.captured_queries) == []
    assert everything(order) == before
    assert OrderItem.objects.get(pk=item.pk).quantity == 1


def test_a_refused_save_costs_a_constant_few_queries_over_an_invalid_post(admin_client):
    """Django validates and renders each posted line (a few queries per line); a refused save
    adds the save's own constant cost to that, never a second validation of every line."""

    def queries_of(order, data):
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.post(change_url(order), data)
            response.render()
        assert response.status_code == 200
        return len(queries)

    extra = []
    for lines in (1, 12):
        order = placed_order(lines=lines)
        invalid = queries_of(order, stale_post(admin_client, order, customer=""))
        order.refresh_from_db()
        refused = queries_of(order, stale_post(admin_client, order))
        extra.append(refused - invalid)
    assert extra[0] == extra[1] and 0 < extra[0] <= 10, extra


def test_a_refused_status_move_is_on_the_status_field_and_writes_nothing(admin_client):
    """Delivering an order dated in the future is refused by the save, before any write."""
    order = placed_order(lines=1)
    Order.objects.filter(pk=order.pk).update(order_date="2999-01-01T00:00:00Z")
    for status in ("processing", "shipped"):
        order_services.order_set_status(order=order, to_status=status)
    order.refresh_from_db()
    data = order_form_data(
        customer=order.customer,
        order_date="2999-01-01 00:00:00",
        status="delivered",
        lines=lines_of(order),
    )
    data["initial-status"] = "shipped"
    before = everything(order)
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.post(change_url(order), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors == {"status": [f"{order} is dated in the future; it can't be delivered."]}
    assert writes(queries.captured_queries) == []
    assert everything(order) == before


def test_the_save_sets_no_attribute_on_the_request(admin_user):
    """A refused save leaves the request as a POST that failed Django's own validation does."""
    order = placed_order(lines=1)
    admin = site._registry[Order]

    def added_attributes(data):
        request = RequestFactory().post(change_url(order), data)
        request.user = admin_user
        request.session = SessionStore()
        request._messages = FallbackStorage(request)
        request._dont_enforce_csrf_checks = True
        before = set(vars(request))
        response = admin.change_view(request, str(order.pk))
        response.render()
        assert response.status_code == 200
        return set(vars(request)) - before

    client = Client()
    client.force_login(admin_user)
    invalid = stale_post(client, order, customer="")  # Django's own "this field is required"
    order.refresh_from_db()
    refused = stale_post(client, order)
    assert added_attributes(refused) == added_attributes(invalid)


def test_the_order_page_modules_assign_nothing_to_the_request():
    folder = Path(__file__).parents[3] / "backoffice" / "admin" / "sales"
    for name in SAVE_PATH_MODULES:
        tree = ast.parse((folder / name).read_text())
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else []
            for target in targets:
                assert not (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "request"
                ), f"{name}:{node.lineno} assigns to the request"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                first = node.args[0] if node.args else None
                assert not (
                    node.func.id in {"setattr", "getattr", "hasattr"}
                    and isinstance(first, ast.Name)
                    and first.id == "request"
                ), f"{name}:{node.lineno} passes something through the request"
