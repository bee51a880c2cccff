"""docs/seed-errata.md holds the truth: each erratum's figures are computed here from
seed_data/*.json (tests/seed.py) by plain Python, checked against what the project shows (a
Query Lab entry, a queryset, a report) and looked for in the erratum's row. The guide's printed
figures are never used as expected values.
"""

import re
from collections import defaultdict
from decimal import Decimal

import pytest

from backoffice.models import Customer, Order
from backoffice.models.catalog import SKU_PATTERN, SKU_PREFIX_BY_CATEGORY
from backoffice.reports.base import DateRangeForm
from backoffice.reports.quality import orders_differing_from_items, reviews_by_non_buyers
from backoffice.reports.sales import order_statistics, order_statistics_figures
from tests.reports.test_querylab_entries import ENTRIES, ERRATA_FILE, result, run
from tests.seed import by_id, dec, rows, when

pytestmark = pytest.mark.usefixtures("seed")

PRODUCTS = by_id("products")
CATEGORIES = by_id("categories")
ORDERS = by_id("orders")
ITEMS = rows("order_items")
REVIEWS = by_id("reviews")
TAGS = by_id("tags")
PRODUCT_TAGS = rows("product_tags")
CUSTOMERS = by_id("customers")
USERS = by_id("users")
CANCELLED = "cancelled"


def erratum(code: str) -> str:
    """The erratum's row of the table, with the ** of bold kept."""
    (row,) = re.findall(rf"^\| {code} \|.*$", ERRATA_FILE.read_text(), flags=re.MULTILINE)
    return row


def links(slug: str, code: str) -> bool:
    return code in ENTRIES[slug].errata


def items_total(order_id: int) -> Decimal:
    return sum(
        (dec(i["price"]) * i["quantity"] for i in ITEMS if i["order_id"] == order_id),
        Decimal("0.00"),
    )


def full_name(customer_id: int) -> str:
    user = USERS[CUSTOMERS[customer_id]["user_id"]]
    return f"{user['first_name']} {user['last_name']}"


# --- E37: the performance comparison ------------------------------------------------------------


def test_e37_the_n_plus_one_loop_runs_one_plus_two_queries_per_product():
    relations_per_product = 2  # category and supplier
    expected = 1 + relations_per_product * len(PRODUCTS)
    naive, optimized = run("n-plus-one-product-category-supplier").variants
    assert naive.query_count == expected
    assert optimized.query_count == 1
    row = erratum("E37")
    assert f"**{len(PRODUCTS)}** products" in row
    assert f"**{expected}** queries (1 + {len(PRODUCTS)} + {len(PRODUCTS)})" in row
    saved = expected - 1
    assert f"{saved} fewer, {100 * saved // expected}%" in row
    assert links("n-plus-one-product-category-supplier", "E37")


# --- E38: the testing section's results -------------------------------------------------------

GUIDE_TEST_SKU = "TEST-001"  # the SKU the guide's test_database_constraints creates (an input)


def test_e38_the_guides_test_sku_breaks_its_own_sku_rule():
    assert re.fullmatch(SKU_PATTERN, GUIDE_TEST_SKU) is None
    letters, digits = GUIDE_TEST_SKU.split("-")
    prefix = SKU_PREFIX_BY_CATEGORY["Electronics"]
    assert not GUIDE_TEST_SKU.startswith(prefix)
    row = erratum("E38")
    assert f"**{GUIDE_TEST_SKU}**" in row
    assert f"**{prefix}** prefix" in row
    assert f"{len(letters)} letters and {len(digits)} digits" in row


