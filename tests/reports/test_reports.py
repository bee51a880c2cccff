"""Every report row, KPI and chart series is true on the sample data (truth from the JSON)."""

from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import DataError, connection, transaction
from django.urls import reverse

from backoffice.models import Order, OrderItem, Product
from backoffice.reports.base import DateRangeForm
from backoffice.reports.dashboard import compute_dashboard, dashboard_figures
from backoffice.reports.registry import REPORTS
from backoffice.reports.sales import monthly_sales_orm, monthly_sales_sql
from tests.factories import staff_user
from tests.seed import by_id, dec, rows
from tests.truth import reports as truth

CENT = Decimal("0.01")


def report(client, slug, **params):
    response = client.get(reverse("admin:report", args=[slug]), params)
    assert response.status_code == 200
    return response


def test_kpis_are_true_on_the_sample_data(seed):
    kpis = compute_dashboard()["kpis"]
    counted = truth.counted_order_ids()
    assert kpis["orders"] == len(truth.orders())
    assert kpis["cancelled_orders"] == len(truth.orders()) - len(counted)
    assert kpis["revenue"] == truth.revenue()
    assert kpis["average_order_value"] == (truth.revenue() / len(counted)).quantize(CENT)
    assert kpis["customers"] == len(rows("customers"))
    assert kpis["active_products"] == sum(p["is_active"] for p in rows("products"))
    assert kpis["low_stock_products"] == sum(
        p["is_active"] and p["stock_quantity"] < 10 for p in rows("products")
    )
    assert kpis["orders_differing"] == len(truth.orders_differing()) == 3
    assert kpis["reviews_by_non_buyers"] == len(truth.reviews_by_non_buyers())


def test_chart_series_are_true(seed):
    charts = {chart.title: chart for chart in compute_dashboard()["charts"]}
    monthly = {bar.label: bar.value for bar in charts["Revenue per month"].bars}
    assert monthly == {month: entry["revenue"] for month, entry in truth.monthly().items()}
    by_category = {bar.label: bar.value for bar in charts["Revenue by category"].bars}
    assert by_category == truth.category_revenue()
    statuses = {bar.label.lower(): bar.value for bar in charts["Order status mix"].bars}
    assert statuses == dict(Counter(o["status"] for o in rows("orders")))


def test_lists_are_true(seed):
    figures = compute_dashboard()
    expected_top = sorted(
        truth.product_revenue().items(), key=lambda kv: (-kv[1], by_id("products")[kv[0]]["name"])
    )
    assert [p["pk"] for p in figures["top_products"]] == [pk for pk, _ in expected_top[:5]]
    assert [p["revenue"] for p in figures["top_products"]] == [v for _, v in expected_top[:5]]
    spent = Counter()
    for order in rows("orders"):
        if order["status"] != "cancelled":
            spent[order["customer_id"]] += dec(order["total_amount"])
    assert [c["pk"] for c in figures["top_customers"]] == [pk for pk, _ in spent.most_common(5)]
    assert figures["low_stock"] == []  # every product has 10 or more in stock
    # the sample's sales are from 2024: every product with stock is a slow mover today
    assert len(figures["slow_movers"]) == min(
        5, sum(p["stock_quantity"] > 0 for p in rows("products"))
    )


def test_a_change_shows_up_on_the_dashboard(seed):
    before = dashboard_figures()["kpis"]
    order = Order.objects.get(pk=5)
    OrderItem.objects.create(order=order, product_id=4, quantity=3, price=Decimal("10.00"))
    after = dashboard_figures()["kpis"]
    assert after["revenue"] == before["revenue"] + Decimal("30.00")
    order.status = "cancelled"
    order.save()
    assert dashboard_figures()["kpis"]["revenue"] == before["revenue"] - truth.items_total(5)
    product = Product.objects.get(pk=9)
    product.is_active = False
    product.save()
    assert dashboard_figures()["kpis"]["active_products"] == before["active_products"] - 1


