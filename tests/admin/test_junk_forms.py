"""Junk in forms the database cannot hold: a clear error on the field, nothing written."""

from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from backoffice.models import InventoryLog, Order, Product
from tests.admin.helpers import csrf_client, messages_of, run_action
from tests.admin.sales.conftest import order_form_data
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:backoffice_order_add")


def test_the_order_add_page_with_a_junk_customer_in_the_address(admin_client):
    response = admin_client.get(ADD_URL, {"customer": "abc"})
    assert response.status_code == 200
    response = admin_client.get(ADD_URL, {"customer": "99999999999999999999999"})
    assert response.status_code == 200


def test_a_junk_customer_posted_is_an_error_on_the_field(admin_client):
    product = ProductFactory(stock_quantity=5, price=Decimal("10.00"))
    data = order_form_data(
        customer=CustomerFactory(), lines=[{"product": product.pk, "quantity": 1}]
    )
    data["customer"] = "abc"
    response = admin_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["customer"]
    assert not Order.objects.exists()


def test_a_line_total_beyond_the_column_is_an_error_on_the_line(admin_client):
    product = ProductFactory(stock_quantity=5, price=Decimal("10.00"))
    data = order_form_data(
        customer=CustomerFactory(),
        lines=[{"product": product.pk, "quantity": 2, "price": "99999999.99"}],
    )
    response = admin_client.post(ADD_URL, data)
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    errors = " ".join(str(e) for form in formset.forms for e in form.errors.values())
    errors += " ".join(str(e) for e in formset.non_form_errors())
    max_digits = Order._meta.get_field("total_amount").max_digits
    assert "too large" in errors and str(max_digits) in errors
    assert not Order.objects.exists()
    assert Product.objects.get(pk=product.pk).stock_quantity == 5


def test_an_order_total_beyond_the_column_is_an_error(admin_client):
    """Lines that each fit but together exceed what the order's total can hold."""
    a = ProductFactory(stock_quantity=5, price=Decimal("10.00"))
    b = ProductFactory(stock_quantity=5, price=Decimal("10.00"))
    data = order_form_data(
        customer=CustomerFactory(),
        lines=[
            {"product": a.pk, "quantity": 1, "price": "60000000.00"},
            {"product": b.pk, "quantity": 1, "price": "60000000.00"},
        ],
    )
    response = admin_client.post(ADD_URL, data)
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert "too large" in " ".join(str(e) for e in formset.non_form_errors())
    assert not Order.objects.exists()


def test_restocking_past_the_integer_column_is_refused_with_a_message(admin_user):
    from backoffice.services.inventory import stock_column_maximum

    largest = stock_column_maximum()
    assert largest <= connection.ops.integer_field_range("PositiveIntegerField")[1]
    product = ProductFactory(stock_quantity=largest - 3)
    other = ProductFactory(stock_quantity=5)
    response = run_action(
        csrf_client(admin_user),
        "restock",
        [product.pk, other.pk],
        {"quantity": "5", "reason": "Delivery 1"},
    )
    assert response.status_code in (200, 302)
    text = " ".join(messages_of(response))
    assert product.name in text and str(largest) in text.replace(",", "")
    assert Product.objects.get(pk=product.pk).stock_quantity == largest - 3
    assert Product.objects.get(pk=other.pk).stock_quantity == 5  # all or nothing
    assert not InventoryLog.objects.exists()
