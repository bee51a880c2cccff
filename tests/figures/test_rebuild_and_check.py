"""``rebuild_figures`` recomputes every kept figure; ``--check`` names each one that differs."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from backoffice.figures.rebuild import check, rebuild
from backoffice.models import (
    Category,
    CategoryFigures,
    Customer,
    CustomerFigures,
    DayCategorySales,
    DaySales,
    Order,
    OrderFigures,
    Product,
    ProductFigures,
    ReviewFigures,
    Supplier,
    SupplierFigures,
)
from tests.seed import dec, rows
from tests.truth import reports as truth_reports

pytestmark = pytest.mark.django_db


def test_the_seed_load_keeps_every_figure(seed):
    assert check() == []
    assert ProductFigures.objects.count() == Product.objects.count()
    assert OrderFigures.objects.count() == Order.objects.count()
    assert CustomerFigures.objects.count() == Customer.objects.count()
    assert CategoryFigures.objects.count() == Category.objects.count()
    assert SupplierFigures.objects.count() == Supplier.objects.count()


def test_check_names_each_figure_that_differs_and_rebuild_puts_it_right(seed):
    product = rows("products")[0]["id"]
    order = rows("orders")[0]["id"]
    ProductFigures.objects.filter(pk=product).update(units_sold=999)
    OrderFigures.objects.filter(pk=order).update(items_total=Decimal("0.01"))
    customer = CustomerFigures.objects.first().pk
    CustomerFigures.objects.filter(pk=customer).delete()  # a row without its figures
    category = rows("categories")[0]["id"]
    CategoryFigures.objects.filter(pk=category).update(max_price=Decimal("0.01"))
    supplier = rows("suppliers")[0]["id"]
    SupplierFigures.objects.filter(pk=supplier).update(rating_sum=12345)
    review = rows("reviews")[0]["id"]
    kept_bought = ReviewFigures.objects.get(pk=review).bought
    ReviewFigures.objects.filter(pk=review).update(bought=not kept_bought)
    found = {(d.kind, d.pk, d.figure) for d in check()}
    assert found == {
        ("products", product, "units_sold"),
        ("orders", order, "items_total"),
        ("customers", customer, "(row)"),
        ("categories", category, "max_price"),
        ("suppliers", supplier, "rating_sum"),
        ("reviews", review, "bought"),
    }
    with pytest.raises(CommandError, match="6 kept figure"):
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
    DaySales.objects.all().delete()
    CategoryFigures.objects.all().delete()
    SupplierFigures.objects.all().delete()
    ReviewFigures.objects.all().delete()
    written = rebuild()
    assert written == {
        "products": len(rows("products")),
        "orders": len(rows("orders")),
        "customers": len(rows("customers")),
        "categories": len(rows("categories")),
        "suppliers": len(rows("suppliers")),
        "reviews": len(rows("reviews")),
        "days": len({(order["order_date"][:10], order["status"]) for order in rows("orders")}),
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
    for category in rows("categories"):
        products = [p for p in rows("products") if p["category_id"] == category["id"]]
        figures = CategoryFigures.objects.get(pk=category["id"])
        assert figures.product_count == len(products)
        assert figures.total_stock == sum(p["stock_quantity"] for p in products)
        assert figures.price_sum == sum((dec(p["price"]) for p in products), Decimal("0.00"))
    not_bought = set(ReviewFigures.objects.filter(bought=False).values_list("pk", flat=True))
    assert not_bought == truth_reports.reviews_by_non_buyers()
    for supplier in rows("suppliers"):
        reviewed = {p["id"] for p in rows("products") if p["supplier_id"] == supplier["id"]}
        reviews = [r for r in rows("reviews") if r["product_id"] in reviewed]
        figures = SupplierFigures.objects.get(pk=supplier["id"])
        assert (figures.review_count, figures.rating_sum) == (
            len(reviews),
            sum(r["rating"] for r in reviews),
        )


def test_day_sales_hold_what_the_orders_and_lines_say(seed):
    """Each kept (day, status) row against the seed files: orders, charged, line totals, units."""
    lines_of = {}
    for item in rows("order_items"):
        lines_of.setdefault(item["order_id"], []).append(item)
    expected = {}
    for order in rows("orders"):
        key = (order["order_date"][:10], order["status"])
        figures = expected.setdefault(
            key,
            {
                "order_count": 0,
                "charged": Decimal("0.00"),
                "items_total": Decimal("0.00"),
                "units": 0,
            },
        )
        figures["order_count"] += 1
        figures["charged"] += dec(order["total_amount"])
        for item in lines_of.get(order["id"], []):
            figures["items_total"] += dec(item["price"]) * item["quantity"]
            figures["units"] += item["quantity"]
    kept = {
        (row.day.isoformat(), row.status): {
            "order_count": row.order_count,
            "charged": row.charged,
            "items_total": row.items_total,
            "units": row.units,
        }
        for row in DaySales.objects.all()
    }
    assert kept == expected


def test_day_category_sales_hold_what_the_counted_lines_say(seed):
    cancelled = {o["id"] for o in rows("orders") if o["status"] == "cancelled"}
    day_of = {o["id"]: o["order_date"][:10] for o in rows("orders")}
    category_of = {p["id"]: p["category_id"] for p in rows("products")}
    expected = {}
    for item in rows("order_items"):
        if item["order_id"] in cancelled:
            continue
        key = (day_of[item["order_id"]], category_of[item["product_id"]])
        figures = expected.setdefault(key, {"units": 0, "revenue": Decimal("0.00")})
        figures["units"] += item["quantity"]
        figures["revenue"] += dec(item["price"]) * item["quantity"]
    kept = {
        (row.day.isoformat(), row.category_id): {"units": row.units, "revenue": row.revenue}
        for row in DayCategorySales.objects.all()
    }
    assert kept == expected


def test_check_names_a_wrong_missing_or_left_over_day(seed):
    first, second = DaySales.objects.order_by("day", "status")[:2]
    DaySales.objects.filter(pk=first.pk).update(units=first.units + 1)
    DaySales.objects.filter(pk=second.pk).delete()
    DaySales.objects.create(day="1999-01-01", status="pending", order_count=1)
    sold = DayCategorySales.objects.order_by("day", "category").first()
    DayCategorySales.objects.filter(pk=sold.pk).update(revenue=sold.revenue + 1)
    found = {(d.kind, d.pk, d.figure) for d in check()}
    assert found == {
        ("day categories", f"{sold.day} category {sold.category_id}", "revenue"),
        ("days", f"{first.day} {first.status}", "units"),
        ("days", f"{second.day} {second.status}", "(row)"),
        ("days", "1999-01-01 pending", "(row)"),
    }
    rebuild()
    assert check() == []
