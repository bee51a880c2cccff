"""Expected order and customer figures, computed in plain Python from seed_data/*.json.

Independent of the ORM: the admin's columns and filters are checked against these.
"""

from collections import defaultdict
from decimal import Decimal

from backoffice.querysets.sales import LARGE_ORDER_TOTAL, segment_for
from tests.seed import by_id, dec, rows, when

ZERO = Decimal("0.00")


def orders() -> dict[int, dict]:
    return by_id("orders")


def items_total(order_id) -> Decimal:
    return sum(
        (dec(i["price"]) * i["quantity"] for i in rows("order_items") if i["order_id"] == order_id),
        ZERO,
    )


def item_count(order_id) -> int:
    return sum(1 for i in rows("order_items") if i["order_id"] == order_id)


def differing_orders() -> list[int]:
    return sorted(pk for pk, o in orders().items() if dec(o["total_amount"]) != items_total(pk))


def neighbours() -> dict[int, tuple[Decimal | None, Decimal | None]]:
    """order id -> (previous, next) total of the same customer's orders by date, then id."""
    by_customer = defaultdict(list)
    for order in orders().values():
        by_customer[order["customer_id"]].append(order)
    result = {}
    for customer_orders in by_customer.values():
        customer_orders.sort(key=lambda o: (when(o["order_date"]), o["id"]))
        for i, order in enumerate(customer_orders):
            prev = dec(customer_orders[i - 1]["total_amount"]) if i > 0 else None
            nxt = (
                dec(customer_orders[i + 1]["total_amount"])
                if i + 1 < len(customer_orders)
                else None
            )
            result[order["id"]] = (prev, nxt)
    return result


def customer_name(customer_id) -> str:
    user = by_id("users")[by_id("customers")[customer_id]["user_id"]]
    return f"{user['first_name']} {user['last_name']}"


def customer_stats() -> dict[int, dict]:
    """Per customer, following docs/customer-segments.md: cancelled orders don't count."""
    stats = {}
    for customer_id in by_id("customers"):
        mine = [o for o in orders().values() if o["customer_id"] == customer_id]
        counted = [o for o in mine if o["status"] != "cancelled"]
        totals = [dec(o["total_amount"]) for o in counted]
        spent = sum(totals, ZERO)
        latest = max(counted, key=lambda o: (when(o["order_date"]), o["id"]), default=None)
        stats[customer_id] = {
            "order_count": len(counted),
            "cancelled_order_count": len(mine) - len(counted),
            "total_spent": spent,
            "avg_order_value": (spent / len(counted)).quantize(Decimal("0.01"))
            if counted
            else None,
            "first_order_date": min((when(o["order_date"]) for o in counted), default=None),
            "last_order_date": max((when(o["order_date"]) for o in counted), default=None),
            "latest_order_total": dec(latest["total_amount"]) if latest else None,
            "has_order_over_500": any(t > LARGE_ORDER_TOTAL for t in totals),
            "segment": segment_for(spent),
        }
    return stats


def orders_with_product(product_id) -> list[int]:
    return sorted({i["order_id"] for i in rows("order_items") if i["product_id"] == product_id})


def orders_with_category(category_id) -> list[int]:
    products = {p["id"] for p in rows("products") if p["category_id"] == category_id}
    return sorted({i["order_id"] for i in rows("order_items") if i["product_id"] in products})
