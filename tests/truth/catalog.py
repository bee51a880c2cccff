"""Expected catalog figures computed in plain Python from seed_data/*.json.

Independent of the ORM: these loops are the definition the queries must match (docs/design.md:
revenue and units sold count only items of orders that are not cancelled).
"""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from tests.seed import dec, rows

CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def stock_status(quantity: int) -> str:
    if quantity <= 0:
        return "Out of stock"
    if quantity < 10:
        return "Low stock"
    if quantity < 25:
        return "Medium stock"
    return "Well stocked"


def price_band(price: Decimal) -> str:
    if price < 50:
        return "Cheap"
    if price < 200:
        return "Medium"
    return "Expensive"


def cancelled_order_ids() -> set[int]:
    return {row["id"] for row in rows("orders") if row["status"] == "cancelled"}


def product_figures() -> dict[int, dict]:
    """Per product id: review_count, avg_rating, min/max_rating, tag_count, units_sold,
    revenue, stock_status, price_band."""
    ratings = defaultdict(list)
    for review in rows("reviews"):
        ratings[review["product_id"]].append(review["rating"])
    tags = defaultdict(int)
    for link in rows("product_tags"):
        tags[link["product_id"]] += 1
    units, revenue = defaultdict(int), defaultdict(lambda: Decimal("0.00"))
    cancelled = cancelled_order_ids()
    for item in rows("order_items"):
        if item["order_id"] in cancelled:
            continue
        units[item["product_id"]] += item["quantity"]
        revenue[item["product_id"]] += item["quantity"] * dec(item["price"])
    figures = {}
    for product in rows("products"):
        pk = product["id"]
        figures[pk] = {
            "review_count": len(ratings[pk]),
            "avg_rating": sum(ratings[pk]) / len(ratings[pk]) if ratings[pk] else None,
            "min_rating": min(ratings[pk], default=None),
            "max_rating": max(ratings[pk], default=None),
            "tag_count": tags[pk],
            "units_sold": units[pk],
            "revenue": cents(revenue[pk]),
            "stock_status": stock_status(product["stock_quantity"]),
            "price_band": price_band(dec(product["price"])),
        }
    return figures


def category_figures() -> dict[str, dict]:
    products = rows("products")
    sold = product_figures()
    total = len(products)
    figures = {}
    for category in rows("categories"):
        mine = [p for p in products if p["category_id"] == category["id"]]
        prices = [dec(p["price"]) for p in mine]
        figures[category["name"]] = {
            "product_count": len(mine),
            "active_product_count": sum(1 for p in mine if p["is_active"]),
            "avg_price": cents(sum(prices) / len(prices)) if prices else None,
            "min_price": min(prices, default=None),
            "max_price": max(prices, default=None),
            "total_stock": sum(p["stock_quantity"] for p in mine),
            "revenue": cents(sum((sold[p["id"]]["revenue"] for p in mine), Decimal("0"))),
            "product_share": len(mine) * 100 / total if total else 0.0,
        }
    return figures


def supplier_figures() -> dict[str, dict]:
    products = rows("products")
    reviews = rows("reviews")
    figures = {}
    for supplier in rows("suppliers"):
        mine = [p for p in products if p["supplier_id"] == supplier["id"]]
        ids = {p["id"] for p in mine}
        ratings = [r["rating"] for r in reviews if r["product_id"] in ids]
        prices = [dec(p["price"]) for p in mine]
        figures[supplier["name"]] = {
            "product_count": len(mine),
            "avg_product_price": cents(sum(prices) / len(prices)) if prices else None,
            "review_count": len(ratings),
            "avg_review_rating": sum(ratings) / len(ratings) if ratings else None,
            "total_stock": sum(p["stock_quantity"] for p in mine),
            "rating": supplier["rating"],
        }
    return figures


def tag_product_counts() -> dict[str, int]:
    names = {row["id"]: row["name"] for row in rows("tags")}
    counts = dict.fromkeys(names.values(), 0)
    for link in rows("product_tags"):
        counts[names[link["tag_id"]]] += 1
    return counts


def category_positions() -> dict[int, dict]:
    """Per product id, its place in its category (what the window functions must give)."""
    positions = {}
    products = rows("products")
    for category_id in {p["category_id"] for p in products}:
        mine = [p for p in products if p["category_id"] == category_id]
        by_price = sorted(mine, key=lambda p: (dec(p["price"]), p["id"]))
        by_date = sorted(mine, key=lambda p: (p["created_at"], p["id"]))
        average = cents(sum(dec(p["price"]) for p in mine) / len(mine))
        total_value = sum(dec(p["price"]) * p["stock_quantity"] for p in mine)
        for p in mine:
            i = by_price.index(p)
            d = by_date.index(p)
            positions[p["id"]] = {
                "price_rank": 1 + sum(1 for q in mine if dec(q["price"]) > dec(p["price"])),
                "prev_price": dec(by_price[i - 1]["price"]) if i > 0 else None,
                "next_price": dec(by_price[i + 1]["price"]) if i + 1 < len(mine) else None,
                "category_avg_price": average,
                "category_product_count": len(mine),
                "date_position": d + 1,
                "running_inventory_value": cents(
                    sum(dec(q["price"]) * q["stock_quantity"] for q in by_date[: d + 1])
                ),
                "category_inventory_value": cents(total_value),
            }
    return positions
