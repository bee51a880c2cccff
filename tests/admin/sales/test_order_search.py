"""Staff search orders by what they have (issue 13, point 6): the customer's user name and
e-mail, the order's or the customer's external reference (whole, any case); on PostgreSQL
each through an index (``0010_search_indexes``' trigram indexes on ``auth_user``, 0018's
``UPPER(external_ref)``)."""

import pytest
from django.contrib import admin
from django.db import connection
from django.urls import reverse

from backoffice.admin.common.search import search
from backoffice.models import Customer, Order
from tests.factories import CustomerFactory, OrderFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("admin:backoffice_order_changelist")
ORDER_SEARCH = admin.site._registry[Order].search_fields


@pytest.fixture
def orders():
    ana = CustomerFactory(
        user=UserFactory(username="ana_k77", email="ana.k@shop.example"), external_ref="CU-9F2A"
    )
    other = CustomerFactory(user=UserFactory(username="zed", email="zed@shop.example"))
    return {
        "ana": OrderFactory(customer=ana),
        "ana_again": OrderFactory(customer=ana),
        "ref": OrderFactory(customer=other, external_ref="e481f51cbdc54678b7cc49136f2d6af7"),
        "plain": OrderFactory(customer=other),
    }


def listed(admin_client, term) -> set[int]:
    response = admin_client.get(URL, {"q": term})
    assert response.status_code == 200
    return {order.pk for order in response.context["cl"].result_list}


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("ana_k77", {"ana", "ana_again"}),  # the user name
        ("ANA_K", {"ana", "ana_again"}),  # a part of it, any case
        ("ana.k@shop.example", {"ana", "ana_again"}),  # the e-mail
        ("e481f51cbdc54678b7cc49136f2d6af7", {"ref"}),  # the order's reference
        ("E481F51CBDC54678B7CC49136F2D6AF7", {"ref"}),  # whatever its case
        ("cu-9f2a", {"ana", "ana_again"}),  # the customer's reference
        ("e481f51c", set()),  # a reference is compared whole
        ("nobody-here", set()),
    ],
)
def test_orders_are_found_by_user_name_email_and_external_reference(
    admin_client, orders, term, expected
):
    assert listed(admin_client, term) == {orders[name].pk for name in expected}


def test_the_help_text_names_what_can_be_searched(admin_client, orders):
    html = admin_client.get(URL).content.decode()
    assert "user name" in html and "external reference" in html


def _plan(queryset) -> str:
    """The plan with scans discouraged (a handful of rows: a scan would rightly win)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    return queryset.explain()


@pytest.mark.postgres_only
def test_the_order_search_reads_the_indexes_of_every_table(orders):
    plan = _plan(search(Order.objects.all(), ORDER_SEARCH, "e481f51cbdc5"))
    for index in [
        "order_external_ref_upper",
        "customer_external_ref_upper",
        "auth_user_username_search",
        "auth_user_email_search",
    ]:
        assert index in plan, plan


@pytest.mark.postgres_only
def test_the_external_ref_indexes_are_on_upper():
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, indexname, indexdef FROM pg_indexes")
        definitions = {name: definition for _, name, definition in cursor.fetchall()}
    for model in ("order", "customer", "product", "supplier"):
        definition = definitions[f"{model}_external_ref_upper"]
        assert "upper((external_ref)::text)" in definition, definition


def test_external_refs_are_unique_when_given():
    from django.core.exceptions import ValidationError

    CustomerFactory(external_ref="X1")
    CustomerFactory(external_ref="")
    CustomerFactory(external_ref="")  # blanks don't collide
    duplicate = CustomerFactory.build(user=UserFactory(), external_ref="X1")
    with pytest.raises(ValidationError) as refused:
        duplicate.full_clean()
    assert list(refused.value.message_dict) == ["external_ref"]
    assert Customer.objects.filter(external_ref="X1").count() == 1
