"""Expected report figures computed from seed_data/*.json in plain Python (docs/design.md's rules)."""

from collections import defaultdict
from decimal import Decimal

from tests.seed import by_id, dec, rows, when

CANCELLED = "cancelled"


def orders():
    return by_id("orders")


def items():
    return rows("order_items")


def items_total(order_id) -> Decimal:
    return sum(
        (dec(i["price"]) * i["quantity"] for i in items() if i["order_id"] == order_id),
        Decimal("0.00"),
    )


def counted_order_ids() -> set[int]:
    return {oid for oid, o in orders().items() if o["status"] != CANCELLED}


def revenue() -> Decimal:
    return sum((items_total(oid) for oid in counted_order_ids()), Decimal("0.00"))


def product_revenue() -> dict[int, Decimal]:
    totals = defaultdict(lambda: Decimal("0.00"))
    for i in items():
        if i["order_id"] in counted_order_ids():
            totals[i["product_id"]] += dec(i["price"]) * i["quantity"]
    return dict(totals)


def category_revenue() -> dict[str, Decimal]:
    products = by_id("products")
    names = {c["id"]: c["name"] for c in rows("categories")}
    totals = {name: Decimal("0.00") for name in names.values()}
    for product_id, amount in product_revenue().items():
        totals[names[products[product_id]["category_id"]]] += amount
    return totals


def orders_differing() -> set[int]:
    return {oid for oid, o in orders().items() if dec(o["total_amount"]) != items_total(oid)}


def reviews_by_non_buyers() -> set[int]:
    bought = {
        (orders()[i["order_id"]]["customer_id"], i["product_id"])
        for i in items()
        if orders()[i["order_id"]]["status"] != CANCELLED
    }
    return {r["id"] for r in rows("reviews") if (r["customer_id"], r["product_id"]) not in bought}


def monthly() -> dict[str, dict]:
    result = {}
    for oid in counted_order_ids():
        order = orders()[oid]
        month = when(order["order_date"]).strftime("%Y-%m")
        entry = result.setdefault(
            month, {"order_count": 0, "revenue": Decimal("0.00"), "customers": set(), "cats": set()}
        )
        entry["order_count"] += 1
        entry["revenue"] += items_total(oid)
        entry["customers"].add(order["customer_id"])
        products = by_id("products")
        names = {c["id"]: c["name"] for c in rows("categories")}
        for i in items():
            if i["order_id"] == oid:
                entry["cats"].add(names[products[i["product_id"]]["category_id"]])
    return result


def sales_by_period(period: str) -> dict[str, dict]:
    """Counted orders per day / ISO week / month / year (UTC), as the sales-over-time report."""
    labels = {
        "day": lambda d: d.date().isoformat(),
        "week": lambda d: "{}-W{:02}".format(*d.isocalendar()[:2]),
        "month": lambda d: d.strftime("%Y-%m"),
        "year": lambda d: d.strftime("%Y"),
    }
    result = {}
    for oid in counted_order_ids():
        order = orders()[oid]
        key = labels[period](when(order["order_date"]))
        entry = result.setdefault(
            key, {"order_count": 0, "revenue": Decimal("0.00"), "customers": set()}
        )
        entry["order_count"] += 1
        entry["revenue"] += items_total(oid)
        entry["customers"].add(order["customer_id"])
    return result
