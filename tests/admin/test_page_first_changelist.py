"""Every list finds its page by ids first, then reads the columns for those rows only
(``backoffice.admin.common.changelist``): the same rows in the same order as one query would
give, and no figure computed for the rows an OFFSET skips."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import OrderFactory, OrderItemFactory

pytestmark = pytest.mark.django_db

URL = reverse("admin:backoffice_order_changelist")


@pytest.fixture
def many_orders(db):
    orders = [OrderFactory() for _ in range(120)]
    for i, order in enumerate(orders):
        OrderItemFactory(order=order, quantity=1 + i % 4)
    return orders


@pytest.mark.parametrize(
    "query", ["?p=2", "?p=3&o=-5", "?p=2&o=3.-1", "?p=2&status__exact=pending"]
)
def test_a_page_holds_the_rows_of_that_page_of_the_whole_ordered_list(
    admin_client, many_orders, query
):
    response = admin_client.get(URL + query)
    assert response.status_code == 200
    cl = response.context["cl"]
    start = (cl.page_num - 1) * cl.list_per_page
    expected = list(cl.queryset.values_list("pk", flat=True))[start : start + cl.list_per_page]
    assert [order.pk for order in cl.result_list] == expected
    assert len(expected) > 0


def test_the_skipped_rows_are_walked_for_their_ids_alone(admin_client, many_orders):
    with CaptureQueriesContext(connection) as captured:
        assert admin_client.get(URL + "?p=2").status_code == 200
    offset_queries = [q["sql"] for q in captured if re.search(r"\bOFFSET\b", q["sql"])]
    assert len(offset_queries) == 1
    selected = offset_queries[0].split(" FROM ")[0]
    assert selected.count(",") == 0, selected  # the id, nothing else
    page_query = next(q["sql"] for q in captured if "prev_order_total" in q["sql"])
    assert "OFFSET" not in page_query and " IN (" in page_query


@pytest.mark.parametrize("query", ["?p=3", "?p=3&o=-5", "?p=3&o=3.-1"])
def test_a_page_past_the_middle_is_read_from_the_other_end(admin_client, many_orders, query):
    """The last page holds the list's last rows, found without an OFFSET over the rows before
    it (an index walk of a million orders on the last page otherwise)."""
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(URL + query)
    cl = response.context["cl"]
    every_id = list(cl.queryset.values_list("pk", flat=True))
    start = (cl.page_num - 1) * cl.list_per_page
    assert start > len(every_id) // 2  # past the middle
    assert [order.pk for order in cl.result_list] == every_id[start : start + cl.list_per_page]
    offsets = [int(n) for q in captured for n in re.findall(r"\bOFFSET (\d+)", q["sql"])]
    assert all(offset < start for offset in offsets), offsets


FIGURE_SORTS = {  # list_display position (after the checkbox): the order's kept figure
    "7": ("items_total", False),
    "-7": ("items_total", True),
    "-9": ("item_count", True),
    "8": ("total_differs", False),
}


def test_a_sort_by_a_kept_figure_walks_the_figures_and_breaks_ties_by_the_order(
    admin_client, many_orders
):
    """By (figure, order id) from the figures table: an index on the two walks the page
    (``PageFirstChangeList.ids_in_order``); the rows are those of the source's sort, on the
    first page, the middle and from the other end."""
    from backoffice.models import Order

    truth = {}
    for order in Order.objects.prefetch_related("items"):
        items_total = sum((i.quantity * i.price for i in order.items.all()), 0)
        truth[order.pk] = {
            "items_total": items_total,
            "item_count": len(order.items.all()),
            "total_differs": order.total_amount != items_total,
        }
    for sort, (figure, descending) in FIGURE_SORTS.items():
        every_id = sorted(truth, key=lambda pk: (truth[pk][figure], pk), reverse=descending)
        for page in (1, 2, 3):
            with CaptureQueriesContext(connection) as captured:
                cl = admin_client.get(URL, {"o": sort, "p": page}).context["cl"]
            start = (page - 1) * cl.list_per_page
            shown = [order.pk for order in cl.result_list]
            assert shown == every_id[start : start + cl.list_per_page], (sort, page)
            ids_query = next(
                q["sql"]
                for q in captured
                if '"backoffice_orderfigures"."order_id"' in q["sql"].split("ORDER BY")[-1]
            )
            assert "INNER JOIN" in ids_query


@pytest.mark.parametrize(
    ("url", "query"),
    [
        (URL, {"p": "2"}),
        (URL, {"status__exact": "pending", "o": "-5.3"}),
        (reverse("admin:backoffice_product_changelist"), {"p": "2", "edit": "1"}),
    ],
)
def test_row_links_keep_the_lists_filters_as_djangos_own_would(
    admin_client, many_orders, url, query
):
    """The links are built with the filters encoded once per page (``url_for_result``), not
    resolved per row by Django's ``add_preserved_filters``: the same links."""
    from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
    from django.contrib.admin.views.main import ChangeList

    from tests.factories import ProductFactory

    ProductFactory.create_batch(60)
    response = admin_client.get(url, query)
    cl = response.context["cl"]
    kept = cl.model_admin.get_preserved_filters(response.wsgi_request)
    assert kept  # the page has filters to keep
    html = response.content.decode()
    assert len(cl.result_list) > 0
    for row in cl.result_list:
        plain = ChangeList.url_for_result(cl, row)
        expected = add_preserved_filters({"preserved_filters": kept, "opts": cl.opts}, plain)
        assert cl.url_for_result(row) == expected
        assert f'href="{expected.replace("&", "&amp;")}"' in html
