"""The order page's charges: shown in the charged-vs-items panel, edited while the order is
pending or processing (the total follows), shown read-only after; the recalculation action's
preview uses them."""

from decimal import Decimal

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from backoffice.models import Order, OrderStatus
from tests.admin.sales.conftest import lines_of, order_form_data
from tests.factories import OrderFactory, OrderItemFactory, ProductFactory

pytestmark = pytest.mark.django_db


def change_url(order):
    return reverse("admin:backoffice_order_change", args=[order.pk])


def an_order(status=OrderStatus.PENDING, **fields):
    order = OrderFactory(status=status, **fields)
    OrderItemFactory(order=order, product=ProductFactory(price=Decimal("25.00")), quantity=2)
    return order


def test_the_panel_shows_items_charges_and_what_they_come_to(admin_client):
    order = an_order(
        total_amount=Decimal("54.00"),
        shipping_amount=Decimal("4.99"),
        tax_amount=Decimal("1.01"),
        discount_amount=Decimal("2.00"),
    )
    html = admin_client.get(change_url(order)).content.decode()
    for css, value in [
        ("items-total", "50.00"),
        ("shipping", "4.99"),
        ("tax", "1.01"),
        ("discount", "2.00"),
        ("charge-for-items", "54.00"),
        ("total-charged", "54.00"),
    ]:
        assert f'<td class="{css}">{value}</td>' in html, css
    assert '<td class="difference">0.00' in html
    assert "totals-differ" not in html  # items alone (50.00) would differ


def test_the_panel_says_what_the_total_should_be(admin_client):
    order = an_order(total_amount=Decimal("50.00"), shipping_amount=Decimal("4.99"))
    html = admin_client.get(change_url(order)).content.decode()
    assert "charged 4.99 less than its items and charges" in html
    assert "sets the total to 54.99" in html


def test_charges_saved_on_an_open_order_move_the_total(admin_client):
    order = an_order(total_amount=Decimal("50.00"))
    data = order_form_data(
        customer=order.customer,
        status="pending",
        lines=lines_of(order),
        charges={"shipping_amount": "5.00", "tax_amount": "2.50", "discount_amount": "0.50"},
    )
    response = admin_client.post(change_url(order), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    order.refresh_from_db()
    assert (order.shipping_amount, order.total_amount) == (Decimal("5.00"), Decimal("57.00"))
    assert Order.objects.with_item_totals().get(pk=order.pk).total_differs is False


def test_a_discount_above_everything_is_refused_on_the_page(admin_client):
    order = an_order(total_amount=Decimal("50.00"))
    data = order_form_data(
        customer=order.customer,
        status="pending",
        lines=lines_of(order),
        charges={"discount_amount": "50.01"},
    )
    response = admin_client.post(change_url(order), data)
    assert response.status_code == 200
    assert "more than the items, shipping and tax together" in response.content.decode()
    order.refresh_from_db()
    assert (order.discount_amount, order.total_amount) == (Decimal("0.00"), Decimal("50.00"))


@pytest.mark.parametrize("status", [OrderStatus.SHIPPED, OrderStatus.DELIVERED])
def test_charges_of_an_order_that_left_are_shown_not_edited(admin_client, status):
    order = an_order(status=status, total_amount=Decimal("54.99"), shipping_amount=Decimal("4.99"))
    response = admin_client.get(change_url(order))
    form = response.context["adminform"].form
    assert all(form.fields[name].disabled for name in ("shipping_amount", "tax_amount"))
    # a post that tries anyway changes nothing: a disabled field keeps the stored value
    data = order_form_data(
        customer=order.customer, status=status, charges={"shipping_amount": "0.00"}
    )
    admin_client.post(change_url(order), data)
    order.refresh_from_db()
    assert (order.shipping_amount, order.total_amount) == (Decimal("4.99"), Decimal("54.99"))


def test_the_recalculation_preview_uses_the_charges(admin_client):
    order = an_order(total_amount=Decimal("50.00"), shipping_amount=Decimal("4.99"))
    response = admin_client.post(
        reverse("admin:backoffice_order_changelist"),
        {"action": "recalculate_totals", helpers.ACTION_CHECKBOX_NAME: [order.pk]},
    )
    [row] = response.context_data["preview"]
    assert (row["old"], row["new"]) == (Decimal("50.00"), Decimal("54.99"))
