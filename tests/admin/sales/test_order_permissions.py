"""A user who may only view orders cannot change an order, its lines or its status, however the
request is made (with a real CSRF token, so the refusal is the permission, not the token)."""

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from backoffice.models import InventoryLog, Order, OrderItem, OrderStatusChange, Product
from backoffice.services.orders import OrderLine, order_create
from tests.admin.sales.conftest import lines_of, order_form_data
from tests.factories import CustomerFactory, ProductFactory, staff_user

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:backoffice_order_changelist")
ADD_URL = reverse("admin:backoffice_order_add")


@pytest.fixture
def order():
    product = ProductFactory(stock_quantity=10)
    return order_create(customer=CustomerFactory(), lines=[OrderLine(product.pk, 2)])


def logged_in(csrf_client, *codenames):
    user = staff_user(*codenames)
    csrf_client.force_login(user)
    csrf_client.get(LIST_URL)  # the page sets the CSRF cookie
    return csrf_client, csrf_client.cookies["csrftoken"].value


def snapshot(order):
    order.refresh_from_db()
    return (
        order.status,
        order.total_amount,
        list(order.items.values_list("product_id", "quantity", "price")),
        Product.objects.get(pk=order.items.get().product_id).stock_quantity,
        OrderStatusChange.objects.count(),
        InventoryLog.objects.count(),
    )


def change_data(order, token, **overrides):
    item = order.items.get()
    data = order_form_data(
        customer=order.customer,
        order_date=order.order_date.strftime("%Y-%m-%d %H:%M:%S"),
        status=overrides.pop("status", order.status),
        lines=lines_of(order, {item.pk: overrides})
        + [{"product": ProductFactory().pk, "quantity": 1}],
    )
    data["csrfmiddlewaretoken"] = token
    return data


def test_a_viewer_sees_the_order_read_only(csrf_client, order):
    client, _ = logged_in(csrf_client, "view_order")
    response = client.get(reverse("admin:backoffice_order_change", args=[order.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="status"' not in html
    assert order.items.get().product.name in html  # the lines are shown, read-only
    assert 'name="items-0-quantity"' not in html
    assert 'name="_save"' not in html


def test_a_viewer_cannot_post_order_lines_or_status(csrf_client, order):
    client, token = logged_in(csrf_client, "view_order")
    before = snapshot(order)
    url = reverse("admin:backoffice_order_change", args=[order.pk])
    response = client.post(url, change_data(order, token, quantity=5, status="processing"))
    assert response.status_code == 403
    assert snapshot(order) == before


def test_a_viewer_cannot_add_orders(csrf_client):
    client, token = logged_in(csrf_client, "view_order")
    product = ProductFactory(stock_quantity=3)
    data = order_form_data(
        customer=CustomerFactory(), lines=[{"product": product.pk, "quantity": 1}]
    )
    data["csrfmiddlewaretoken"] = token
    assert client.post(ADD_URL, data).status_code == 403
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    "action", ["mark_processing", "mark_shipped", "mark_cancelled", "recalculate_totals"]
)
def test_a_viewer_gets_no_status_actions(csrf_client, order, action):
    client, token = logged_in(csrf_client, "view_order")
    offered = client.get(LIST_URL).context["action_form"]
    assert offered is None or action not in dict(offered.fields["action"].choices)
    before = snapshot(order)
    data = {
        "action": action,
        helpers.ACTION_CHECKBOX_NAME: [str(order.pk)],
        "confirm_action": "yes",
        "csrfmiddlewaretoken": token,
    }
    response = client.post(LIST_URL, data, follow=True)
    assert response.status_code == 200
    assert snapshot(order) == before


def test_with_the_change_permission_the_same_posts_work(csrf_client, order):
    """The control: the token and the data are good; only the permission made the difference."""
    client, token = logged_in(csrf_client, "view_order", "change_order")
    url = reverse("admin:backoffice_order_change", args=[order.pk])
    response = client.post(url, change_data(order, token, quantity=3, status="processing"))
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "processing"
    assert sorted(order.items.values_list("quantity", flat=True)) == [1, 3]
    data = {
        "action": "mark_shipped",
        helpers.ACTION_CHECKBOX_NAME: [str(order.pk)],
        "csrfmiddlewaretoken": token,
    }
    client.post(LIST_URL, data)
    order.refresh_from_db()
    assert order.status == "shipped"


def test_without_a_csrf_token_nothing_changes_either(csrf_client, order):
    client, _ = logged_in(csrf_client, "view_order", "change_order")
    before = snapshot(order)
    url = reverse("admin:backoffice_order_change", args=[order.pk])
    data = change_data(order, "", quantity=5, status="processing")
    del data["csrfmiddlewaretoken"]
    assert client.post(url, data).status_code == 403
    assert snapshot(order) == before


def test_order_lines_cannot_be_changed_outside_their_order(admin_client, order):
    """Even a superuser edits lines on the order page only, where stock and totals follow."""
    item = order.items.get()
    change = reverse("admin:backoffice_orderitem_change", args=[item.pk])
    response = admin_client.post(change, {"quantity": 9, "price": "1.00", "order": order.pk})
    assert response.status_code == 403
    assert admin_client.get(reverse("admin:backoffice_orderitem_add")).status_code == 403
    assert OrderItem.objects.get(pk=item.pk).quantity == 2


def test_a_viewer_cannot_read_prices_through_the_order_page_helper(csrf_client):
    client, _ = logged_in(csrf_client, "view_order")
    url = reverse("admin:backoffice_order_product_prices")
    assert client.get(url, {"ids": str(ProductFactory().pk)}).status_code == 403
