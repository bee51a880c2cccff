"""The customer list's order (by name) and its sort by e-mail are read from indexes on
Django's ``auth_user`` (migration 0015): unindexed, each page sorted every user."""

import pytest
from django.contrib import admin
from django.db import connection

from backoffice.models import Customer

pytestmark = pytest.mark.django_db


def test_the_name_and_email_indexes_are_made_on_every_database():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "auth_user")
    assert constraints["auth_user_name_order"]["columns"] == ["last_name", "first_name"]
    assert constraints["auth_user_email_order"]["columns"] == ["email"]


def _plan_without_sorting_or_scans(queryset) -> str:
    """The plan once sorts and table scans are discouraged: the test tables hold a handful of
    rows, where sorting them wins. What can break at any size is whether the index still
    matches the list's ordering."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
    return queryset.explain()


@pytest.mark.postgres_only
@pytest.mark.parametrize(
    ("ordering", "index"),
    [
        (None, "auth_user_name_order"),  # the list's own order
        (["user__email", "-pk"], "auth_user_email_order"),  # "sort email"
    ],
)
def test_a_page_of_customers_is_read_in_index_order(seed, ordering, index):
    model_admin = admin.site._registry[Customer]
    ordering = ordering or [*model_admin.get_ordering(None), "-pk"]
    plan = _plan_without_sorting_or_scans(Customer.objects.order_by(*ordering)[:50])
    assert index in plan, plan
