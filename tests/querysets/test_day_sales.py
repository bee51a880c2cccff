"""Orders of whole UTC days are answered from the kept day sales, with the same answer.

``OrderQuerySet.status_summary()``, ``datetimes()`` (the date drill-down) and ``aggregate()``
read ``DaySales`` when the orders are exactly those of a date range and statuses
(``backoffice.querysets.days.as_whole_days``). Each case here is asked twice: as is, and with a
condition that keeps every order but makes the question one the day sales cannot answer
(``pk__gt=0``), so the orders are read. Both answers must be equal.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import Max, Min
from django.test.utils import CaptureQueriesContext

from backoffice.models import DaySales, Order, OrderItem
from backoffice.querysets.days import WholeDays, as_whole_days
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

MIDNIGHT_2024_03_02 = datetime(2024, 3, 2, tzinfo=UTC)
MIDNIGHT_2024_04_01 = datetime(2024, 4, 1, tzinfo=UTC)


def read_orders(queryset):
    """The same orders, asked so that the kept days cannot answer."""
    return queryset.filter(pk__gt=0)


def tables_read(function):
    with CaptureQueriesContext(connection) as queries:
        result = function()
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    return result, ("backoffice_daysales" in sql), ('FROM "backoffice_order"' in sql)


QUESTIONS = {
    "every order": lambda: Order.objects.all(),
    "the order list's rows": lambda: Order.objects.for_list(),
    "from a day": lambda: Order.objects.placed_between(MIDNIGHT_2024_03_02),
    "a month": lambda: Order.objects.placed_between(MIDNIGHT_2024_03_02, MIDNIGHT_2024_04_01),
    "a status": lambda: Order.objects.filter(status="delivered"),
    "statuses and a range": lambda: Order.objects.filter(
        status__in=["pending", "cancelled"], order_date__gte=MIDNIGHT_2024_03_02
    ),
    "the date range filter's last instant": lambda: Order.objects.filter(
        order_date__lte=MIDNIGHT_2024_04_01 - timedelta(microseconds=1)
    ),
}


@pytest.mark.parametrize("question", QUESTIONS)
def test_the_status_summary_from_kept_days_is_the_one_from_the_orders(seed, question):
    orders = QUESTIONS[question]()
    kept, read_days, read_order_table = tables_read(orders.status_summary)
    assert read_days and not read_order_table
    assert kept == read_orders(orders).status_summary()
    assert kept["total_orders"] == len(list(orders))


@pytest.mark.parametrize("question", QUESTIONS)
@pytest.mark.parametrize("kind", ["year", "month", "day"])
def test_the_date_drill_down_from_kept_days_is_the_one_from_the_orders(seed, question, kind):
    orders = QUESTIONS[question]()
    kept, read_days, _ = tables_read(lambda: list(orders.datetimes("order_date", kind)))
    assert read_days
    assert kept == list(read_orders(orders).datetimes("order_date", kind))
    assert kept  # the seed data has orders in every question


@pytest.mark.parametrize("question", QUESTIONS)
def test_the_count_from_kept_days_is_the_count_of_the_orders(seed, question):
    orders = QUESTIONS[question]()
    kept, read_days, read_order_table = tables_read(orders.count)
    assert read_days and not read_order_table
    assert kept == read_orders(orders).count() == len(list(orders))


@pytest.mark.parametrize("question", QUESTIONS)
def test_min_and_max_over_the_list_rows_read_the_orders_alone(seed, question):
    orders = QUESTIONS[question]()
    with CaptureQueriesContext(connection) as queries:
        kept = orders.aggregate(first=Min("order_date"), last=Max("order_date"))
    assert "JOIN" not in queries.captured_queries[0]["sql"]
    assert kept == read_orders(orders).aggregate(first=Min("order_date"), last=Max("order_date"))


@pytest.mark.parametrize(
    "orders",
    [
        lambda: Order.objects.filter(pk__gt=0),
        lambda: Order.objects.filter(order_date__gte=MIDNIGHT_2024_03_02 + timedelta(hours=1)),
        lambda: Order.objects.exclude(status="cancelled"),
        lambda: Order.objects.filter(customer__user__first_name="John"),
        lambda: Order.objects.all()[:3],
        lambda: Order.objects.filter(total_amount__gt=100),
    ],
    ids=["by id", "not a midnight", "an exclusion", "a join", "a slice", "another column"],
)
def test_any_other_question_reads_the_orders(seed, orders):
    assert as_whole_days(orders()) is None


LINE_QUESTIONS = {
    "every line": lambda: OrderItem.objects.all(),
    "the line list's rows": lambda: OrderItem.objects.with_line_details(),
    "a month's orders": lambda: OrderItem.objects.with_line_details().filter(
        order__order_date__gte=MIDNIGHT_2024_03_02, order__order_date__lt=MIDNIGHT_2024_04_01
    ),
    "an order status": lambda: OrderItem.objects.filter(order__status="delivered"),
    "statuses, to a day's last instant": lambda: OrderItem.objects.filter(
        order__status__in=["pending", "shipped"],
        order__order_date__lte=MIDNIGHT_2024_04_01 - timedelta(microseconds=1),
    ),
}


@pytest.mark.parametrize("question", LINE_QUESTIONS)
def test_the_line_count_from_kept_days_is_the_count_of_the_lines(seed, question):
    lines = LINE_QUESTIONS[question]()
    with CaptureQueriesContext(connection) as queries:
        kept = lines.count()
    sql = queries.captured_queries[0]["sql"]
    assert "backoffice_daysales" in sql and "backoffice_orderitem" not in sql
    assert kept == lines.filter(pk__gt=0).count() == len(list(lines))


@pytest.mark.parametrize(
    "lines",
    [
        lambda: OrderItem.objects.filter(pk__gt=0),
        lambda: OrderItem.objects.filter(product__category_id=3),
        lambda: OrderItem.objects.filter(quantity__gt=1, order__status="delivered"),
        lambda: OrderItem.objects.filter(order__customer__user__first_name="John"),
        lambda: OrderItem.objects.exclude(order__status="cancelled"),
    ],
    ids=["by id", "a product's category", "a line column", "the order's customer", "exclusion"],
)
def test_any_other_line_question_reads_the_lines(seed, lines):
    assert as_whole_days(lines(), through="order") is None
    with CaptureQueriesContext(connection) as queries:
        lines().count()
    assert "backoffice_orderitem" in queries.captured_queries[0]["sql"]


def test_what_a_question_is_made_of():
    orders = Order.objects.filter(status="shipped").placed_between(None, MIDNIGHT_2024_04_01)
    assert as_whole_days(orders) == WholeDays(None, MIDNIGHT_2024_04_01, frozenset({"shipped"}))
    contradiction = Order.objects.filter(status="shipped").filter(status__in=["pending"])
    assert as_whole_days(contradiction).statuses == frozenset()


def test_a_day_with_orders_of_every_status_sums_them_all(seed):
    """Kept days that sum more than one row per day (the seed has one order a day at most)."""
    customer = CustomerFactory()
    day = datetime(2025, 5, 5, 9, tzinfo=UTC)
    for status, hours in [("pending", 0), ("pending", 5), ("cancelled", 7), ("shipped", 14)]:
        Order.objects.create(
            customer=customer, status=status, order_date=day + timedelta(hours=hours)
        )
    assert DaySales.objects.filter(day=day.date()).count() == 3
    may = Order.objects.placed_between(
        datetime(2025, 5, 1, tzinfo=UTC), datetime(2025, 6, 1, tzinfo=UTC)
    )
    summary = may.status_summary()
    assert summary == read_orders(may).status_summary()
    assert summary["by_status"]["pending"]["count"] == 2
    assert summary["total_orders"] == 4 and summary["cancelled_orders"] == 1


def test_the_drill_down_years_of_any_list_skip_the_probes_its_first_and_last_order_answer():
    """A search or a segment: the years come from one probe a year, except the years of the
    first and last order (asked just before, of the same QuerySet) and those outside them."""
    from django.db.models import QuerySet

    from tests.factories import OrderFactory

    customer, other = CustomerFactory(), CustomerFactory()
    for year in (2021, 2023, 2025):  # 2022 and 2024: no order of this customer
        OrderFactory(customer=customer, order_date=datetime(year, 5, 1, tzinfo=UTC))
    for year in (2020, 2022, 2024, 2026):  # the shop has orders in every year
        OrderFactory(customer=other, order_date=datetime(year, 5, 1, tzinfo=UTC))
    mine = Order.objects.filter(customer=customer)
    django_years = list(QuerySet.datetimes(mine, "order_date", "year"))
    assert [d.year for d in django_years] == [2021, 2023, 2025]

    with CaptureQueriesContext(connection) as cold:
        assert list(mine.all().datetimes("order_date", "year")) == django_years
    asked = mine.all()
    ends = asked.aggregate(first=Min("order_date"), last=Max("order_date"))
    assert (ends["first"].year, ends["last"].year) == (2021, 2025)
    with CaptureQueriesContext(connection) as warm:
        assert list(asked.datetimes("order_date", "year")) == django_years
    # cold: the shop's years, then a probe for each of 2020 … 2026; warm: 2022 … 2024 only
    assert len(cold) == 1 + 7
    assert len(warm) == 1 + 3


def test_the_status_sums_pass_answers_the_drill_downs_first_last_and_years():
    """A list the kept days cannot answer (a search) counts its orders with their status sums;
    the drill-down's first and last order and years come out of that same pass."""
    from django.db.models import QuerySet

    from tests.factories import OrderFactory

    customer, other = CustomerFactory(), CustomerFactory()
    for year in (2021, 2023):
        OrderFactory(customer=customer, order_date=datetime(year, 5, 1, tzinfo=UTC))
    for year in (2020, 2022, 2024):
        OrderFactory(customer=other, order_date=datetime(year, 5, 1, tzinfo=UTC))
    mine = Order.objects.filter(customer=customer)
    expected_years = list(QuerySet.datetimes(mine, "order_date", "year"))
    expected_ends = QuerySet.aggregate(mine, first=Min("order_date"), last=Max("order_date"))

    asked = mine.all()
    assert asked.count() == 2  # the status sums' pass
    with CaptureQueriesContext(connection) as queries:
        ends = asked.aggregate(first=Min("order_date"), last=Max("order_date"))
        years = list(asked.datetimes("order_date", "year"))
    assert ends == expected_ends
    assert years == expected_years
    assert [q["sql"] for q in queries.captured_queries if "backoffice_order" in q["sql"]] == []