def test_e38_the_first_insert_fails_and_the_manager_call_raises():
    constraints = result("duplicate-sku")
    assert constraints[f"first, sku {GUIDE_TEST_SKU}"].startswith("IntegrityError")
    valid = [
        label for label in constraints if label.startswith("first, sku ") and "TEST" not in label
    ]
    (valid_label,) = valid
    valid_sku = valid_label.removeprefix("first, sku ")
    assert re.fullmatch(SKU_PATTERN, valid_sku)
    assert constraints[valid_label] == "saved"
    assert constraints[f"second, same sku {valid_sku}"].startswith("IntegrityError")
    manager = result("get-queryset-class-does-nothing")
    assert manager["models.Manager(): .active()"].startswith("AttributeError")

    guide_tests = [
        "test_product_creation_success",
        "test_product_validation_errors",
        "test_database_constraints",
        "test_relationship_queries",
        "test_custom_manager_methods",
    ]
    failing = {"test_database_constraints", "test_custom_manager_methods"}
    row = erratum("E38")
    assert f"**{len(guide_tests) - len(failing)} pass, {len(failing)} fail with an error**" in row
    assert all(f"`{name}`" in row for name in failing)
    assert "**AttributeError**" in row
    assert f"({valid_sku})" in row
    assert links("duplicate-sku", "E38") and links("custom-manager-methods", "E38")


# --- E17 (extended) and E39: the business-intelligence block ----------------------------------


def test_e17_completion_rate_and_revenue_by_status():
    total = len(ORDERS)
    delivered = sum(1 for o in ORDERS.values() if o["status"] == "delivered")
    rate = round(100 * delivered / total, 1)
    metrics = result("bi-sales-metrics")
    assert (metrics["total_orders"], metrics["orders_delivered"]) == (total, delivered)

    charged = defaultdict(lambda: Decimal("0.00"))
    for order in ORDERS.values():
        charged[order["status"]] += dec(order["total_amount"])
    figures = order_statistics_figures()
    assert {status: f["charged"] for status, f in figures["by_status"].items() if f["count"]} == (
        dict(charged)
    )
    report = order_statistics(DateRangeForm({}))
    (delivered_row,) = [r for r in report.rows if r["orders"] == delivered and r["share"] == rate]
    assert delivered_row["status"].lower() == "delivered"

    row = erratum("E17")
    assert f"**{rate}%**" in row
    assert ", ".join(f"{status} {amount}" for status, amount in charged.items()) in row


def test_e39_johns_orders_and_total():
    (john,) = [c for c in CUSTOMERS if USERS[CUSTOMERS[c]["user_id"]]["first_name"] == "John"]
    counted = [o for o in ORDERS.values() if o["customer_id"] == john and o["status"] != CANCELLED]
    spent = sum((dec(o["total_amount"]) for o in counted), Decimal("0.00"))
    customer = Customer.objects.with_order_stats().get(pk=john)
    assert (customer.order_count, customer.total_spent) == (len(counted), spent)
    row = erratum("E39")
    assert full_name(john) in row
    assert f"**{len(counted)}** orders" in row
    assert f"charged **{spent}** (" + " + ".join(o["total_amount"] for o in counted) + ")" in row
    assert links("bi-sales-metrics", "E39")


# --- E40: the inventory alerts ------------------------------------------------------------------


def test_e40_inventory_alerts():
    """Turnover as the guide's query means it: units sold (cancelled order included) ÷ stock."""
    units = defaultdict(int)
    for item in ITEMS:
        units[item["product_id"]] += item["quantity"]
    turnover = {p["name"]: units[p["id"]] / p["stock_quantity"] for p in PRODUCTS.values()}
    shown = {r["name"]: r["turnover_rate"] for r in result("inventory-analysis")}
    assert shown == pytest.approx(turnover)

    ranked = sorted(turnover, key=turnover.get, reverse=True)
    slowest, next_slowest = sorted(turnover, key=turnover.get)[:2]
    second = ranked[1]
    latest = max(ORDERS.values(), key=lambda o: when(o["order_date"]))
    (latest_product,) = {i["product_id"] for i in ITEMS if i["order_id"] == latest["id"]}
    assert PRODUCTS[latest_product]["name"] == second
    assert all(units[pid] for pid in PRODUCTS), "every product has sold"

    row = erratum("E40")
    assert f"the lowest stock is {min(p['stock_quantity'] for p in PRODUCTS.values())}" in row
    assert f"But {second} is not slow moving" in row
    assert f"**second-highest turnover ({turnover[second]:.2f}**" in row
    assert f"order {latest['id']}, {latest['order_date'][:10]}" in row
    assert f"**{slowest} ({turnover[slowest]:.3f}**" in row
    assert f"then {next_slowest} ({turnover[next_slowest]:.3f})" in row
    iphone = next(p for p in PRODUCTS.values() if p["name"] == "iPhone 15")
    assert f"turnover of **{turnover['iPhone 15']:.2f}** ({units[iphone['id']]} of" in row
    assert links("inventory-analysis", "E40")


