"""``rebuild_figures`` recomputes every kept figure; ``--check`` names each one that differs."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from backoffice.figures.rebuild import check, rebuild
from backoffice.models import (
    Customer,
    CustomerFigures,
    Order,
    OrderFigures,
    Product,
    ProductFigures,
)
from tests.seed import dec, rows

pytestmark = pytest.mark.django_db


def test_the_seed_load_keeps_every_figure(seed):
    assert check() == []
    assert ProductFigures.objects.count() == Product.objects.count()
    assert OrderFigures.objects.count() == Order.objects.count()
    assert CustomerFigures.objects.count() == Customer.objects.count()


def test_check_names_each_figure_that_differs_and_rebuild_puts_it_right(seed):
    product = rows("products")[0]["id"]
    order = rows("orders")[0]["id"]
    ProductFigures.objects.filter(pk=product).update(units_sold=999)
    OrderFigures.objects.filter(pk=order).update(items_total=Decimal("0.01"))
    customer = CustomerFigures.objects.first().pk
    CustomerFigures.objects.filter(pk=customer).delete()  # a row without its figures
    found = {(d.kind, d.pk, d.figure) for d in check()}
    assert found == {
        ("products", product, "units_sold"),
        ("orders", order, "items_total"),
        ("customers", customer, "(row)"),
    }
    with pytest.raises(CommandError, match="3 kept figure"):
        call_command("rebuild_figures", "--check", stdout=StringIO(), stderr=StringIO())

    out = StringIO()
    call_command("rebuild_figures", stdout=out)
    assert "Kept figures rebuilt" in out.getvalue()
    assert check() == []
    call_command("rebuild_figures", "--check", stdout=out)  # exit 0 now
    assert "matches the source rows" in out.getvalue()


def test_rebuild_computes_what_the_source_rows_say(seed):
    ProductFigures.objects.all().delete()
    OrderFigures.objects.all().delete()
    CustomerFigures.objects.all().delete()
    written = rebuild()
    assert written == {
        "products": len(rows("products")),
        "orders": len(rows("orders")),
        "customers": len(rows("customers")),
    }
    cancelled = {o["id"] for o in rows("orders") if o["status"] == "cancelled"}
    for product in rows("products"):
        lines = [
            i
            for i in rows("order_items")
            if i["product_id"] == product["id"] and i["order_id"] not in cancelled
        ]
        figures = ProductFigures.objects.get(pk=product["id"])
        assert figures.units_sold == sum(i["quantity"] for i in lines)
        assert figures.revenue == sum(
            (dec(i["price"]) * i["quantity"] for i in lines), Decimal("0.00")
        )
