"""Recompute the kept figures of given rows, in the caller's transaction."""

from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from backoffice.figures.days import refresh_days
from backoffice.figures.kinds import KINDS
from backoffice.querysets.days import utc_day

CHUNK = 2_000  # ids per statement: PostgreSQL and SQLite both take this many parameters


def refresh(
    *,
    products=(),
    orders=(),
    customers=(),
    categories=(),
    suppliers=(),
    reviews=(),
    days=(),
    skip=None,
) -> None:
    """Recompute the figures of these product, order, customer, category and supplier ids from
    the source rows, and the day sales of these UTC days and of the days of these orders. The
    categories and suppliers of the products named are recomputed too (they add up their
    products' kept figures), and the reviews of the customers and products named or reached
    through the orders named (whether the customer bought the product).

    Ids whose row no longer exists (or is being deleted: ``skip`` maps a kind's name to ids)
    are left out; a row without its figures row gets one. On PostgreSQL the figure rows are
    locked in id order before they are recomputed: the recompute is a new statement, so it sees
    every write committed by a writer that held those locks before us.
    """
    wanted = {
        "products": set(products),
        "orders": set(orders),
        "customers": set(customers),
        "categories": set(categories),
        "suppliers": set(suppliers),
        "reviews": set(reviews) | _reviews_of(products, orders, customers),
    }
    skip = skip or {}
    with transaction.atomic(savepoint=False):  # all or nothing with the caller's writes
        for kind in KINDS:
            ids = sorted(
                {pk for pk in wanted[kind.name] if pk is not None} - set(skip.get(kind.name, ()))
            )
            for start in range(0, len(ids), CHUNK):
                _refresh_chunk(kind, ids[start : start + CHUNK])
            if kind.name == "products":
                categories, suppliers = _owners_of_products(ids)
                wanted["categories"] |= categories
                wanted["suppliers"] |= suppliers
        refresh_days(set(days) | _days_of_orders(orders))


def _reviews_of(product_ids, order_ids, customer_ids) -> set:
    """The reviews whose "bought" a write to these products, orders and customers may move: of
    the customers named or placing these orders, on the products named or on these orders'
    lines (a deleted line names its product; a deleted order names its customer)."""
    from backoffice.models import Order, OrderItem, Review

    orders = sorted({pk for pk in order_ids if pk is not None})
    customers = {pk for pk in customer_ids if pk is not None}
    products = {pk for pk in product_ids if pk is not None}
    for start in range(0, len(orders), CHUNK):
        chunk = orders[start : start + CHUNK]
        customers.update(
            Order._base_manager.filter(pk__in=chunk).values_list("customer_id", flat=True)
        )
        products.update(
            OrderItem._base_manager.filter(order__in=chunk).values_list("product_id", flat=True)
        )
    if not customers or not products:
        return set()
    found = set()
    customers, products = sorted(customers), sorted(products)
    for start in range(0, len(customers), CHUNK):
        chunk = customers[start : start + CHUNK]
        reviews = Review._base_manager.filter(customer__in=chunk)
        if len(products) <= CHUNK:
            reviews = reviews.filter(product__in=products)
            found.update(reviews.values_list("pk", flat=True))
        else:  # too many products for one statement: filter them here
            wanted = set(products)
            found.update(
                pk for pk, product in reviews.values_list("pk", "product_id") if product in wanted
            )
    return found


def _owners_of_products(product_ids) -> tuple[set, set]:
    """The categories and suppliers of the (still existing) products (``product_owners``,
    the same question ``ProductQuerySet.update`` asks)."""
    from backoffice.models import Product
    from backoffice.querysets.catalog import product_owners

    categories, suppliers = set(), set()
    for start in range(0, len(product_ids), CHUNK):
        chunk = product_ids[start : start + CHUNK]
        for category, supplier in product_owners(Product._base_manager.filter(pk__in=chunk)):
            categories.add(category)
            suppliers.add(supplier)
    return categories, suppliers


def _days_of_orders(order_ids) -> set:
    """The UTC days the (still existing) orders were placed on."""
    from backoffice.models import Order

    ids = sorted({pk for pk in order_ids if pk is not None})
    days = set()
    for start in range(0, len(ids), CHUNK):
        dates = Order._base_manager.filter(pk__in=ids[start : start + CHUNK])
        days.update(utc_day(moment) for moment in dates.values_list("order_date", flat=True))
    return days


def _refresh_chunk(kind, ids) -> None:
    figures = kind.model._base_manager
    has_figures = Exists(figures.filter(pk=OuterRef("pk")))
    existing = dict(
        kind.source_model._base_manager.filter(pk__in=ids)
        .annotate(has_figures=has_figures)
        .values_list("pk", "has_figures")
    )
    if not existing:
        return
    missing = [kind.model(pk=pk) for pk, kept in existing.items() if not kept]
    if missing:
        figures.bulk_create(missing, ignore_conflicts=True)
    rows = figures.filter(pk__in=list(existing))
    if connection.features.has_select_for_update:
        list(rows.select_for_update().order_by("pk").values_list("pk", flat=True))
    rows.update(**kind.definitions())
