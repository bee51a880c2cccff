"""Large id sets on PostgreSQL: the kept figures of tens of thousands of rows recomputed with
one statement per kind and chunk of ``SET_CHUNK`` ids, the ids passed as one array parameter.

``keeping._refresh_chunk`` runs one ORM ``UPDATE … SET figure = (correlated subquery)`` per
2,000 ids with an ``IN`` list of as many placeholders: at an import's size (hundreds of
thousands of orders) psycopg spends tens of microseconds per id parsing the list, and every
row is rewritten, changed or not. Here, per chunk:

- the figure rows missing are inserted (``INSERT … SELECT … ON CONFLICT DO NOTHING``);
- the chunk's figure rows are locked in id order (``SELECT … ORDER BY pk FOR UPDATE``), as the
  small path does: a writer that held them before us has committed, and the next statement
  sees its rows;
- one ``UPDATE … FROM (SELECT …)`` writes the figures computed from the source, only into the
  rows whose figures differ (an unchanged row costs no new tuple and no index entries).

The SELECT computes every figure the kind keeps. For products, orders and customers, whose
figures are aggregates over many source rows each, it is set-based: each source table is
grouped once over the chunk's ids (``_GROUPED``), the same aggregates ``backoffice.querysets``
defines per row; the other kinds (categories, suppliers, reviews: few rows, or one ``EXISTS``
each) select their source definitions (``kind.definitions()``) as they are. Both give exactly
what the definitions give: ``tests/figures/test_large_refresh.py`` compares them with the
recomputed truth (``rebuild.check``) on both paths.
"""

from django.db import connection
from django.db.models import Avg, Count, F, Max, Min, Q, Sum

from backoffice.querysets.expressions import LINE_TOTAL, REVENUE, EqualsAny, round_cents

SET_CHUNK = 20_000  # ids per statement


def refresh_set(kind, ids) -> None:
    """Recompute the figures of ``kind`` for these (sorted, distinct) ids, a chunk at a time."""
    for start in range(0, len(ids), SET_CHUNK):
        _refresh_set_chunk(kind, ids[start : start + SET_CHUNK])


def _refresh_set_chunk(kind, ids) -> None:
    quote = connection.ops.quote_name
    figures = kind.model
    table = quote(figures._meta.db_table)
    pk = quote(figures._meta.pk.column)
    source = kind.source_model
    source_table = quote(source._meta.db_table)
    source_pk = quote(source._meta.pk.column)
    with connection.cursor() as cursor:
        # the figure rows of the existing source rows, created where missing (with the
        # fields' defaults, as ``bulk_create`` gives them; the update below fills them)
        fields = [field for field in figures._meta.concrete_fields if not field.primary_key]
        defaults = ", ".join(f"CAST(%s AS {field.db_type(connection)})" for field in fields)
        cursor.execute(
            f"INSERT INTO {table} ({pk}, {', '.join(quote(f.column) for f in fields)}) "
            f"SELECT {source_pk}, {defaults} FROM {source_table} "
            f"WHERE {source_pk} = ANY(%s::bigint[]) ON CONFLICT DO NOTHING",
            [*(field.get_db_prep_save(field.get_default(), connection) for field in fields), ids],
        )
        # their locks, in id order (the recompute below is a new statement: it sees every
        # write committed by a writer that held them before us)
        cursor.execute(
            f"SELECT {pk} FROM {table} WHERE {pk} = ANY(%s::bigint[]) ORDER BY {pk} FOR UPDATE",
            [ids],
        )
        names, sql, params = _computed(kind, ids)
        columns = [figures._meta.get_field(name) for name in names]
        assignments = ", ".join(f"{quote(c.column)} = s.{quote(c.column)}" for c in columns)
        kept = ", ".join(f"f.{quote(c.column)}" for c in columns)
        computed = ", ".join(
            f"CAST(s.{quote(c.column)} AS {c.db_type(connection)})" for c in columns
        )
        aliases = ", ".join(quote(c.column) for c in columns)
        cursor.execute(
            f"UPDATE {table} AS f SET {assignments} "
            f"FROM ({sql}) AS s(source_pk, {aliases}) "
            f"WHERE f.{pk} = s.source_pk AND ({kept}) IS DISTINCT FROM ({computed})",
            params,
        )


