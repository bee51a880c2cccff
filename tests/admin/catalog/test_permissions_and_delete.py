"""Who may do what in the catalog, and why a sold product cannot be deleted."""

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from backoffice.admin.catalog.actions import PRICE_AND_TAG_ACTIONS
from backoffice.admin.catalog.stock_actions import STOCK_ACTIONS
from backoffice.models import InventoryLog, OrderItem, Product
from tests.admin.helpers import (
    PRODUCTS_URL,
    csrf_client,
    csrf_token,
    messages_of,
    run_action,
)
from tests.factories import OrderItemFactory, ProductFactory, TagFactory

pytestmark = pytest.mark.django_db

CHANGING_ACTIONS = [action.__name__ for action in [*PRICE_AND_TAG_ACTIONS, *STOCK_ACTIONS]]
LIST = reverse(PRODUCTS_URL)


def offered_actions(client) -> set[str]:
    response = client.get(LIST)
    assert response.status_code == 200
    form = response.context["action_form"]  # None when no action at all is offered
    return set() if form is None else {value for value, _ in form.fields["action"].choices if value}


def test_a_viewer_sees_no_changing_action_and_no_editable_column(viewer):
    ProductFactory()
    client = csrf_client(viewer)
    offered = offered_actions(client)
    assert not offered & {*CHANGING_ACTIONS, "delete_selected"}
    response = client.get(LIST)
    assert not response.context["cl"].formset  # no editable columns without change permission


def test_an_editor_is_offered_every_action(editor):
    ProductFactory()
    assert offered_actions(csrf_client(editor)) >= {*CHANGING_ACTIONS, "delete_selected"}


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("deactivate_products", {}),
        ("discount_prices", {"percent": "50"}),
        ("raise_prices", {"percent": "50"}),
        ("clear_tags", {}),
        ("restock", {"quantity": "5", "reason": "x"}),
        ("delete_selected", {"post": "yes"}),
    ],
)
def test_a_viewer_posting_an_action_changes_nothing(viewer, action, data):
    product = ProductFactory(price=Decimal("20.00"), stock_quantity=3, is_active=True)
    product.tags.add(TagFactory())
    client = csrf_client(viewer)
    token = csrf_token(client.get(LIST))
    response = client.post(
        LIST,
        {
            "action": action,
            ACTION_CHECKBOX_NAME: [str(product.pk)],
            "confirm_action": "yes",
            "csrfmiddlewaretoken": token,
            **data,
        },
        follow=True,
    )
    assert response.status_code in (200, 403)
    product.refresh_from_db()
    assert (product.price, product.stock_quantity, product.is_active) == (
        Decimal("20.00"),
        3,
        True,
    )
    assert product.tags.count() == 1
    assert not InventoryLog.objects.exists()


def test_a_viewer_cannot_save_the_editable_columns(viewer):
    product = ProductFactory(price=Decimal("20.00"))
    client = csrf_client(viewer)
    token = csrf_token(client.get(LIST))
    client.post(
        LIST,
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(product.pk),
            "form-0-price": "1.00",
            "form-0-stock_quantity": "99",
            "_save": "Save",
            "csrfmiddlewaretoken": token,
        },
    )
    product.refresh_from_db()
    assert (product.price, product.stock_quantity) == (Decimal("20.00"), 10)


def test_a_post_without_a_csrf_token_is_refused(editor):
    product = ProductFactory(is_active=True)
    response = csrf_client(editor).post(
        LIST,
        {
            "action": "deactivate_products",
            ACTION_CHECKBOX_NAME: [str(product.pk)],
            "confirm_action": "yes",
        },
    )
    assert response.status_code == 403
    assert Product.objects.get(pk=product.pk).is_active


def test_an_editor_can_run_an_action(editor):
    product = ProductFactory(is_active=True)
    run_action(csrf_client(editor), "deactivate_products", [product.pk])
    assert not Product.objects.get(pk=product.pk).is_active


def test_deleting_a_sold_product_is_refused_and_the_page_says_why(editor):
    sold = OrderItemFactory().product
    client = csrf_client(editor)
    page = client.get(reverse("admin:backoffice_product_delete", args=[sold.pk]))
    html = page.content.decode()
    assert f"“{sold.name}” cannot be deleted because the order lines or stock history" in html
    assert f"{sold.name} x 1" in html  # the protecting order line, listed
    assert "permission" not in html.split('id="content"')[-1]  # not the misleading reason
    assert "Yes, I’m sure" not in html
    # Posting the confirmation anyway deletes nothing.
    client.post(
        reverse("admin:backoffice_product_delete", args=[sold.pk]),
        {"post": "yes", "csrfmiddlewaretoken": csrf_token(page)},
    )
    assert Product.objects.filter(pk=sold.pk).exists()


def test_delete_selected_explains_the_protection_and_deletes_nothing(editor):
    sold, unsold = OrderItemFactory().product, ProductFactory()
    client = csrf_client(editor)
    token = csrf_token(client.get(LIST))
    page = client.post(
        LIST,
        {
            "action": "delete_selected",
            ACTION_CHECKBOX_NAME: [str(sold.pk), str(unsold.pk)],
            "index": "0",
            "csrfmiddlewaretoken": token,
        },
    )
    html = page.content.decode()
    assert "Nothing was deleted: order lines or stock history entries below refer to" in html
    assert Product.objects.count() == 2
    assert OrderItem.objects.count() == 1


def test_a_product_with_stock_history_keeps_it(editor):
    """Deleting a product must not erase its audit trail: the log protects it."""
    from backoffice.models import InventoryLog, InventoryReason
    from backoffice.services.inventory import StockChange, stock_apply_changes

    product = ProductFactory(stock_quantity=0)
    stock_apply_changes([StockChange(product.pk, 5, InventoryReason.RESTOCK)])
    client = csrf_client(editor)
    page = client.get(reverse("admin:backoffice_product_delete", args=[product.pk]))
    assert "stock history" in page.content.decode()
    client.post(
        reverse("admin:backoffice_product_delete", args=[product.pk]),
        {"post": "yes", "csrfmiddlewaretoken": csrf_token(page)},
    )
    assert Product.objects.filter(pk=product.pk).exists()
    assert InventoryLog.objects.filter(product=product).count() == 1


def test_delete_selected_still_deletes_unsold_products_after_confirmation(editor):
    unsold = ProductFactory()
    client = csrf_client(editor)
    token = csrf_token(client.get(LIST))
    page = client.post(
        LIST,
        {
            "action": "delete_selected",
            ACTION_CHECKBOX_NAME: [str(unsold.pk)],
            "index": "0",
            "csrfmiddlewaretoken": token,
        },
    )
    assert "Are you sure" in page.content.decode()
    response = client.post(
        LIST,
        {
            "action": "delete_selected",
            ACTION_CHECKBOX_NAME: [str(unsold.pk)],
            "post": "yes",
            "csrfmiddlewaretoken": csrf_token(page),
        },
        follow=True,
    )
    assert "Successfully deleted 1 product." in messages_of(response)
    assert not Product.objects.exists()
