"""Two saves from pages opened at the same version, at the same moment: exactly one wins
(PostgreSQL, real threads, each with its own connection)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from backoffice.models import Order, Product
from backoffice.services.edits import EditConflict, edit_version_claim
from backoffice.services.orders import OrderLine, order_create
from tests.admin.helpers import page_form_data
from tests.factories import CustomerFactory, ProductFactory, UserFactory

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def at_once(*jobs):
    """Run the jobs in threads released together; their results (or exceptions), in order."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(i, job):
        try:
            barrier.wait(timeout=10)
            results[i] = job()
        except Exception as error:  # reported by the test
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_a_claim_waits_for_the_other_save_and_then_is_refused():
    """The first save holds the row until it commits; the second then finds the version moved."""
    product = ProductFactory(price=Decimal("10.00"))
    claimed, release = threading.Event(), threading.Event()

    def first():
        with transaction.atomic():
            edit_version_claim(model=Product, pk=product.pk, seen=1)
            claimed.set()
            release.wait(timeout=10)
            Product.objects.filter(pk=product.pk).update(price=Decimal("11.00"))
        return "saved"

    def second():
        claimed.wait(timeout=10)
        threading.Timer(0.3, release.set).start()  # let the second block on the row first
        with transaction.atomic():
            edit_version_claim(model=Product, pk=product.pk, seen=1)
            Product.objects.filter(pk=product.pk).update(price=Decimal("12.00"))
        return "saved"

    results = at_once(first, second)
    assert results[0] == "saved"
    assert isinstance(results[1], EditConflict)
    saved = Product.objects.get(pk=product.pk)
    assert (saved.price, saved.edit_version) == (Decimal("11.00"), 2)


def logged_in_client():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_two_stale_product_pages_saved_at_once_exactly_one_wins():
    product = ProductFactory(price=Decimal("10.00"))
    url = reverse("admin:backoffice_product_change", args=[product.pk])
    clients = [logged_in_client(), logged_in_client()]
    forms = [page_form_data(client.get(url), "product_form") for client in clients]

    def saver(client, form, price):
        return lambda: client.post(url, {**form, "price": [price], "_save": ["Save"]}).status_code

    codes = at_once(saver(clients[0], forms[0], "11.00"), saver(clients[1], forms[1], "12.00"))
    assert sorted(codes) == [200, 302]  # one saved and redirected, one shown again refused
    saved = Product.objects.get(pk=product.pk)
    assert saved.price == (Decimal("11.00") if codes[0] == 302 else Decimal("12.00"))
    assert saved.edit_version == 2


def test_two_stale_order_pages_saved_at_once_exactly_one_wins():
    product = ProductFactory(stock_quantity=10)
    order = order_create(customer=CustomerFactory(), lines=[OrderLine(product.pk, 3)])
    url = reverse("admin:backoffice_order_change", args=[order.pk])
    clients = [logged_in_client(), logged_in_client()]
    forms = [page_form_data(client.get(url), "order_form") for client in clients]
    new_customer = CustomerFactory()

    def quantity_change():
        data = {**forms[0], "items-0-quantity": ["1"], "_save": ["Save"]}
        return clients[0].post(url, data).status_code

    def customer_change():
        data = {**forms[1], "customer": [str(new_customer.pk)], "_save": ["Save"]}
        return clients[1].post(url, data).status_code

    codes = at_once(quantity_change, customer_change)
    assert sorted(codes) == [200, 302]
    saved = Order.objects.get(pk=order.pk)
    quantity = saved.items.get().quantity
    if codes[0] == 302:  # the quantity change won: the customer is unchanged
        assert (quantity, saved.customer_id) == (1, order.customer_id)
    else:
        assert (quantity, saved.customer_id) == (3, new_customer.pk)
    assert Product.objects.get(pk=product.pk).stock_quantity == 10 - quantity
    assert saved.edit_version == order.edit_version + 1
