"""Reports at size: a page at a time, every row once, the same figures as the whole report, a
fixed number of queries on any page, and a streamed CSV of every row.

The page size is made small so that a few rows fill several pages.
"""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backoffice.models import Order, OrderItem, OrderStatus, Review
from backoffice.reports import base, quality
from backoffice.reports.registry import REPORTS
from tests.factories import (
    CategoryFactory,
    CustomerFactory,
    OrderFactory,
    OrderItemFactory,
    ProductFactory,
    ReviewFactory,
    SupplierFactory,
)

PAGED = sorted(slug for slug, spec in REPORTS.items() if spec.paged)
PAGE_SIZE = 3


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(base, "PAGE_SIZE", PAGE_SIZE)


def build_catalogue(products: int = 17):
    """Products of a few categories and suppliers with varied prices (ties too), stock and
    dates, some sold (one order cancelled), some reviewed; customers with and without orders."""
    categories = [CategoryFactory() for _ in range(3)]
    suppliers = [SupplierFactory() for _ in range(7)]
    made = [
        ProductFactory(
            category=categories[i % 3],
            supplier=suppliers[i % 7],
            price=Decimal(10 + (i * 7) % 5 * 10),
            stock_quantity=(i * 5) % 13,
        )
        for i in range(products)
    ]
    customers = [CustomerFactory() for _ in range(11)]
    for i, customer in enumerate(customers[:8]):
        order = OrderFactory(
            customer=customer,
            status=OrderStatus.CANCELLED if i == 3 else OrderStatus.DELIVERED,
            total_amount=Decimal(5 * (i % 4)),
        )
        product = made[i % len(made)]
        OrderItemFactory(order=order, product=product, quantity=1 + i % 3, price=product.price)
        ReviewFactory(customer=customer, product=product, rating=1 + i % 5)
    return made


def get(client, slug, **params):
    response = client.get(reverse("admin:report", args=[slug]), params)
    assert response.status_code == 200
    return response


def every_page(client, slug):
    """The rows and links of every page, in page order, and the number of pages."""
    first = get(client, slug).context["table"]
    pages = first.page.paginator.num_pages
    rows, links = [], []
    for number in range(1, pages + 1):
        table = get(client, slug, p=number).context["table"]
        assert table.page.number == number
        assert len(table.rows) <= PAGE_SIZE
        rows += table.rows
        links += table.links
    return rows, links, pages


def whole_report(slug):
    """Every row as the CSV computes it (the whole report in one pass), as dicts."""
    spec = REPORTS[slug]
    form = spec.form_class({})
    form.is_valid()
    return list(spec.build(form).all_rows())


@pytest.mark.parametrize("slug", PAGED)
def test_every_row_is_on_exactly_one_page_in_the_reports_order(admin_client, small_pages, slug):
    build_catalogue()
    rows, links, pages = every_page(admin_client, slug)
    everything = whole_report(slug)
    assert pages > 1, "the data fills several pages"
    assert len(links) == len(set(links)) == len(everything)  # each row once
    # the same rows, in the same order, with the same figures as the whole report computes:
    # a page's window figures (rank in category, neighbours, running value) are exact
    assert rows == everything
    assert [r["row_number"] for r in rows if "row_number" in r] == [
        r["row_number"] for r in everything if "row_number" in r
    ]


@pytest.mark.parametrize("slug", PAGED)
def test_the_order_is_stable_across_requests(admin_client, small_pages, slug):
    build_catalogue()
    assert every_page(admin_client, slug)[1] == every_page(admin_client, slug)[1]


@pytest.mark.parametrize("slug", PAGED)
def test_the_page_shows_its_rows_of_the_total_and_links_to_the_others(
    admin_client, small_pages, slug
):
    build_catalogue()
    response = get(admin_client, slug, p=2)
    table = response.context["table"]
    html = response.content.decode()
    assert f"of {table.page.paginator.count}" in html
    assert "p=1" in html and "p=3" in html
    last = get(admin_client, slug, p="last").context["table"]
    assert last.page.number == last.page.paginator.num_pages > 1
    beyond = get(admin_client, slug, p=999).context["table"]
    assert beyond.page.number == last.page.number
    assert get(admin_client, slug, p="junk").context["table"].page.number == 1


