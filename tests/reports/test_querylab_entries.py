"""The Query Lab's entries return the truth on the dataset.

Each expected value is computed from seed_data/*.json (tests/seed.py) by plain Python, never
copied from the guide's printed outputs (see docs/seed-errata.md for where those are wrong).
Entries are run through the lab's own runner, so what is checked is what staff see.
"""

import re
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from backoffice.reports.querylab.entries.advanced import SAMPLE_METADATA
from backoffice.reports.querylab.registry import N_PLUS_ONE, SECTIONS, load_entries
from backoffice.reports.querylab.runner import EntryRun, Table, VariantRun, run_entry
from tests.seed import by_id, dec, rows, when

pytestmark = pytest.mark.usefixtures("seed")

ENTRIES = load_entries()
ERRATA_FILE = Path(__file__).resolve().parents[2] / "docs" / "seed-errata.md"

PRODUCTS = by_id("products")
CATEGORIES = by_id("categories")
SUPPLIERS = by_id("suppliers")
ORDERS = by_id("orders")
ITEMS = rows("order_items")
REVIEWS = rows("reviews")
TAGS = by_id("tags")
PRODUCT_TAGS = rows("product_tags")
CUSTOMERS = by_id("customers")
USERS = by_id("users")

CENT = Decimal("0.01")


