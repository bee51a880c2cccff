"""One home for each domain rule: counted(), the status summary, the figure tuples, and a scan
that keeps the "cancelled orders do not count" rule from being spelled out again elsewhere."""

import ast
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib import admin
from django.test import RequestFactory

from backoffice.models import Customer, Order, OrderItem, OrderStatus, Product
from backoffice.querysets.catalog import CATALOG_FIGURES, product_figures
from backoffice.querysets.sales import CUSTOMER_FIGURES, ORDER_FIGURES, STATUS_SUMMARY_FIGURES
from backoffice.resources import (
    CustomerFiguresResource,
    OrderFiguresResource,
    ProductFiguresResource,
)
from tests.factories import OrderFactory, OrderItemFactory
from tests.seed import by_id, dec, rows, when

BACKOFFICE = Path(__file__).resolve().parents[2] / "backoffice"


def _counted_order_ids() -> set[int]:
    return {o["id"] for o in rows("orders") if o["status"] != "cancelled"}


# --- counted() ------------------------------------------------------------------------------


def test_counted_orders_are_the_orders_not_cancelled(seed):
    assert set(Order.objects.counted().values_list("pk", flat=True)) == _counted_order_ids()
    cancelled = {o["id"] for o in rows("orders") if o["status"] == "cancelled"}
    assert cancelled  # the seed has a cancelled order, so the test can tell the two apart
    assert set(Order.objects.cancelled().values_list("pk", flat=True)) == cancelled


def test_counted_items_are_the_items_of_orders_not_cancelled(seed):
    counted = _counted_order_ids()
    expected = {i["id"] for i in rows("order_items") if i["order_id"] in counted}
    assert set(OrderItem.objects.counted().values_list("pk", flat=True)) == expected
    assert len(expected) < len(rows("order_items"))


@pytest.mark.django_db
def test_counted_chains_and_follows_a_cancellation():
    order = OrderFactory(status=OrderStatus.SHIPPED)
    item = OrderItemFactory(order=order)
    mine = Order.objects.filter(customer=order.customer)
    assert list(mine.counted()) == [order]
    assert list(OrderItem.objects.filter(order__customer=order.customer).counted()) == [item]
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.CANCELLED)
    assert not mine.counted().exists()
    assert not OrderItem.objects.filter(pk=item.pk).counted().exists()
    assert list(mine.cancelled()) == [order]


# --- the status summary ---------------------------------------------------------------------


def _expected_summary(orders) -> dict:
    by_status = {s.value: {"count": 0, "charged": Decimal("0.00")} for s in OrderStatus}
    for o in orders:
        by_status[o["status"]]["count"] += 1
        by_status[o["status"]]["charged"] += dec(o["total_amount"])
    counted = [o for o in orders if o["status"] != "cancelled"]
    return {
        "total_orders": len(orders),
        "counted_orders": len(counted),
        "charged": sum((dec(o["total_amount"]) for o in counted), Decimal("0.00")),
        "cancelled_orders": by_status["cancelled"]["count"],
        "cancelled_amount": by_status["cancelled"]["charged"],
        "by_status": by_status,
    }


def test_status_summary_of_the_seed_data(seed, django_assert_num_queries):
    with django_assert_num_queries(1):
        summary = Order.objects.status_summary()
    assert tuple(summary) == STATUS_SUMMARY_FIGURES
    assert list(summary["by_status"]) == [s.value for s in OrderStatus]
    assert summary == _expected_summary(rows("orders"))


def test_status_summary_of_a_date_range_is_the_order_statistics(seed):
    from backoffice.reports.sales import order_statistics_figures

    dates = sorted(when(o["order_date"]) for o in rows("orders"))
    start, end = dates[1], dates[-1]
    inside = [o for o in rows("orders") if start <= when(o["order_date"]) < end]
    assert 0 < len(inside) < len(rows("orders"))
    assert Order.objects.placed_between(start, end).status_summary() == _expected_summary(inside)
    assert order_statistics_figures(start, end) == _expected_summary(inside)


@pytest.mark.django_db
def test_status_summary_of_no_orders_is_zeros():
    summary = Order.objects.none().status_summary()
    assert summary == _expected_summary([])