def test_monthly_sales_rows(admin_client, seed):
    table = report(admin_client, "monthly-sales").context["table"]
    expected = truth.monthly()
    assert [row["month"] for row in table.rows] == sorted(expected)
    for row in table.rows:
        entry = expected[row["month"]]
        assert row["order_count"] == entry["order_count"]
        assert row["revenue"] == entry["revenue"]
        assert row["avg_order_value"] == (entry["revenue"] / entry["order_count"]).quantize(CENT)
        assert row["unique_customers"] == len(entry["customers"])
        assert row["categories"] == ", ".join(sorted(entry["cats"]))


@pytest.mark.parametrize("period", ["day", "week", "month", "year"])
def test_sales_over_time_by_each_period(admin_client, seed, period):
    """TruncDate/TruncWeek/TruncMonth/TruncYear (and ExtractIsoYear/ExtractWeek for the
    week labels) over counted orders, against the seed data grouped in plain Python."""
    table = report(admin_client, "sales-over-time", period=period).context["table"]
    expected = truth.sales_by_period(period)
    assert [row["period"] for row in table.rows] == sorted(expected)
    for row in table.rows:
        entry = expected[row["period"]]
        assert row["order_count"] == entry["order_count"]
        assert row["revenue"] == entry["revenue"]
        assert row["avg_order_value"] == (entry["revenue"] / entry["order_count"]).quantize(CENT)
        assert row["unique_customers"] == len(entry["customers"])


def test_sales_over_time_defaults_to_months_and_refuses_an_unknown_period(admin_client, seed):
    months = report(admin_client, "sales-over-time").context["table"]
    assert [row["period"] for row in months.rows] == sorted(truth.monthly())
    response = admin_client.get(
        reverse("admin:report", args=["sales-over-time"]), {"period": "decade"}
    )
    assert response.status_code == 200
    assert response.context["table"] is None
    assert "decade" in response.content.decode()


def test_monthly_sales_date_range(admin_client, seed):
    table = report(
        admin_client, "monthly-sales", date_from="2024-03-01", date_to="2024-03-31"
    ).context["table"]
    assert [row["month"] for row in table.rows] == ["2024-03"]
    empty = report(admin_client, "monthly-sales", date_from="2025-01-01")
    assert "No sales in this period." in empty.content.decode()


@pytest.mark.postgres_only
def test_raw_sql_and_orm_monthly_sales_agree(seed):
    assert monthly_sales_sql() == monthly_sales_orm()
    form = DateRangeForm({"date_from": "2024-03-02", "date_to": "2024-03-10"})
    assert form.is_valid()
    assert monthly_sales_sql(*form.bounds()) == monthly_sales_orm(*form.bounds())


@pytest.mark.postgres_only
def test_report_parameters_cannot_inject_sql(seed):
    hostile = "2024-01-01'); DROP TABLE backoffice_order; --"
    with pytest.raises(DataError), transaction.atomic():
        monthly_sales_sql(hostile, None)
    assert Order.objects.count() == len(rows("orders"))


def test_hostile_report_parameters_are_refused_by_the_form(admin_client, seed):
    response = report(admin_client, "monthly-sales", date_from="2024-01-01'; DROP TABLE x; --")
    assert response.context["table"] is None
    assert "Enter a valid date" in response.content.decode()
    assert Order.objects.count() == len(rows("orders"))
    assert connection.introspection.table_names()  # tables still there


def test_inventory_analysis_rows(admin_client, seed):
    table = report(admin_client, "inventory-analysis").context["table"]
    sold = Counter()
    for item in rows("order_items"):
        if item["order_id"] in truth.counted_order_ids():
            sold[item["product_id"]] += item["quantity"]
    products = {p["name"]: p for p in rows("products")}
    for row in table.rows:
        product = products[row["name"]]
        assert row["units_sold"] == sold[product["id"]]
        assert row["turnover"] == round(sold[product["id"]] / product["stock_quantity"], 3)
        assert row["revenue"] == truth.product_revenue().get(product["id"], Decimal("0.00"))
    stocks = [row["stock"] for row in table.rows]
    assert stocks == sorted(stocks)