def cents(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def category_of(product: dict) -> str:
    return CATEGORIES[product["category_id"]]["name"]


def products_where(predicate) -> set[str]:
    return {p["name"] for p in PRODUCTS.values() if predicate(p)}


def items_of(product_id: int) -> list[dict]:
    return [item for item in ITEMS if item["product_id"] == product_id]


def reviews_of(product_id: int) -> list[dict]:
    return [review for review in REVIEWS if review["product_id"] == product_id]


def units_sold(product_id: int) -> int:
    return sum(item["quantity"] for item in items_of(product_id))


def revenue_of(product_id: int) -> Decimal:
    return sum((dec(i["price"]) * i["quantity"] for i in items_of(product_id)), Decimal(0))


def full_name(customer_id: int) -> str:
    user = USERS[CUSTOMERS[customer_id]["user_id"]]
    return f"{user['first_name']} {user['last_name']}"


# --- running entries ---------------------------------------------------------------------------


def run(slug: str) -> EntryRun:
    entry_run = run_entry(ENTRIES[slug], explain=False)
    assert not entry_run.skipped, entry_run.skipped
    for variant in entry_run.variants:
        assert not variant.error, f"{slug} [{variant.label}]: {variant.error}"
    return entry_run


def records(table: Table) -> list[dict]:
    assert table.total_rows == len(table.rows), "a test dataset never fills more than one page"
    return [dict(zip(table.columns, row, strict=True)) for row in table.rows]


def as_mapping(table: Table) -> dict:
    assert table.columns == ["key", "value"]
    return dict(table.rows)


def result(slug: str):
    """The single variant's result: a dict for key/value results, else a list of row dicts."""
    (variant,) = run(slug).variants
    if variant.result.columns == ["key", "value"]:
        return as_mapping(variant.result)
    return records(variant.result)


def variant(entry_run: EntryRun, label_start: str) -> VariantRun:
    return next(v for v in entry_run.variants if v.label.startswith(label_start))


# --- catalogue-wide checks ---------------------------------------------------------------------


def test_every_section_of_the_guide_has_entries():
    assert {entry.section for entry in ENTRIES.values()} == set(SECTIONS)


def test_every_errata_id_exists_in_the_errata_file():
    listed = set(re.findall(r"^\| (E\d\d) \|", ERRATA_FILE.read_text(), flags=re.MULTILINE))
    used = {code for entry in ENTRIES.values() for code in entry.errata}
    assert used, "some entries point to errata"
    assert used - listed == set()


def test_errata_ids_are_unique_and_consecutive():
    listed = re.findall(r"^\| (E\d\d) \|", ERRATA_FILE.read_text(), flags=re.MULTILINE)
    assert listed == [f"E{n:02d}" for n in range(1, len(listed) + 1)]


WRITING_STATEMENTS = ("INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "DROP", "TRUNCATE")


def test_entries_that_write_say_so():
    """(Some flagged entries write nothing on the dataset, e.g. deleting products out of stock:
    the flag says what the code can do, on any data.)"""
    wrote = set()
    for slug, entry in ENTRIES.items():
        entry_run = run_entry(entry, explain=False)
        statements = [sql for v in entry_run.variants for sql in v.queries]
        if any(sql.lstrip().upper().startswith(WRITING_STATEMENTS) for sql in statements):
            wrote.add(slug)
    flagged = {slug for slug, entry in ENTRIES.items() if entry.writes}
    assert wrote, "the guide's create/update/delete examples write"
    assert wrote - flagged == set(), "these entries write without writes=True"


def n_plus_one_slugs() -> list[str]:
    return sorted(slug for slug, entry in ENTRIES.items() if N_PLUS_ONE in entry.tags)


def test_the_required_n_plus_one_demonstrations_exist():
    assert set(n_plus_one_slugs()) >= {
        "n-plus-one-product-category-supplier",
        "n-plus-one-category-product-count",
        "n-plus-one-order-items",
        "n-plus-one-customer-user",
        "n-plus-one-product-tags",
    }


@pytest.mark.parametrize("slug", n_plus_one_slugs())
def test_n_plus_one_optimized_variant_returns_the_same_rows_with_fewer_queries(slug):
    naive, optimized = run(slug).variants
    assert records(optimized.result) == records(naive.result)
    assert optimized.result.rows, "the demonstration shows some rows"
    assert optimized.query_count < naive.query_count


def test_n_plus_one_query_counts_follow_the_data():
    """1 + N for a loop over N products; one query with select_related."""
    naive, optimized = run("n-plus-one-product-category-supplier").variants
    assert naive.query_count == 1 + 2 * len(PRODUCTS)
    assert optimized.query_count == 1
    naive, optimized = run("n-plus-one-order-items").variants
    assert naive.query_count == 1 + len(ORDERS) + len(ITEMS)
    assert optimized.query_count == 3


@pytest.mark.skipif(connection.vendor == "postgresql", reason="checks the SQLite message")
def test_postgres_only_entries_say_they_need_postgresql(admin_client):
    slugs = [slug for slug, entry in ENTRIES.items() if entry.postgres_only]
    assert slugs
    for slug in slugs:
        response = admin_client.get(reverse("admin:querylab_entry", args=[slug]))
        assert response.status_code == 200
        assert "This example needs PostgreSQL" in response.content.decode()


# --- Basic Queries -----------------------------------------------------------------------------


def test_first_and_last_follow_newest_first():
    newest = max(PRODUCTS.values(), key=lambda p: when(p["created_at"]))
    oldest = min(PRODUCTS.values(), key=lambda p: when(p["created_at"]))
    assert result("first-and-last") == {"first": newest["name"], "last": oldest["name"]}


def test_exists():
    expected = any(dec(p["price"]) > 500 for p in PRODUCTS.values())
    assert result("exists-expensive") == {"expensive_products_exist": expected}


def test_bulk_update_discounts_the_books_by_ten_percent():
    books = {p["id"]: p for p in PRODUCTS.values() if category_of(p) == "Books"}
    got = {row["id"]: row for row in result("bulk-update-discount")}
    assert set(got) == set(books)
    for product_id, book in books.items():
        assert got[product_id]["old_price"] == dec(book["price"])
        assert got[product_id]["new_price"] == cents(dec(book["price"]) * Decimal("0.9"))


def test_update_or_create_creates_the_special_laptop():
    got = result("update-or-create-product")
    assert got["created"] is True
    assert got["name"] == "Special Laptop"
    assert got["id"] not in PRODUCTS


# --- Filtering and Lookups ---------------------------------------------------------------------


def test_numeric_lookups():
    got = result("lookup-numeric")
    expensive = products_where(lambda p: dec(p["price"]) > 100)
    cheap = products_where(lambda p: dec(p["price"]) < 50)
    mid = products_where(lambda p: 50 <= dec(p["price"]) <= 200)
    assert got["expensive (> $100) count"] == len(expensive)
    assert set(got["expensive"]) == expensive
    assert got["cheap (< $50) count"] == len(cheap)
    assert set(got["cheap"]) == cheap
    assert got["mid-range ($50-$200) count"] == len(mid)
    assert set(got["mid-range"]) == mid


def test_complex_q_is_an_or_inside():
    expected = products_where(
        lambda p: (
            category_of(p) == "Electronics" and (dec(p["price"]) < 1000 or p["stock_quantity"] > 30)
        )
    )
    assert {row["name"] for row in result("filter-complex-q")} == expected


def test_datetime_range_with_aware_datetimes():
    start, end = when("2024-02-01T00:00:00+00:00"), when("2024-02-28T00:00:00+00:00")
    expected = products_where(lambda p: start <= when(p["created_at"]) <= end)
    assert {row["name"] for row in result("lookup-datetime-range")} == expected


def test_products_with_reviews_and_their_counts():
    expected = {
        p["name"]: len(reviews_of(p["id"])) for p in PRODUCTS.values() if reviews_of(p["id"])
    }
    got = {row["name"]: row["review_count"] for row in result("products-with-reviews")}
    assert got == expected


def test_products_from_suppliers_rated_four_or_more():
    expected = products_where(lambda p: SUPPLIERS[p["supplier_id"]]["rating"] >= 4.0)
    assert {row["name"] for row in result("products-from-good-suppliers")} == expected


def test_products_ordered_count_order_lines():
    lines = Counter(item["product_id"] for item in ITEMS)
    got = result("products-ordered-multiple-times")
    assert {row["id"]: row["order_count"] for row in got} == dict(lines)
    counts = [row["order_count"] for row in got]
    assert counts == sorted(counts, reverse=True)


# --- Aggregation and Annotation ----------------------------------------------------------------


def test_product_statistics():
    prices = [dec(p["price"]) for p in PRODUCTS.values()]
    got = result("product-statistics")
    assert got["count()"] == got["total_products"] == len(PRODUCTS)
    assert cents(got["avg_price"]) == cents(sum(prices) / len(prices))
    assert got["max_price"] == max(prices)
    assert got["min_price"] == min(prices)
    assert got["total_stock"] == sum(p["stock_quantity"] for p in PRODUCTS.values())


def test_category_statistics():
    got = {row["name"]: row for row in result("category-statistics")}
    for category in CATEGORIES.values():
        members = [p for p in PRODUCTS.values() if p["category_id"] == category["id"]]
        row = got[category["name"]]
        assert row["product_count"] == len(members)
        assert row["total_stock"] == sum(p["stock_quantity"] for p in members)
        assert row["max_price"] == max(dec(p["price"]) for p in members)
        assert cents(row["avg_price"]) == cents(
            sum(dec(p["price"]) for p in members) / len(members)
        )


def test_review_stats_as_printed_multiply_and_the_subquery_does_not():
    entry_run = run("products-review-stats-corrected")
    printed = {r["id"]: r for r in records(variant(entry_run, "As printed").result)}
    corrected = {r["id"]: r for r in records(variant(entry_run, "Subquery").result)}
    reviewed = {p for p in PRODUCTS if reviews_of(p)}
    assert set(printed) == set(corrected) == reviewed
    for product_id in reviewed:
        reviews, lines = len(reviews_of(product_id)), len(items_of(product_id))
        assert printed[product_id]["review_count"] == reviews * max(lines, 1)
        assert corrected[product_id]["review_count"] == reviews
        assert corrected[product_id]["total_ordered"] == (units_sold(product_id) or None)
    assert any(printed[p]["review_count"] != corrected[p]["review_count"] for p in reviewed)


def test_suppliers_performance_corrected_sorts_unreviewed_suppliers_last():
    entry_run = run("suppliers-performance-corrected")
    got = records(variant(entry_run, "Subqueries").result)
    for row in got:
        supplier = next(s for s in SUPPLIERS.values() if s["name"] == row["name"])
        products = [p["id"] for p in PRODUCTS.values() if p["supplier_id"] == supplier["id"]]
        ratings = [r["rating"] for p in products for r in reviews_of(p)]
        assert row["product_count"] == len(products)
        assert row["total_reviews"] == len(ratings)
        if ratings:
            assert row["avg_rating"] == pytest.approx(sum(ratings) / len(ratings))
        else:
            assert row["avg_rating"] is None
    averages = [row["avg_rating"] for row in got]
    rated = [a for a in averages if a is not None]
    assert averages == rated + [None] * (len(averages) - len(rated))
    assert rated == sorted(rated, reverse=True)


def test_order_statistics_by_status():
    got = result("order-statistics")
    statuses = Counter(order["status"] for order in ORDERS.values())
    assert got["total_orders"] == len(ORDERS)
    for status in ("delivered", "processing", "shipped", "pending", "cancelled"):
        assert got[status] == statuses[status]
    assert got["total_revenue"] == sum(
        dec(o["total_amount"]) for o in ORDERS.values() if o["status"] == "delivered"
    )
    assert got["pending_revenue"] == sum(
        dec(o["total_amount"])
        for o in ORDERS.values()
        if o["status"] in {"processing", "shipped", "pending"}
    )


def test_price_category_with_value():
    def bucket(price):
        return "Cheap" if price < 50 else "Medium" if price < 200 else "Expensive"

    expected = {p["name"]: bucket(dec(p["price"])) for p in PRODUCTS.values()}
    got = {row["name"]: row["price_category"] for row in result("price-category")}
    assert got == expected


# --- Joins and Relationships -------------------------------------------------------------------


def test_reverse_relationship_query_counts():
    electronics = products_where(lambda p: category_of(p) == "Electronics")
    (plain,) = run("reverse-access").variants
    (prefetched,) = run("reverse-prefetch").variants
    assert plain.query_count == 3
    assert prefetched.query_count == 2
    assert as_mapping(plain.result)["count"] == len(electronics)
    assert set(as_mapping(prefetched.result)["products"]) == electronics


def test_products_with_more_than_one_tag():
    tag_names = defaultdict(set)
    for link in PRODUCT_TAGS:
        tag_names[PRODUCTS[link["product_id"]]["name"]].add(TAGS[link["tag_id"]]["name"])
    expected = {name: tags for name, tags in tag_names.items() if len(tags) > 1}
    got = result("m2m-multiple-tags")
    assert {row["name"]: set(row["tags"]) for row in got} == expected
    assert all(row["tag_count"] == len(expected[row["name"]]) for row in got)


def test_m2m_set_replaces_the_tags():
    got = result("m2m-set")
    assert set(got["after set()"]) == {"bestseller", "premium"}
    assert {"popular", "discount", "new"} <= set(got["before set()"])


def test_relationships_forward_access_reads_the_dataset():
    product = PRODUCTS[1]
    expected = {
        "product": product["name"],
        "price": dec(product["price"]),
        "category": CATEGORIES[product["category_id"]]["name"],
        "category description": CATEGORIES[product["category_id"]]["description"],
        "supplier": SUPPLIERS[product["supplier_id"]]["name"],
        "supplier email": SUPPLIERS[product["supplier_id"]]["email"],
    }
    (basic,) = run("relationships-forward-basic").variants
    (optimized,) = run("relationships-forward-select-related").variants
    assert as_mapping(basic.result) == as_mapping(optimized.result) == expected
    assert (basic.query_count, optimized.query_count) == (3, 1)


# --- Advanced Queries --------------------------------------------------------------------------


def test_latest_order_per_customer():
    got = {
        (row["user__first_name"], row["user__last_name"]): row
        for row in result("subquery-latest-order")
    }
    for customer_id, customer in CUSTOMERS.items():
        user = USERS[customer["user_id"]]
        orders = [o for o in ORDERS.values() if o["customer_id"] == customer_id]
        latest = max(orders, key=lambda o: when(o["order_date"]))
        row = got[(user["first_name"], user["last_name"])]
        assert row["latest_order_date"] == when(latest["order_date"])
        assert row["latest_order_total"] == dec(latest["total_amount"])


def test_exists_and_join_find_the_same_high_value_customers():
    expected = {o["customer_id"] for o in ORDERS.values() if dec(o["total_amount"]) > 500}
    assert {row["id"] for row in result("customers-high-value-join")} == expected
    assert {row["id"] for row in result("customers-high-value-exists")} == expected


def test_custom_sql_counts_products_per_category():
    expected = Counter(category_of(p) for p in PRODUCTS.values())
    got = {row["category"]: row["products"] for row in result("cursor-custom-sql")}
    assert got == dict(expected)


def test_json_filter_on_a_key():
    expected = {name for name, meta in SAMPLE_METADATA.items() if meta["color"] == "red"}
    assert {row["product__name"] for row in result("json-filter-key")} == expected
    heavy = {name for name, meta in SAMPLE_METADATA.items() if meta["specs"]["weight"] > 1.0}
    assert {row["product__name"] for row in result("json-filter-nested-key")} == heavy


# --- Database Functions ------------------------------------------------------------------------


def test_concat_puts_the_separator_between_name_and_description():
    expected = {f"{p['name']} - {p['description']}" for p in PRODUCTS.values()}
    got = result("string-functions")
    assert {row["name_and_desc"] for row in got} == expected
    assert {row["name_upper"] for row in got} == {p["name"].upper() for p in PRODUCTS.values()}


def test_truncdate_groups_by_day():
    expected = Counter(when(o["order_date"]).date() for o in ORDERS.values())
    got = {row["order_month"]: row["total_orders"] for row in result("date-functions")}
    assert got == dict(expected)


# --- Window Functions --------------------------------------------------------------------------


def test_product_rankings():
    by_category = defaultdict(list)
    for product in PRODUCTS.values():
        by_category[product["category_id"]].append(product)
    running, running_total = {}, Decimal(0)
    for product in sorted(PRODUCTS.values(), key=lambda p: when(p["created_at"])):
        running_total += dec(product["price"]) * product["stock_quantity"]
        running[product["name"]] = running_total

    got = {row["name"]: row for row in result("product-rankings")}
    for members in by_category.values():
        ascending = sorted(members, key=lambda p: dec(p["price"]))
        average = sum(dec(p["price"]) for p in members) / len(members)
        for index, product in enumerate(ascending):
            row = got[product["name"]]
            assert row["price_rank_in_category"] == len(members) - index
            previous = ascending[index - 1] if index else None
            following = ascending[index + 1] if index + 1 < len(ascending) else None
            assert row["prev_price"] == (dec(previous["price"]) if previous else None)
            assert row["next_price"] == (dec(following["price"]) if following else None)
            assert cents(row["category_avg_price"]) == cents(average)
            assert row["running_total_value"] == running[product["name"]]


def test_lag_lead_per_customer():
    got = {row["id"]: row for row in result("lag-lead-orders")}
    for customer_id in CUSTOMERS:
        orders = sorted(
            (o for o in ORDERS.values() if o["customer_id"] == customer_id),
            key=lambda o: when(o["order_date"]),
        )
        for index, order in enumerate(orders):
            previous = orders[index - 1] if index else None
            following = orders[index + 1] if index + 1 < len(orders) else None
            assert got[order["id"]]["prev_order_total"] == (
                dec(previous["total_amount"]) if previous else None
            )
            assert got[order["id"]]["next_order_total"] == (
                dec(following["total_amount"]) if following else None
            )


# --- Performance Optimization ------------------------------------------------------------------


def test_product_catalog_corrected():
    entry_run = run("product-catalog-corrected")
    printed = records(variant(entry_run, "As printed").result)
    corrected = records(variant(entry_run, "Subqueries").result)
    assert variant(entry_run, "As printed").query_count == 4
    by_name = {p["name"]: p for p in PRODUCTS.values()}
    expected_order = sorted(
        (p for p in PRODUCTS.values() if p["is_active"]),
        key=lambda p: (-units_sold(p["id"]), p["name"]),
    )
    # equal units sold are ordered by name, which depends on the collation: compare units
    assert [row["total_sold"] for row in corrected] == [
        units_sold(p["id"]) for p in expected_order[:5]
    ]
    for row in corrected:
        product = by_name[row["name"]]
        assert row["review_count"] == len(reviews_of(product["id"]))
        assert row["revenue"] == revenue_of(product["id"])
    assert any(row["review_count"] > len(reviews_of(by_name[row["name"]]["id"])) for row in printed)


def test_select_related_is_one_query_and_prefetch_two():
    (select,) = run("select-related-first-one-query").variants
    (prefetch,) = run("prefetch-two-queries").variants
    assert (select.query_count, prefetch.query_count) == (1, 2)
    per_category = Counter(category_of(p) for p in PRODUCTS.values())
    assert {r["category"]: r["products"] for r in records(prefetch.result)} == per_category


# --- Bulk Operations ---------------------------------------------------------------------------


def test_bulk_create_of_a_thousand_products_in_ten_batches():
    (created,) = run("bulk-create-thousand").variants
    got = as_mapping(created.result)
    assert got["created"] == 1000
    assert got["products now"] == len(PRODUCTS) + 1000
    inserts = [sql for sql in created.queries if sql.lstrip().upper().startswith("INSERT")]
    # batches of 100 (SQLite may need smaller ones: at most 999 parameters per query)
    assert 10 <= len(inserts) < 100


def test_bulk_update_raises_electronics_by_ten_percent():
    electronics = {
        p["name"]: dec(p["price"]) for p in PRODUCTS.values() if category_of(p) == "Electronics"
    }
    got = {row["name"]: row for row in result("bulk-update-electronics")}
    assert set(got) == set(electronics)
    for name, price in electronics.items():
        assert got[name]["new price"] == cents(price * Decimal("1.1"))


# --- Transaction Management --------------------------------------------------------------------


def test_transfer_as_printed_reports_failure_but_moves_the_stock():
    entry_run = run("transfer-inventory")
    printed = as_mapping(variant(entry_run, "As printed").result)
    corrected = as_mapping(variant(entry_run, "Corrected").result)
    moved = {1: PRODUCTS[1]["stock_quantity"] - 5, 2: PRODUCTS[2]["stock_quantity"] + 5}
    assert printed["success"] is False
    assert printed["stock of products 1 and 2 afterwards"] == moved
    assert corrected["success"] is True
    assert corrected["stock of products 1 and 2 afterwards"] == moved


def test_savepoints():
    entry_run = run("savepoints")
    python_error = as_mapping(variant(entry_run, "As printed, the risky part raises").result)
    database_error = as_mapping(variant(entry_run, "As printed, the risky part breaks").result)
    nested = as_mapping(variant(entry_run, "Corrected").result)
    assert python_error["categories kept"] == ["Safe category"]
    assert database_error["outcome"].startswith("TransactionManagementError")
    assert nested["categories kept"] == ["Safe category"]


# --- Custom Managers and QuerySets -------------------------------------------------------------


def test_chained_queryset_methods():
    expected = products_where(
        lambda p: p["is_active"] and dec(p["price"]) >= 100 and category_of(p) == "Electronics"
    )
    assert {row["name"] for row in result("chained-queryset-methods")} == expected


# --- Advanced Model Validation -----------------------------------------------------------------


def test_cheap_electronics_reports_every_broken_rule():
    errors = result("cheap-electronics-validation")
    assert len(errors["price"]) == 2
    assert len(errors["sku"]) == 1


# --- Raw SQL and Custom Queries ----------------------------------------------------------------


@pytest.mark.postgres_only
def test_monthly_sales_report():
    months = defaultdict(list)
    for order in ORDERS.values():
        months[when(order["order_date"]).date().replace(day=1)].append(order)
    got = {row["month"].date(): row for row in result("monthly-sales-report-corrected")}
    assert set(got) == set(months)
    for month, orders in months.items():
        assert got[month]["order_count"] == len(orders)
        assert got[month]["revenue"] == sum(dec(o["total_amount"]) for o in orders)
        assert got[month]["unique_customers"] == len({o["customer_id"] for o in orders})
    # as printed, "the last six months" are counted from today
    latest = max(when(o["order_date"]) for o in ORDERS.values())
    if latest < timezone.now() - timedelta(days=190):
        assert result("monthly-sales-report-as-printed") == []


# --- Common and Advanced Query Examples --------------------------------------------------------


def test_top_customers_by_spending():
    spent = defaultdict(Decimal)
    for order in ORDERS.values():
        spent[order["customer_id"]] += dec(order["total_amount"])
    got = result("common-top-customers")
    assert [r["total_spent"] for r in got] == sorted(spent.values(), reverse=True)
    assert {f"{r['user__first_name']} {r['user__last_name']}": r["total_spent"] for r in got} == {
        full_name(customer_id): total for customer_id, total in spent.items()
    }


def test_monthly_sales_with_truncmonth():
    months = defaultdict(list)
    for order in ORDERS.values():
        months[when(order["order_date"]).date().replace(day=1)].append(order)
    got = result("common-monthly-sales")
    assert [row["month"].date() for row in got] == sorted(months)
    for row in got:
        orders = months[row["month"].date()]
        assert row["order_count"] == len(orders)
        assert row["total_sales"] == sum(dec(o["total_amount"]) for o in orders)


def test_dashboard_categories_as_printed_multiply_products():
    entry_run = run("dashboard-categories-corrected")
    printed = {r["name"]: r for r in records(variant(entry_run, "As printed").result)}
    corrected = {r["name"]: r for r in records(variant(entry_run, "Subquery").result)}
    for category in CATEGORIES.values():
        members = [p["id"] for p in PRODUCTS.values() if p["category_id"] == category["id"]]
        revenue = sum((revenue_of(p) for p in members), Decimal(0))
        joined_rows = sum(max(len(items_of(p)), 1) for p in members)
        assert corrected[category["name"]]["product_count"] == len(members)
        assert corrected[category["name"]]["total_revenue"] == revenue
        assert printed[category["name"]]["product_count"] == joined_rows


def test_dashboard_top_products_corrected():
    entry_run = run("dashboard-top-products-corrected")
    got = records(variant(entry_run, "Subqueries").result)
    by_revenue = sorted(PRODUCTS.values(), key=lambda p: revenue_of(p["id"]), reverse=True)[:5]
    assert [row["name"] for row in got] == [p["name"] for p in by_revenue]
    for row, product in zip(got, by_revenue, strict=True):
        assert row["total_sold"] == units_sold(product["id"])
        assert row["review_count"] == len(reviews_of(product["id"]))


def test_business_intelligence_sales_metrics():
    got = result("bi-sales-metrics")
    totals = [dec(o["total_amount"]) for o in ORDERS.values()]
    assert got["total_orders"] == len(ORDERS)
    assert got["total_revenue"] == sum(totals)
    assert cents(got["avg_order_value"]) == cents(sum(totals) / len(totals))
    assert got["orders_delivered"] == sum(o["status"] == "delivered" for o in ORDERS.values())
    assert got["orders_pending"] == sum(
        o["status"] in {"pending", "processing", "shipped"} for o in ORDERS.values()
    )


def test_business_intelligence_performance_scores():
    def score(revenue):
        return "A" if revenue > 1000 else "B" if revenue > 500 else "C" if revenue > 100 else "D"

    entry_run = run("bi-product-performance-corrected")
    got = {r["name"]: r for r in records(variant(entry_run, "Subqueries").result)}
    for product in PRODUCTS.values():
        row = got[product["name"]]
        assert row["revenue"] == revenue_of(product["id"])
        assert row["total_sold"] == units_sold(product["id"])
        assert row["review_count"] == len(reviews_of(product["id"]))
        assert row["performance_score"] == score(revenue_of(product["id"]))


def test_inventory_analysis():
    def status(stock):
        if stock == 0:
            return "Out of Stock"
        return "Low Stock" if stock < 10 else "Medium Stock" if stock < 25 else "Well Stocked"

    got = result("inventory-analysis")
    assert [r["current_stock"] for r in got] == sorted(
        p["stock_quantity"] for p in PRODUCTS.values()
    )
    by_name = {p["name"]: p for p in PRODUCTS.values()}
    for row in got:
        product = by_name[row["name"]]
        assert row["total_sold"] == units_sold(product["id"])
        assert row["turnover_rate"] == pytest.approx(
            units_sold(product["id"]) / product["stock_quantity"]
        )
        assert row["stock_status"] == status(product["stock_quantity"])
        assert row["days_in_inventory"] >= 0