def _computed(kind, ids):
    """(figure names, SQL, params): the source rows ``ids`` (those that exist), each with the
    figures computed from the source, in the order of the names after the id."""
    grouped = _GROUPED.get(kind.name)
    if grouped is not None:
        return _joined(kind.source_model, ids, *grouped(ids))
    definitions = kind.definitions()
    rows = (
        kind.source_model._base_manager.filter(EqualsAny(F("pk"), ids))
        .annotate(**{f"figure_{name}": expression for name, expression in definitions.items()})
        .order_by()
        .values_list("pk", *[f"figure_{name}" for name in definitions])
    )
    sql, params = rows.query.sql_with_params()
    return list(definitions), sql, params


def _joined(source, ids, groups: dict, figures: dict):
    """The source rows ``ids`` LEFT JOINed with each grouped QuerySet of ``groups`` (alias →
    ``values(key).annotate(…)``, joined on its key = the source's id; or alias → (QuerySet,
    its column names, the join condition)), selecting ``figures`` (name → SQL over the
    aliases' columns and ``src``, the source row)."""
    quote = connection.ops.quote_name
    pk = quote(source._meta.pk.column)
    joins, params = [], []
    for alias, grouped in groups.items():
        if isinstance(grouped, tuple):
            grouped, columns, condition = grouped
        else:
            columns = ["group_key", *grouped.query.annotation_select]
            condition = f"{alias}.group_key = src.{pk}"
        sql, group_params = grouped.query.sql_with_params()
        joins.append(f"LEFT JOIN ({sql}) AS {alias}({', '.join(columns)}) ON {condition}")
        params.extend(group_params)
    sql = (
        f"SELECT src.{pk}, {', '.join(figures.values())} "
        f"FROM {quote(source._meta.db_table)} AS src {' '.join(joins)} "
        f"WHERE src.{pk} = ANY(%s::bigint[])"
    )
    return list(figures), sql, [*params, ids]


def _by(queryset, key: str, ids, **aggregates):
    """``queryset``'s rows of these keys, grouped by the key, with these aggregates."""
    return queryset.filter(EqualsAny(F(key), ids)).order_by().values(key).annotate(**aggregates)


def _products(ids):
    """``product_figures``: review figures, tag count and counted sales, each source table
    grouped once by product."""
    from backoffice.models import OrderItem, Product, Review

    reviews = _by(
        Review.objects.all(),
        "product",
        ids,
        review_count=Count("pk"),
        avg_rating=Avg("rating"),
        rating_sum=Sum("rating"),
        min_rating=Min("rating"),
        max_rating=Max("rating"),
    )
    tags = _by(Product.tags.through.objects.all(), "product", ids, tag_count=Count("pk"))
    sales = _by(
        OrderItem.objects.counted(), "product", ids, units_sold=Sum("quantity"), revenue=REVENUE
    )
    return {"r": reviews, "t": tags, "s": sales}, {
        "review_count": "COALESCE(r.review_count, 0)",
        "avg_rating": "r.avg_rating",
        "min_rating": "r.min_rating",
        "max_rating": "r.max_rating",
        "rating_sum": "COALESCE(r.rating_sum, 0)",
        "tag_count": "COALESCE(t.tag_count, 0)",
        "units_sold": "COALESCE(s.units_sold, 0)",
        "revenue": "COALESCE(s.revenue, 0)",
    }