def expected_grade(revenue: Decimal) -> str:
    """The guide's performance score, written out independently of the code's table."""
    if revenue > 1000:
        return "A"
    if revenue > 500:
        return "B"
    if revenue > 100:
        return "C"
    return "D"


def test_performance_grades_of_products_and_suppliers(admin_client, seed):
    products = report(admin_client, "inventory-analysis").context["table"]
    revenue = truth.product_revenue()
    by_name = {p["name"]: p for p in rows("products")}
    grades = set()
    for row in products.rows:
        grade = expected_grade(revenue.get(by_name[row["name"]]["id"], Decimal("0.00")))
        assert row["performance_grade"] == grade, row["name"]
        grades.add(grade)
    assert len(grades) >= 3  # the sample data tells the grades apart
    suppliers = report(admin_client, "supplier-performance").context["table"]
    for row in suppliers.rows:
        supplier = next(s for s in rows("suppliers") if s["name"] == row["name"])
        mine = {p["id"] for p in rows("products") if p["supplier_id"] == supplier["id"]}
        sold = sum((v for pid, v in revenue.items() if pid in mine), Decimal("0.00"))
        assert row["revenue"] == sold
        assert row["performance_grade"] == expected_grade(sold), row["name"]


def test_product_rankings_rows(admin_client, seed):
    table = report(admin_client, "product-rankings").context["table"]
    products = rows("products")
    for row in table.rows:
        category_id = next(p["category_id"] for p in products if p["name"] == row["name"])
        prices = sorted(dec(p["price"]) for p in products if p["category_id"] == category_id)
        assert row["price_rank"] == 1 + sum(price > row["price"] for price in prices)
        cheaper = [price for price in prices if price < row["price"]]
        dearer = [price for price in prices if price > row["price"]]
        assert row["prev_price"] == (cheaper[-1] if cheaper else None)
        assert row["next_price"] == (dearer[0] if dearer else None)
        assert row["category_avg_price"] == (sum(prices) / len(prices)).quantize(CENT)


def test_supplier_performance_rows(admin_client, seed):
    table = report(admin_client, "supplier-performance").context["table"]
    products = rows("products")
    reviews = rows("reviews")
    for row in table.rows:
        supplier = next(s for s in rows("suppliers") if s["name"] == row["name"])
        mine = [p for p in products if p["supplier_id"] == supplier["id"]]
        ratings = [r["rating"] for r in reviews if any(p["id"] == r["product_id"] for p in mine)]
        assert row["product_count"] == len(mine)
        assert row["review_count"] == len(ratings)
        assert row["total_stock"] == sum(p["stock_quantity"] for p in mine)
        assert row["avg_review_rating"] == (
            round(sum(ratings) / len(ratings), 2) if ratings else None
        )
    averages = [row["avg_review_rating"] for row in table.rows]
    rated = [a for a in averages if a is not None]
    assert averages[: len(rated)] == sorted(rated, reverse=True)  # unrated ones last


def test_order_statistics_rows(admin_client, seed):
    table = report(admin_client, "order-statistics").context["table"]
    by_status = {row["status"].lower(): row for row in table.rows}
    for status, count in Counter(o["status"] for o in rows("orders")).items():
        assert by_status[status]["orders"] == count
        assert by_status[status]["charged"] == sum(
            dec(o["total_amount"]) for o in rows("orders") if o["status"] == status
        )


def test_customer_insights_rows(admin_client, seed):
    table = report(admin_client, "customer-insights").context["table"]
    spent = Counter()
    for order in rows("orders"):
        if order["status"] != "cancelled":
            spent[order["customer_id"]] += dec(order["total_amount"])
    emails = {u["email"]: u["id"] for u in rows("users")}
    customer_of_user = {c["user_id"]: c["id"] for c in rows("customers")}
    for row in table.rows:
        customer_id = customer_of_user[emails[row["email"]]]
        assert row["total_spent"] == spent.get(customer_id, Decimal("0.00"))
        assert row["inactive"] is True  # the sample's orders are from 2024