# --- one SQL per figure ---------------------------------------------------------------------


def test_with_reviews_and_with_review_stats_share_one_sql_for_review_count():
    """One definition of each review figure: the guide's ``with_reviews``, the source method
    and the kept figures' recompute (``product_figures``) give the same SQL; the list reads
    the kept column."""

    def sql(queryset, name):
        return str(queryset.values(name).query)

    for name in ("review_count", "avg_rating"):
        source = sql(Product.objects.with_review_stats(), name)
        assert sql(Product.objects.with_reviews(), name) == source
        kept_definition = Product.objects.annotate(**{name: product_figures()[name]})
        assert sql(kept_definition, name) == source
        assert f'"backoffice_productfigures"."{name}"' in sql(
            Product.objects.with_catalog_stats(), name
        )


def test_revenue_is_the_line_amounts_of_counted_items(seed):
    counted = _counted_order_ids()
    expected = sum(
        (dec(i["price"]) * i["quantity"] for i in rows("order_items") if i["order_id"] in counted),
        Decimal("0.00"),
    )
    everything = sum(
        (dec(i["price"]) * i["quantity"] for i in rows("order_items")), Decimal("0.00")
    )
    assert expected < everything  # a cancelled order's lines would change the answer
    assert OrderItem.objects.revenue() == expected
    # on a narrower queryset too: cancelled lines stay out even when asked for directly
    cancelled_items = OrderItem.objects.filter(order__status=OrderStatus.CANCELLED)
    assert cancelled_items.exists()
    assert cancelled_items.revenue() == Decimal("0.00")


def test_revenue_of_no_items_is_zero(db):
    assert OrderItem.objects.revenue() == Decimal("0.00")


def test_dashboard_revenue_and_counted_orders_agree_with_the_seed(seed):
    from backoffice.reports.dashboard import compute_dashboard

    counted = _counted_order_ids()
    revenue = sum(
        (dec(i["price"]) * i["quantity"] for i in rows("order_items") if i["order_id"] in counted),
        Decimal("0.00"),
    )
    kpis = compute_dashboard()["kpis"]
    assert kpis["revenue"] == revenue
    assert kpis["orders"] - kpis["cancelled_orders"] == len(counted)


# --- figure tuples: one list of names, read by the admin, the exports and the tests ----------


def test_catalog_figures_are_what_the_list_and_the_export_show():
    assert set(CATALOG_FIGURES) <= set(Product.objects.with_catalog_stats().query.annotations)
    # each figure is a column of the list, or shown in another's cell (the rating's range)
    model_admin = admin.site._registry[Product]
    in_cells = model_admin.figures_in_cells
    reading = model_admin.get_list_display(RequestFactory().get("/"))
    assert set(in_cells.values()) <= set(reading)
    assert set(CATALOG_FIGURES) <= set(reading) | set(in_cells)
    assert ProductFiguresResource.Meta.fields[-len(CATALOG_FIGURES) :] == CATALOG_FIGURES


def test_order_figures_are_what_the_list_and_the_export_show():
    assert set(Order.objects.with_item_totals().query.annotations) == set(ORDER_FIGURES)
    assert set(ORDER_FIGURES) <= set(admin.site._registry[Order].list_display)
    assert OrderFiguresResource.figure_names == ORDER_FIGURES


def test_customer_figures_are_what_the_list_and_the_export_show():
    assert set(CUSTOMER_FIGURES) <= set(Customer.objects.with_order_stats().query.annotations)
    list_display = admin.site._registry[Customer].list_display
    assert tuple(list_display[-len(CUSTOMER_FIGURES) :]) == CUSTOMER_FIGURES
    assert CustomerFiguresResource.figure_names == CUSTOMER_FIGURES


# --- the guard: the rule is not spelled out again in reports or the admin --------------------

# Calls whose arguments select rows or aggregate them: a status there is a query rule.
QUERY_CALLS = {"filter", "exclude", "Q", "When", "Case", "Count", "Sum", "Avg", "aggregate"}
# Query Lab entries that run the guide's code as printed (the lab shows their source): the
# spelling is the guide's, and the point of the entry.
GUIDE_AS_PRINTED = {("reports/querylab/entries/aggregation.py", "order_statistics")}