def _orders(ids):
    """``order_figures``: the lines grouped once by order, against the order's total."""
    from backoffice.models import OrderItem

    items = _by(
        OrderItem.objects.all(),
        "order",
        ids,
        items_total=round_cents(Sum(LINE_TOTAL)),
        item_count=Count("pk"),
    )
    from backoffice.querysets.sales import CHARGE_FIELDS

    items_total = "COALESCE(i.items_total, 0.00)"
    quote = connection.ops.quote_name
    charged = f"src.{quote('total_amount')}"
    shipping, tax, discount = (f"src.{quote(name)}" for name in CHARGE_FIELDS)
    # ``charged_for``: items + shipping + tax - discount, to the cent
    charged_for = f"ROUND({items_total} + {shipping} + {tax} - {discount}, 2)"
    return {"i": items}, {
        "items_total": items_total,
        "item_count": "COALESCE(i.item_count, 0)",
        # the definition's CASE: differs unless the charge equals what the items and the
        # charges come to (a NULL charge differs)
        "total_differs": f"CASE WHEN {charged} = {charged_for} THEN false ELSE true END",
    }


def _customers(ids):
    """``customer_figures``: the customers' orders grouped once per customer for the counted
    figures, once for the per-status ones, and the latest counted order's total."""
    from backoffice.models import Order
    from backoffice.querysets.sales import (
        LARGE_ORDER_TOTAL,
        UNCOUNTED_STATUS,
        order_statuses,
        status_count_field,
    )

    counted = _by(
        Order.objects.counted(),
        "customer",
        ids,
        order_count=Count("pk"),
        total_spent=round_cents(Sum("total_amount")),
        avg_order_value=round_cents(Avg("total_amount")),
        first_order_date=Min("order_date"),
        last_order_date=Max("order_date"),
        over_500=Count("pk", filter=Q(total_amount__gt=LARGE_ORDER_TOTAL)),
    )
    per_status = {}
    for status in order_statuses():
        per_status[f"count_{status}"] = Count("pk", filter=Q(status=status))
        per_status[f"charged_{status}"] = Sum("total_amount", filter=Q(status=status))
    statuses = _by(Order.objects.all(), "customer", ids, **per_status)
    # the latest counted order (by date, then id), one per customer
    latest = (
        Order.objects.counted()
        .filter(EqualsAny(F("customer"), ids))
        .order_by("customer", "-order_date", "-id")
        .distinct("customer")
        .values("customer")
        .annotate(latest_total=F("total_amount"))
    )
    figures = {
        "order_count": "COALESCE(c.order_count, 0)",
        "cancelled_order_count": f"COALESCE(p.count_{UNCOUNTED_STATUS}, 0)",
        "total_spent": "COALESCE(c.total_spent, 0.00)",
        "avg_order_value": "c.avg_order_value",
        "first_order_date": "c.first_order_date",
        "last_order_date": "c.last_order_date",
        "latest_order_total": "l.latest_total",
        "has_order_over_500": "COALESCE(c.over_500, 0) > 0",
    }
    for status in order_statuses():
        if status != UNCOUNTED_STATUS:
            figures[status_count_field(status)] = f"COALESCE(p.count_{status}, 0)"
        figures[f"{status}_charged"] = f"COALESCE(p.charged_{status}, 0.00)"
    return {"c": counted, "p": statuses, "l": latest}, figures


def _reviews(ids):
    """``review_kept_figures``: whether a counted line of the review's product is on an order
    of its customer: the (product, customer) pairs of the counted lines of these reviews'
    customers, once (the definition asks an ``EXISTS`` per review, through the review's id)."""
    from backoffice.models import OrderItem, Review

    customers = Review._base_manager.filter(EqualsAny(F("pk"), ids)).values("customer")
    pairs = (
        OrderItem.objects.counted()
        .filter(order__customer__in=customers)
        .order_by()
        .values_list("product", "order__customer")
        .distinct()
    )
    quote = connection.ops.quote_name
    product = quote(Review._meta.get_field("product").column)
    customer = quote(Review._meta.get_field("customer").column)
    on = f"b.product = src.{product} AND b.customer = src.{customer}"
    return {"b": (pairs, ["product", "customer"], on)}, {"bought": "b.product IS NOT NULL"}


# Set-based selects: each source table grouped once over a chunk's ids.
_GROUPED = {"products": _products, "orders": _orders, "customers": _customers, "reviews": _reviews}
