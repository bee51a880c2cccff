""" "Show the query" on the product, order and customer lists."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import staff_user

LISTS = ["product", "order", "customer"]


def staff_with(client, *codenames):
    client.force_login(staff_user(*codenames, username="analyst"))
    return client


@pytest.mark.parametrize("model", LISTS)
def test_staff_with_the_permission_see_the_sql_of_the_page(client, seed, model):
    staff_with(client, f"view_{model}", "use_query_lab")
    url = reverse(f"admin:backoffice_{model}_changelist")
    plain = client.get(url)
    assert "Show the query behind this page" in plain.content.decode()
    with CaptureQueriesContext(connection) as page_queries:
        response = client.get(url, {"_show_query": "1", "o": "1"})
    assert response.status_code == 200
    panel = response.context["captured_queries"]
    html = response.content.decode()
    assert 'class="module show-query"' in html
    assert panel.count >= 2
    assert panel.count <= len(page_queries)
    table = f"backoffice_{model}"
    assert any(table in sql and sql.lstrip().upper().startswith("SELECT") for sql in panel.queries)
    # the parameter is not taken for a filter: the list is whole and sorted as asked
    assert response.context["cl"].result_count == plain.context["cl"].result_count


@pytest.mark.parametrize("model", LISTS)
def test_without_the_permission_the_parameter_is_ignored(client, seed, model):
    staff_with(client, f"view_{model}")
    url = reverse(f"admin:backoffice_{model}_changelist")
    response = client.get(url, {"_show_query": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "show-query" not in html
    assert "Show the query behind this page" not in html
