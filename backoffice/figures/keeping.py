"""Recompute the kept figures of given rows, in the caller's transaction."""

from datetime import UTC

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import TruncDate

from backoffice.figures.days import refresh_days
from backoffice.figures.kinds import KINDS
from backoffice.figures.sets import refresh_set
from backoffice.querysets.days import utc_day
from backoffice.querysets.expressions import EqualsAny

CHUNK = 2_000  # ids per statement: PostgreSQL and SQLite both take this many parameters
# From this many ids of a kind on, PostgreSQL recomputes them set-based (``backoffice.figures
# .sets``: arrays, not IN lists; unchanged rows not rewritten); below, one ORM update a chunk
# (a single save's few ids cost a few short statements, as they always did).
SET_BASED_FROM = 2_000


def _set_based(ids) -> bool:
    return len(ids) >= SET_BASED_FROM and connection.vendor == "postgresql"


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
            if _set_based(ids):
                refresh_set(kind, ids)
            else:
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
    if _set_based(orders) or _set_based(customers) or _set_based(products):
        return _reviews_of_set(orders, customers, products)
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


def _reviews_of_set(orders, customers, products) -> set:
    """``_reviews_of`` for large sets on PostgreSQL: each id set as one array parameter."""
    from backoffice.models import Order, OrderItem, Review

    if orders:
        placed = Order._base_manager.filter(EqualsAny(F("pk"), orders)).order_by()
        customers |= set(placed.values_list("customer_id", flat=True).distinct())
        lines = OrderItem._base_manager.filter(EqualsAny(F("order"), orders)).order_by()
        products |= set(lines.values_list("product_id", flat=True).distinct())
    if not customers or not products:
        return set()
    reviews = Review._base_manager.filter(
        EqualsAny(F("customer"), sorted(customers)), EqualsAny(F("product"), sorted(products))
    )
    return set(reviews.values_list("pk", flat=True))


def _owners_of_products(product_ids) -> tuple[set, set]:
    """The categories and suppliers of the (still existing) products (``product_owners``,
    the same question ``ProductQuerySet.update`` asks)."""
    from backoffice.models import Product
    from backoffice.querysets.catalog import product_owners

    categories, suppliers = set(), set()
    if _set_based(product_ids):
        products = Product._base_manager.filter(EqualsAny(F("pk"), list(product_ids)))
        pairs = product_owners(products)
        return {category for category, _ in pairs}, {supplier for _, supplier in pairs}
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
    if _set_based(ids):  # the days computed by PostgreSQL, each once
        orders = Order._base_manager.filter(EqualsAny(F("pk"), ids)).order_by()
        days = orders.annotate(day=TruncDate("order_date", tzinfo=UTC))
        return set(days.values_list("day", flat=True).distinct())
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