def queries_of(client, slug, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        get(client, slug, **params)
    return len(captured.captured_queries)


@pytest.mark.parametrize("slug", PAGED)
def test_any_page_runs_the_same_queries_whatever_the_rows(admin_client, small_pages, slug):
    build_catalogue(products=7)
    small = [queries_of(admin_client, slug, p=n) for n in (1, "last")]
    build_catalogue(products=40)
    big = [queries_of(admin_client, slug, p=n) for n in (1, 2, "last")]
    assert len(set(small + big)) == 1, (small, big)


@pytest.mark.parametrize("slug", PAGED)
def test_the_csv_streams_every_row_of_every_page(admin_client, small_pages, slug):
    build_catalogue()
    response = admin_client.get(reverse("admin:report", args=[slug]), {"format": "csv", "p": 2})
    assert response.status_code == 200
    assert response.streaming
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    everything = whole_report(slug)
    assert len(lines) == 1 + len(everything) > 1 + PAGE_SIZE
    columns = [column.key for column in REPORTS[slug].build(REPORTS[slug].form_class({})).columns]
    names = [row[columns[0]] for row in everything]
    assert [line[0] for line in lines[1:]] == [str(name) for name in names]


def test_the_csv_keeps_formula_escaping_when_streamed(admin_client, small_pages):
    build_catalogue()
    ProductFactory(name="=HYPERLINK(1)", stock_quantity=0)
    response = admin_client.get(
        reverse("admin:report", args=["inventory-analysis"]), {"format": "csv"}
    )
    text = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK(1)" in text and "\n=HYPERLINK" not in text


def differing_orders() -> list[int]:
    """Orders whose total charged is not their lines' amount, from the rows themselves."""
    lines = {}
    for item in OrderItem.objects.all():
        lines[item.order_id] = lines.get(item.order_id, 0) + item.quantity * item.price
    return sorted(o.pk for o in Order.objects.all() if o.total_amount != lines.get(o.pk, 0))


def reviews_by_non_buyers() -> list[int]:
    """Reviews whose customer has no line of the product in an order that is not cancelled."""
    bought = {
        (item.order.customer_id, item.product_id)
        for item in OrderItem.objects.select_related("order")
        if item.order.status != OrderStatus.CANCELLED
    }
    return [r.pk for r in Review.objects.all() if (r.customer_id, r.product_id) not in bought]


@pytest.fixture
def few_shown(monkeypatch):
    monkeypatch.setattr(quality, "SHOWN", 2)


def test_data_quality_shows_the_first_records_and_links_to_all_of_them(admin_client, few_shown):
    made = build_catalogue()
    for i in range(5):
        order = OrderFactory(total_amount=Decimal("999.00"))
        OrderItemFactory(order=order, product=made[i], quantity=1, price=Decimal("1.00"))
    differing = differing_orders()
    assert len(differing) > 2
    table = get(admin_client, "data-quality").context["table"]
    shown = [r for r in table.rows if r["problem"].startswith("Order total")]
    assert [int(r["record"].split("#")[1].split()[0]) for r in shown] == sorted(differing)[:2]
    (order_list,) = [url for text, url in table.see_also if text.startswith("More than 2 orders")]
    listed = admin_client.get(order_list).context["cl"]
    assert {o.pk for o in listed.queryset} == set(differing)
    for text, url in table.see_also:
        assert url is None or admin_client.get(url).status_code == 200, text
    response = admin_client.get(reverse("admin:report", args=["data-quality"]), {"format": "csv"})
    assert response.streaming
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert sum(line.startswith("Order total differs") for line in lines) == len(differing)
    assert len(lines) == 1 + len(list(table.all_rows()))


def test_data_quality_names_the_csv_for_reviews_it_cannot_list(admin_client, few_shown):
    made = build_catalogue()
    for _ in range(3):  # customers who never ordered review a product
        ReviewFactory(customer=CustomerFactory(), product=made[0], rating=2)
    response = get(admin_client, "data-quality")
    table = response.context["table"]
    reviews = [r for r in table.rows if r["problem"].startswith("Review")]
    assert len(reviews) == 2
    (more,) = [(text, url) for text, url in table.see_also if "reviews" in text]
    assert more[1] is None and "CSV" in more[0]
    assert response.context["csv_query"] in response.content.decode().replace("&amp;", "&")
    every = [r for r in table.all_rows() if r["problem"].startswith("Review")]
    assert len(every) == len(reviews_by_non_buyers()) >= 3
