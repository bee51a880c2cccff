"""An unfiltered big list is counted from PostgreSQL's statistics ("about …"); a filtered
list, a small table and SQLite are counted exactly (``backoffice.admin.common.pagination``)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backoffice.admin.common import pagination
from backoffice.admin.common.pagination import estimated_rows
from backoffice.models import Order
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

URL = reverse("admin:backoffice_order_changelist")


def counted_in_sql(captured) -> bool:
    return any(re.search(r"SELECT COUNT\(\*\)", q["sql"]) for q in captured)


@pytest.mark.postgres_only
def test_an_unfiltered_list_of_a_big_table_says_about_and_runs_no_count(admin_client, monkeypatch):
    for _ in range(60):
        OrderFactory()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE backoffice_order")
    monkeypatch.setattr(pagination, "ESTIMATE_ABOVE", 10)  # "big" for this test
    estimate = estimated_rows(Order)
    assert estimate is not None and estimate >= 10
    with CaptureQueriesContext(connection) as captured:
        page = admin_client.get(URL)
    text = page.content.decode()
    assert f"about {estimate:,}" in text
    assert not counted_in_sql(captured)

    filtered = admin_client.get(URL + "?status__exact=pending").content.decode()
    assert "about" not in filtered.split('class="paginator"')[1]
    assert f"{Order.objects.filter(status='pending').count()} orders" in filtered


def test_a_small_table_is_counted_exactly(admin_client):
    for _ in range(3):
        OrderFactory()
    with CaptureQueriesContext(connection) as captured:
        page = admin_client.get(URL).content.decode()
    assert "3 orders" in page and "about 3" not in page
    # counted, not estimated: the orders of every day add up the kept day sales
    # (OrderQuerySet.count); a list of another model runs COUNT(*)
    assert any("backoffice_daysales" in q["sql"] for q in captured)
    with CaptureQueriesContext(connection) as captured:
        reviews = admin_client.get(reverse("admin:backoffice_review_changelist"))
    assert "0 reviews" in reviews.content.decode()
    assert counted_in_sql(captured)
