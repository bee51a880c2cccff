"""The list's annotated figures can be exported (segment, total spent, line totals, ...), from
the same QuerySet methods the lists use, and such an export still imports back unchanged."""

import csv
import io

from backoffice.importing.widgets import IsoDateTimeWidget
from backoffice.models import Customer, Order
from backoffice.querysets.sales import CUSTOMER_FIGURES
from backoffice.resources import CustomerFiguresResource, OrderFiguresResource
from tests.importing.conftest import (
    applied,
    confirm,
    export_form_data,
    import_url,
    page_text,
    streamed_text,
    upload,
)


def export_rows(client, page, resource_class):
    response = client.post(
        import_url(page, "export"), export_form_data(resource_class, "csv", resource=1)
    )
    return list(csv.DictReader(io.StringIO(streamed_text(response))))


def text(value):
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):
        return IsoDateTimeWidget().render(value)
    return str(value)


def test_customers_export_with_their_order_figures(seed, boss_client):
    rows = {int(r["id"]): r for r in export_rows(boss_client, "customer", CustomerFiguresResource)}
    expected = Customer.objects.with_order_stats()
    assert set(rows) == {c.pk for c in expected}
    for customer in expected:
        row = rows[customer.pk]
        for name in CUSTOMER_FIGURES:
            assert row[name] == text(getattr(customer, name)), (customer.pk, name)


def test_orders_export_with_their_line_totals(seed, boss_client):
    rows = {int(r["id"]): r for r in export_rows(boss_client, "order", OrderFiguresResource)}
    for order in Order.objects.with_item_totals():
        row = rows[order.pk]
        assert (row["items_total"], row["item_count"], row["total_differs"]) == (
            str(order.items_total),
            str(order.item_count),
            str(order.total_differs),
        )
    assert sum(row["total_differs"] == "True" for row in rows.values()) == 3  # the guide's three


def test_a_figures_export_imports_back_unchanged_and_the_figures_are_ignored(seed, boss_client):
    response = boss_client.post(
        import_url("order", "export"), export_form_data(OrderFiguresResource, "csv", resource=1)
    )
    preview = upload(boss_client, "order", "orders.csv", streamed_text(response))
    report = preview.context["report"]
    assert report.ok and report.counts["unchanged"] == len(report.rows)
    assert "ignored: items_total, item_count, total_differs" in page_text(preview)
    assert applied(confirm(boss_client, "order", preview))