def _mentions_cancelled(node) -> bool:
    for child in ast.walk(node):
        if isinstance(child, ast.Attribute) and child.attr == "CANCELLED":
            return True
        if isinstance(child, ast.Constant) and child.value == "cancelled":
            return True
    return False


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _rule_spellings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    relative = path.relative_to(BACKOFFICE).as_posix()
    found = []

    def visit(node, function=""):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        if isinstance(node, ast.Call) and (relative, function) not in GUIDE_AS_PRINTED:
            arguments = [*node.args, *(k.value for k in node.keywords)]
            if _call_name(node) in QUERY_CALLS and any(map(_mentions_cancelled, arguments)):
                found.append(f"{relative}:{node.lineno} {_call_name(node)}(...)")
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value.lower()
            if "status" in text and ("<> %(cancel" in text or "'cancelled'" in text):
                found.append(f"{relative}:{node.lineno} raw SQL")
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(tree)
    return found


def test_the_cancelled_rule_lives_only_in_the_querysets():
    """``status != cancelled`` is OrderQuerySet.counted() / OrderItemQuerySet.counted(); reports
    and the admin may name the status only to show it (labels, colours, actions)."""
    paths = sorted((BACKOFFICE / "reports").rglob("*.py")) + sorted(
        (BACKOFFICE / "admin").rglob("*.py")
    )
    assert len(paths) > 20
    found = [spelling for path in paths for spelling in _rule_spellings(path)]
    assert found == []


def test_the_guard_catches_a_spelled_out_rule(tmp_path, monkeypatch):
    sample = tmp_path / "reports" / "sample.py"
    sample.parent.mkdir()
    sample.write_text(
        "def f():\n"
        "    Order.objects.exclude(status=OrderStatus.CANCELLED)\n"
        "    Count('pk', filter=~Q(order__status='cancelled'))\n"
        '    sql = "WHERE o.status <> %(cancelled)s"\n'
        "    messages.info(request, OrderStatus.CANCELLED.label)\n"
    )
    monkeypatch.setitem(globals(), "BACKOFFICE", tmp_path)
    assert [s.split(" ")[0] for s in _rule_spellings(sample)] == [
        "reports/sample.py:2",
        "reports/sample.py:3",
        "reports/sample.py:3",
        "reports/sample.py:4",
    ]


# --- one definition of each shared expression --------------------------------------------------

SHARED_NAMES = {
    "MONEY",
    "CENT",
    "LINE_TOTAL",
    "REVENUE",
    "ZERO_MONEY",
    "MoneyField",
    "Cents",
    "cents",
}


def test_each_shared_expression_is_defined_once():
    definitions = defaultdict(list)
    for path in sorted(BACKOFFICE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Assign):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            elif isinstance(node, ast.ClassDef | ast.FunctionDef):
                names = [node.name]
            for name in set(names) & SHARED_NAMES:
                definitions[name].append(path.relative_to(BACKOFFICE).as_posix())
    assert {name: places for name, places in definitions.items()} == {
        name: ["querysets/expressions.py"] for name in SHARED_NAMES
    }


def test_the_seed_has_what_these_tests_tell_apart():
    statuses = {o["status"] for o in by_id("orders").values()}
    assert "cancelled" in statuses and len(statuses) > 2


def test_writes_drop_the_dashboard_cache_without_importing_a_report():
    """Services and signals import ``backoffice.cache``; reports read through it, never the
    other way round."""
    paths = [BACKOFFICE / "cache.py", BACKOFFICE / "signals.py"]
    paths += sorted((BACKOFFICE / "services").rglob("*.py"))
    paths += sorted((BACKOFFICE / "querysets").rglob("*.py"))
    imported = {}
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.setdefault(node.module, []).append(path.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    imported.setdefault(alias.name, []).append(path.name)
    assert [m for m in imported if m.startswith("backoffice.reports")] == []
    assert "backoffice.cache" in imported