def test_data_quality_rows_link_to_records(admin_client, seed):
    response = report(admin_client, "data-quality")
    table = response.context["table"]
    order_rows = [r for r in table.rows if r["problem"].startswith("Order total")]
    assert {
        int(r["record"].split("#")[1].split()[0]) for r in order_rows
    } == truth.orders_differing()
    review_rows = [r for r in table.rows if r["problem"].startswith("Review")]
    assert {
        int(r["record"].split("#")[1].split(":")[0]) for r in review_rows
    } == truth.reviews_by_non_buyers()
    assert len(table.links) == len(table.rows)
    for link in table.links:
        assert admin_client.get(link).status_code == 200


@pytest.mark.parametrize("slug", sorted(REPORTS))
def test_every_report_downloads_csv(admin_client, seed, slug):
    response = admin_client.get(reverse("admin:report", args=[slug]), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="{slug}-' in response["Content-Disposition"]
    lines = response.getvalue().decode().strip().splitlines()
    table = report(admin_client, slug).context["table"]
    assert len(lines) == 1 + len(table.rows)


@pytest.mark.parametrize("slug", sorted(REPORTS))
def test_every_report_has_an_empty_state(admin_client, db, slug):
    response = report(admin_client, slug)
    assert REPORTS[slug].empty_message in response.content.decode()


def test_reports_need_the_permission(client, db):
    user = staff_user(username="clerk")
    client.force_login(user)
    assert client.get(reverse("admin:reports")).status_code == 403
    for slug in REPORTS:
        assert client.get(reverse("admin:report", args=[slug])).status_code == 403
    index = client.get(reverse("admin:index"))
    assert "dashboard" not in index.context or not index.context.get("dashboard")
    user.user_permissions.add(Permission.objects.get(codename="view_reports"))
    assert client.get(reverse("admin:reports")).status_code == 200


def test_set_based_writes_also_refresh_the_dashboard(seed):
    from backoffice.models import InventoryReason
    from backoffice.services.inventory import StockChange, stock_apply_changes
    from backoffice.services.orders import orders_recalculate_totals
    from backoffice.services.products import products_set_active

    before = dashboard_figures()["kpis"]
    stock = by_id("products")[10]["stock_quantity"]
    stock_apply_changes([StockChange(10, -(stock - 2), InventoryReason.ADJUSTMENT)])
    assert dashboard_figures()["kpis"]["low_stock_products"] == before["low_stock_products"] + 1
    products_set_active(product_ids=[1], active=False)
    assert dashboard_figures()["kpis"]["active_products"] == before["active_products"] - 1
    orders_recalculate_totals(order_ids=list(truth.orders_differing()))
    assert dashboard_figures()["kpis"]["orders_differing"] == 0


def test_dashboard_lists_link_to_the_filtered_admin_lists(admin_client, seed):
    from backoffice.models import Product

    Product.objects.filter(pk=4).update(stock_quantity=3)
    Product.objects.filter(pk=5).update(stock_quantity=0)
    index = admin_client.get(reverse("admin:index"))
    links = index.context["dashboard_links"]
    for name, url in links.items():
        assert url in index.content.decode().replace("&amp;", "&"), name
        response = admin_client.get(url)
        assert response.status_code == 200, name
        assert not list(response.context["messages"]), name  # nothing was ignored
    by_revenue = admin_client.get(links["products_by_revenue"]).context["cl"].result_list
    revenues = [p.revenue for p in by_revenue]
    assert revenues == sorted(revenues, reverse=True)
    assert [p.pk for p in admin_client.get(links["low_stock"]).context["cl"].result_list] == [4]
    assert [p.pk for p in admin_client.get(links["out_of_stock"]).context["cl"].result_list] == [5]
    by_spending = admin_client.get(links["customers_by_spending"]).context["cl"].result_list
    spent = [c.total_spent for c in by_spending]
    assert spent == sorted(spent, reverse=True)