# --- E41: the order of "get all objects" --------------------------------------------------------


def test_e41_all_comes_newest_first():
    newest = sorted(PRODUCTS.values(), key=lambda p: when(p["created_at"]), reverse=True)
    shown = result("all-products")
    assert shown["count"] == len(PRODUCTS)
    assert shown["first rows"] == [p["name"] for p in newest[:3]]
    row = erratum("E41")
    assert "**" + ", ".join(f"{p['name']} ({p['id']})" for p in newest[:3]) + "**" in row
    assert f"{newest[-1]['name']} last" in row
    assert links("all-products", "E41")


# --- E22 (extended): "2 records added" --------------------------------------------------------


def test_e22_adding_tags_the_product_has_adds_no_record():
    tag_ids = {t["name"]: t["id"] for t in TAGS.values()}
    had = {pt["tag_id"] for pt in PRODUCT_TAGS if pt["product_id"] == 1}
    added = len({tag_ids["premium"], tag_ids["bestseller"]} - had)
    shown = result("relationships-m2m-add")
    assert sorted(shown["after add"]) == sorted(shown["initial tags"])
    assert len(shown["after add"]) - len(shown["initial tags"]) == added
    assert f"**{added} records added**" in erratum("E22")


# --- E42, E43: the sample data disagrees with itself ------------------------------------------


def test_e42_three_orders_whose_total_differs_from_their_items():
    differing = {
        oid: items_total(oid)
        for oid, o in ORDERS.items()
        if dec(o["total_amount"]) != items_total(oid)
    }
    shown = {o.pk: o.items_total for o in orders_differing_from_items()}
    assert shown == differing
    assert Order.objects.with_item_totals().filter(total_differs=False).count() == (
        len(ORDERS) - len(differing)
    )
    row = erratum("E42")
    ids = sorted(differing)
    assert f"orders {', '.join(map(str, ids[:-1]))} and {ids[-1]}" in row
    for oid in ids:
        assert f"**{differing[oid]}** (order {oid})" in row
        gap = dec(ORDERS[oid]["total_amount"]) - differing[oid]
        assert f"−{-gap}" in row
    assert f"The other {len(ORDERS) - len(differing)} orders match" in row


def test_e43_a_review_by_a_customer_who_never_bought_the_product():
    bought = {
        (ORDERS[i["order_id"]]["customer_id"], i["product_id"])
        for i in ITEMS
        if ORDERS[i["order_id"]]["status"] != CANCELLED
    }
    by_non_buyers = {
        rid for rid, r in REVIEWS.items() if (r["customer_id"], r["product_id"]) not in bought
    }
    assert set(reviews_by_non_buyers().values_list("pk", flat=True)) == by_non_buyers
    (rid,) = by_non_buyers
    review = REVIEWS[rid]
    customer = review["customer_id"]
    row = erratum("E43")
    assert f"review {rid}" in row
    assert f"{full_name(customer)} (customer {customer}) **never bought" in row
    assert f"never bought {PRODUCTS[review['product_id']]['name']}**" in row
    own = [oid for oid, o in ORDERS.items() if o["customer_id"] == customer]
    assert f"his only order ({own[0]})" in row and len(own) == 1
