"""Sales queries: orders, order items and customers.

Every per-row aggregate here is a correlated ``Subquery`` (or ``Exists``) rather than a join:
joining two reverse relations in one aggregate multiplies rows (see docs/seed-errata.md, E09),
and a join would also make the admin's ``COUNT(*)`` walk every order line.

Money sums that SQL compares are rounded to cents in SQL (``round_cents``). What counts as a
sale is defined once, here: ``OrderQuerySet.counted()`` and ``OrderItemQuerySet.counted()``.
"""

from datetime import UTC, timedelta
from decimal import Decimal

from django.apps import apps
from django.db import models
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.expressions import Col
from django.db.models.functions import Coalesce, Lag, Lead
from django.db.models.lookups import Exact, In
from django.db.models.sql.query import Query
from django.utils import timezone

from backoffice.figures.tracking import KeptFiguresQuerySet, touched, value
from backoffice.querysets.days import as_whole_days, utc_day
from backoffice.querysets.expressions import (
    LINE_TOTAL,
    MONEY,
    REVENUE,
    ZERO_MONEY,
    EqualsAny,
    cents,
    fetched_ids,
    kept_figures,
    round_cents,
    scalar_subquery,
)

# docs/design.md: an order counts (revenue, units sold, spending, every figure but the per-status
# counts) unless it is cancelled. The status is spelled here because the models import this
# module; every other place asks ``counted()`` (or, raw SQL, takes UNCOUNTED_STATUS as a
# parameter).
CANCELLED = "cancelled"  # OrderStatus.CANCELLED
UNCOUNTED_STATUS = CANCELLED
_COUNTED_ORDER = ~Q(status=UNCOUNTED_STATUS)
_COUNTED_ITEM = ~Q(order__status=UNCOUNTED_STATUS)

# Customer segments by total spent (cancelled orders excluded), highest first. Reports and the
# customer admin use these; docs/customer-segments.md explains them.
SEGMENT_VIP = "VIP"
SEGMENT_PREMIUM = "Premium"
SEGMENT_HIGH_VALUE = "High Value"
SEGMENT_REGULAR = "Regular"
SEGMENT_THRESHOLDS: tuple[tuple[Decimal, str], ...] = (
    (Decimal("1500.00"), SEGMENT_VIP),
    (Decimal("1000.00"), SEGMENT_PREMIUM),
    (Decimal("500.00"), SEGMENT_HIGH_VALUE),
)
SEGMENTS = tuple(label for _, label in SEGMENT_THRESHOLDS) + (SEGMENT_REGULAR,)
# "Has an order above $500" (the guide's Exists example): strictly more than this total.
LARGE_ORDER_TOTAL = Decimal("500.00")
# "No order in the last N days" (the guide's inactive customers).
INACTIVE_AFTER_DAYS = 90


def segment_for(total_spent: Decimal) -> str:
    """The segment label for a spending total: the Python twin of the SQL ``segment``."""
    for threshold, label in SEGMENT_THRESHOLDS:
        if total_spent >= threshold:
            return label
    return SEGMENT_REGULAR


def _model(name):
    # The models import this module, so models are looked up when a method runs.
    return apps.get_model("backoffice", name)


# The figures ``OrderQuerySet.with_item_totals()`` makes: the order list, its export and tests.
ORDER_FIGURES = ("items_total", "item_count", "total_differs")
# The keys of ``OrderQuerySet.status_summary()``; "by_status" maps each status to its
# {"count", "charged"}.
STATUS_SUMMARY_FIGURES = (
    "total_orders",
    "counted_orders",
    "charged",
    "cancelled_orders",
    "cancelled_amount",
    "by_status",
)


# What an order adds to its items and takes off them (docs/design.md, "Charged amount").
CHARGE_FIELDS = ("shipping_amount", "tax_amount", "discount_amount")


def charged_for(items_total):
    """What an order is charged for items worth ``items_total`` (an expression over the
    order's row): items + shipping + tax − discount, rounded to the cent in SQL, so that SQL
    compares it with the total charged to the cent. The one definition: the differs flag (kept
    and computed), the recalculation action and the order page use it; ``Order.charged_for``
    is its Python twin (a test holds them equal)."""
    shipping, tax, discount = (F(name) for name in CHARGE_FIELDS)
    return round_cents(
        models.ExpressionWrapper(items_total + shipping + tax - discount, output_field=MONEY)
    )


def order_figures() -> dict:
    """ORDER_FIGURES of an order from its lines, correlated on ``OuterRef("pk")``: an
    order's id, or its kept figures' (``OrderFigures`` shares the order's id)."""
    Order, OrderItem = _model("Order"), _model("OrderItem")
    items = OrderItem.objects.filter(order=OuterRef("pk"))

    def items_total():  # of the order ``OuterRef("pk")`` names
        return Coalesce(
            scalar_subquery(items, "order", round_cents(Sum(LINE_TOTAL)), MONEY),
            ZERO_MONEY,
            output_field=MONEY,
        )

    # Does the total charged equal what the items and charges come to? Asked of the order's
    # own row (its charges are its columns), its items total correlated on it: one subquery,
    # whether ``OuterRef("pk")`` is an order or its kept figures.
    this_order = Order.objects.filter(pk=OuterRef("pk"))
    differs = Case(
        When(Q(Exact(F("total_amount"), charged_for(items_total()))), then=Value(False)),
        default=Value(True),
        output_field=models.BooleanField(),
    )
    return {
        "items_total": items_total(),
        "item_count": Coalesce(
            scalar_subquery(items, "order", Count("pk"), models.IntegerField()), 0
        ),
        "total_differs": Subquery(
            this_order.annotate(differs=differs).values("differs")[:1],
            output_field=models.BooleanField(),
        ),
    }


def _first_and_last(aggregates: dict):
    """({name: "min" | "max"}, field) when ``aggregates`` are only Min and Max of one plain
    field, else None."""
    names, fields = {}, set()
    for name, aggregate in aggregates.items():
        kind = {Min: "min", Max: "max"}.get(type(aggregate))
        expressions = list(aggregate.source_expressions) if kind else []
        if len(expressions) != 1 or not isinstance(expressions[0], F) or aggregate.filter:
            return None
        names[name] = kind
        fields.add(expressions[0].name)
    return (names, fields.pop()) if len(fields) == 1 else None


def _shop_years():
    """The kept day sales with orders: the years the shop has orders in, for
    ``.datetimes_of_orders("year")`` (a few hundred rows, not the orders)."""
    return _model("DaySales").objects.filter(order_count__gt=0)


def _customers_of(orders):
    """The customers' ids (a subquery) when ``orders`` are exactly every order of some
    customers (one condition, ``customer IN (…)``: the order list's customer segment), else
    None."""
    query = orders.query
    if query.is_sliced or query.distinct or query.combinator or query.where.negated:
        return None
    if len(query.where.children) != 1:
        return None
    condition = query.where.children[0]
    if (
        isinstance(condition, In)
        and isinstance(condition.lhs, Col)
        and condition.lhs.alias == next(iter(query.alias_map), None)
        and condition.lhs.target.name == "customer"
        and isinstance(condition.rhs, Query)
    ):
        return condition.rhs
    return None


def _customer_status_sums(customers) -> dict:
    """{status: {"count", "charged"}} of every order of these customers, from their kept
    figures: a sum over a segment's customers instead of a pass over their orders."""
    sums = {}
    for status in order_statuses():
        sums[f"count_{status}"] = Coalesce(Sum(status_count_field(status)), 0)
        sums[f"charged_{status}"] = Coalesce(
            Sum(f"{status}_charged"), ZERO_MONEY, output_field=MONEY
        )
    totals = _model("CustomerFigures").objects.filter(customer__in=customers).aggregate(**sums)
    return {
        status: {"count": totals[f"count_{status}"], "charged": totals[f"charged_{status}"]}
        for status in order_statuses()
    }


class OrderQuerySet(KeptFiguresQuerySet):
    figure_key_fields = ("pk", "customer_id", "order_date")

    def figure_keys(self, rows) -> dict:
        """An order moves its own figures (the total charged against its lines), its
        customer's and its day's sales (read before and after an ``update``: a new date leaves
        the old day); its status also moves its lines' products (``update`` adds those)."""
        rows = list(rows)
        return {
            "orders": {value(row, "pk") for row in rows},
            "customers": {value(row, "customer_id") for row in rows},
            "days": {utc_day(value(row, "order_date")) for row in rows},
        }

    def update(self, **kwargs):
        products = set()
        if "status" in kwargs:  # counted or not: the lines' products move too
            items = _model("OrderItem")._base_manager.filter(order__in=self.values("pk"))
            products = set(items.values_list("product_id", flat=True))
        count = super().update(**kwargs)
        touched(products=products)  # after the write: outside collecting() it recomputes now
        return count

    def counted(self):
        """Orders that count as sales (docs/design.md): every order that is not cancelled."""
        return self.filter(_COUNTED_ORDER)

    def cancelled(self):
        """Orders that do not count as sales: the cancelled ones."""
        return self.filter(status=UNCOUNTED_STATUS)

    def placed_between(self, start=None, end=None):
        """Orders placed in [start, end); either bound may be None (open)."""
        if start:
            self = self.filter(order_date__gte=start)
        if end:
            self = self.filter(order_date__lt=end)
        return self

    def with_items_total(self):
        """Annotate ``items_total``: the sum of quantity × unit price of the order's lines, to
        the cent (0.00 without lines), as ``OrderFigures`` keeps it (``order_figures``)."""
        return self.annotate(items_total=F("kept_figures__items_total"))

    def with_item_totals(self):
        """Annotate ORDER_FIGURES: ``items_total``, ``item_count`` (lines) and
        ``total_differs`` (true when the total charged is not what the items and charges come
        to, ``charged_for``), kept."""
        return self.annotate(**kept_figures("OrderFigures"))

    def with_charge_for_items(self):
        """Annotate ``charge_for_items``: what the kept items total and the order's charges
        come to (``charged_for``), what the total charged should be."""
        return self.annotate(charge_for_items=charged_for(F("kept_figures__items_total")))

    def with_line_figures(self):
        """ORDER_FIGURES computed from the lines (``order_figures``), and ``charge_for_items``
        from them, for writers: the kept ones are recomputed only when the write's
        ``collecting()`` block ends."""
        figures = order_figures()
        return self.annotate(**figures).annotate(charge_for_items=charged_for(F("items_total")))

    def with_customer_neighbours(self):
        """Annotate ``prev_order_total`` / ``next_order_total``: the same customer's order before
        and after this one (by order date, then id), via ``Lag``/``Lead``.

        A window annotated on this queryset would be computed over the rows left after the
        admin's filters (a status filter would make "previous" mean "previous delivered"). So the
        window runs in a subquery over all of the customer's orders. The subquery then keeps this
        order's row by filtering on ``row_id``, the row's own id computed as a window: Django
        applies a filter that mentions a window after the windows are computed (in an outer
        query), whereas ``filter(pk=...)`` would shrink the window to one row. The value is the
        true neighbour however the list is filtered or paginated.
        """
        Order = self.model

        def neighbour(function):
            customer_orders = Order.objects.filter(customer_id=OuterRef("customer_id")).order_by()
            return Subquery(
                customer_orders.annotate(
                    value=Window(
                        function("total_amount"),
                        partition_by=[F("customer_id")],
                        order_by=[F("order_date").asc(), F("id").asc()],
                    ),
                    row_id=Window(Max("pk"), partition_by=[F("pk")]),
                )
                .filter(row_id=OuterRef("pk"))
                .values("value"),
                output_field=MONEY,
            )

        return self.annotate(prev_order_total=neighbour(Lag), next_order_total=neighbour(Lead))

    def for_list(self):
        """Everything the order list shows, in one query per page."""
        return self.select_related("customer__user").with_item_totals().with_customer_neighbours()

    def containing_product(self, product_id):
        """Orders with a line of this product (``Exists``: no duplicate orders)."""
        items = _model("OrderItem").objects.filter(order=OuterRef("pk"), product_id=product_id)
        return self.filter(Exists(items))

    def containing_category(self, category_id):
        """Orders with a line of a product of this category. On PostgreSQL their ids are read
        once from the lines' (product, order) index and passed on as one array (a small
        category's orders are few and far between: the list walked by date for a page of them,
        in each of its queries); else, and for a category of very many lines, ``EXISTS``."""
        lines = _model("OrderItem").objects.filter(product__category_id=category_id)
        ids = fetched_ids(lines.order_by().values_list("order_id", flat=True), self.db)
        if ids is not None:
            return self.filter(EqualsAny(F("pk"), ids))
        items = _model("OrderItem").objects.filter(
            order=OuterRef("pk"), product__category_id=category_id
        )
        return self.filter(Exists(items))

    def of_segment(self, segment):
        """Orders of customers currently in this segment."""
        return self.filter(customer__in=_model("Customer").objects.in_segment(segment).values("pk"))

    def status_summary(self) -> dict:
        """Counts and money per status in one query (the guide's conditional aggregation).

        STATUS_SUMMARY_FIGURES: ``total_orders``; ``counted_orders`` and ``charged`` (what
        customers were charged) over the orders that count; ``cancelled_orders`` and
        ``cancelled_amount`` over those that do not; ``by_status``: {status: {"count",
        "charged"}} for every status, in the order of the choices. When these orders are
        exactly those of whole UTC days (the unfiltered list, a date range, a status), the kept
        ``DaySales`` answer it (``backoffice.querysets.days``); otherwise the orders do.
        """
        days = as_whole_days(self)
        if days is not None:
            kept = days.day_sales().per_status()
            by_status = {
                status: {"count": sums["count"], "charged": sums["charged"]}
                for status, sums in kept.items()
            }
        else:
            by_status = self._status_sums()
        uncounted = by_status[UNCOUNTED_STATUS]
        total_orders = sum(sums["count"] for sums in by_status.values())
        return {
            "total_orders": total_orders,
            "counted_orders": total_orders - uncounted["count"],
            "charged": cents(
                sum(
                    (
                        sums["charged"]
                        for status, sums in by_status.items()
                        if status != UNCOUNTED_STATUS
                    ),
                    Decimal(0),
                )
            ),
            "cancelled_orders": uncounted["count"],
            "cancelled_amount": uncounted["charged"],
            "by_status": by_status,
        }

    def _status_sums(self) -> dict:
        """{status: {"count", "charged"}} over these orders, one conditional aggregate, kept on
        this QuerySet: the list counts its orders (``count``) and sums them (the status
        summary) through the same object, and each is a pass over every matching order. The
        orders of a set of customers (a segment) add up those customers' kept figures."""
        if getattr(self, "_status_sums_cache", None) is not None:
            return self._status_sums_cache
        customers = _customers_of(self)
        if customers is not None:
            self._status_sums_cache = _customer_status_sums(customers)
            return self._status_sums_cache
        statuses = order_statuses()
        per_status = {}
        for i, status in enumerate(statuses):
            per_status[f"count_{i}"] = Count("pk", filter=Q(status=status))
            per_status[f"charged_{i}"] = Coalesce(
                Sum("total_amount", filter=Q(status=status)), ZERO_MONEY, output_field=MONEY
            )
        # The date drill-down's questions of the same orders, in the same pass: the first and
        # last order date and which of the shop's years hold one (``_first_and_last`` and
        # ``_years_with_orders`` then ask nothing; each was another pass over these orders).
        shop_years = list(_shop_years().datetimes_of_orders("year"))
        per_status["first"], per_status["last"] = Min("order_date"), Max("order_date")
        for start in shop_years:
            in_year = Q(order_date__gte=start, order_date__lt=start.replace(year=start.year + 1))
            per_status[f"year_{start.year}"] = Count("pk", filter=in_year)
        totals = super(OrderQuerySet, self.order_by()).aggregate(**per_status)
        self._order_date_ends = (totals["first"], totals["last"])
        self._order_date_years = {s.year for s in shop_years if totals[f"year_{s.year}"]}
        self._status_sums_cache = {
            status: {"count": totals[f"count_{i}"], "charged": totals[f"charged_{i}"]}
            for i, status in enumerate(statuses)
        }
        return self._status_sums_cache

    def count(self):
        """The orders of whole UTC days (and statuses) are counted from the kept day sales:
        the filtered order list's exact count without a scan of, say, a year of orders. Other
        orders are counted with their status sums (``_status_sums``), which the list's status
        summary then reads again for free: one pass over them, not two."""
        if self._result_cache is not None:
            return super().count()
        days = as_whole_days(self)
        if days is None:
            if self.query.is_sliced or self.query.distinct or self.query.combinator:
                return super().count()
            return sum(sums["count"] for sums in self._status_sums().values())
        return days.day_sales().aggregate(orders=Coalesce(Sum("order_count"), 0))["orders"]

    def aggregate(self, *args, **kwargs):
        """Over the orders of whole UTC days, aggregates are taken from those orders alone.

        The date drill-down asks the order list's QuerySet for MIN and MAX of the order date;
        the list's columns join the kept figures, and over a join PostgreSQL scans every order
        where one table alone reads two index entries. When ``as_whole_days`` says the
        orders are exactly those of a date range (and statuses), the joins add no condition,
        so the same aggregate over those orders alone is the same answer."""
        days = as_whole_days(self)
        joined = self.query.alias_map.keys() - {self.query.base_table}
        if days is not None and (self.query.annotations or joined):
            orders = days.orders(type(self)(self.model, using=self.db))
            return orders.aggregate(*args, **kwargs)
        ends = _first_and_last(kwargs) if not args else None
        if days is None and ends is not None:
            return self._first_and_last(*ends)
        return super().aggregate(*args, **kwargs)

    def _first_and_last(self, names, field_name):
        """``aggregate(first=Min(field), last=Max(field))`` (the date drill-down's question) as
        the first row each way: PostgreSQL answers MIN and MAX by reading an index's two ends
        only for a plain table, and over a semi-join (a customer segment, a category) it read
        every matching order; ordered by the indexed column it stops at the first match."""
        known = getattr(self, "_order_date_ends", None)
        if field_name == "order_date" and known is not None:  # asked with the status sums
            return {name: known[0 if how == "min" else 1] for name, how in names.items()}
        rows = self.order_by().values_list(field_name, flat=True)
        found = {
            name: rows.filter(**{f"{field_name}__isnull": False})
            .order_by(F(field_name).desc() if how == "max" else F(field_name).asc())
            .first()
            for name, how in names.items()
        }
        ends = {how: found[name] for name, how in names.items()}
        if field_name == "order_date" and set(ends) == {"min", "max"}:
            # the drill-down asks its years next, of this same QuerySet (``_years_with_orders``)
            self._order_date_ends = (ends["min"], ends["max"])
        return found

    def datetimes(self, field_name, kind, order="ASC", tzinfo=None):
        """The date drill-down's years, months or days: from the kept ``DaySales`` when these
        orders are those of whole UTC days (Django's own query reads every order)."""
        days = as_whole_days(self)
        if (
            field_name == "order_date"
            and kind in ("year", "month", "day")
            and days is not None
            and tzinfo in (None, UTC)
            and timezone.get_current_timezone_name() == "UTC"
        ):
            return days.day_sales().datetimes_of_orders(kind, order)
        if (
            field_name == "order_date"
            and kind == "year"
            and tzinfo in (None, UTC)
            and timezone.get_current_timezone_name() == "UTC"
        ):
            return self._years_with_orders(order)
        return super().datetimes(field_name, kind, order=order, tzinfo=tzinfo)

    def _years_with_orders(self, order: str = "ASC") -> list:
        """The drill-down's years for any other list (a segment, a category, a search): the
        years the shop has orders in (the kept day sales, a few rows), each kept if one of
        these orders lies in it: one index probe a year instead of a DISTINCT over every
        matching order (half a second for the VIP customers' 880,000)."""
        shop_years = _shop_years()
        years_held = getattr(self, "_order_date_years", None)
        if years_held is not None:  # asked with the status sums (``_status_sums``)
            return [
                start
                for start in shop_years.datetimes_of_orders("year", order)
                if start.year in years_held
            ]
        # The first and last order's years have orders, and none lie outside them: known if
        # the drill-down asked this QuerySet for them just before (``_first_and_last``).
        first, last = getattr(self, "_order_date_ends", (None, None))
        known = {moment.astimezone(UTC).year for moment in (first, last) if moment is not None}
        years = []
        for start in shop_years.datetimes_of_orders("year", order):
            end = start.replace(year=start.year + 1)
            if known and not (min(known) <= start.year <= max(known)):
                continue
            if start.year in known or (
                self.filter(order_date__gte=start, order_date__lt=end).exists()
            ):
                years.append(start)
        return years


class OrderItemQuerySet(KeptFiguresQuerySet):
    figure_key_fields = ("product_id", "order_id")

    def figure_keys(self, rows) -> dict:
        """An order line moves its product's sales figures and its order's line totals."""
        rows = list(rows)
        return {
            "products": {value(row, "product_id") for row in rows},
            "orders": {value(row, "order_id") for row in rows},
        }

    def count(self):
        """The lines of the orders of whole UTC days (and statuses), with no condition on the
        lines themselves, are counted from the kept day sales: the order-line list filtered by
        order date or status gets its exact count without a scan of a million lines."""
        if self._result_cache is not None:
            return super().count()
        days = as_whole_days(self, through="order")
        if days is None:
            return super().count()
        return days.day_sales().aggregate(lines=Coalesce(Sum("line_count"), 0))["lines"]

    def counted(self):
        """Order items that count as sales (docs/design.md): items of orders that are not cancelled."""
        return self.filter(_COUNTED_ITEM)

    def revenue(self) -> Decimal:
        """The shop's revenue over these items: the line amounts of the counted ones, to the
        cent (0.00 if none). One aggregate query."""
        return cents(self.counted().aggregate(total=REVENUE)["total"])

    def with_line_details(self):
        """Annotate ``line_amount`` (quantity x unit price), ``current_price`` (today's product price) and
        ``price_drift`` (today's price minus the price paid)."""
        return self.select_related("order", "product__category").annotate(
            line_amount=LINE_TOTAL,
            current_price=F("product__price"),
            price_drift=models.ExpressionWrapper(
                F("product__price") - F("price"), output_field=MONEY
            ),
        )


# The figures of ``CustomerQuerySet.with_order_stats()`` that the customer list shows and its
# export writes (``cancelled_order_count`` only serves the "only cancelled" filter).
CUSTOMER_FIGURES = (
    "order_count",
    "total_spent",
    "avg_order_value",
    "first_order_date",
    "last_order_date",
    "latest_order_total",
    "has_order_over_500",
    "segment",
)


def order_statuses() -> list[str]:
    """The order statuses, in the order of their choices."""
    return [value for value, _ in _model("Order")._meta.get_field("status").choices]


def status_count_field(status: str) -> str:
    """The ``CustomerFigures`` column of a customer's orders in this status."""
    return "cancelled_order_count" if status == UNCOUNTED_STATUS else f"{status}_count"


def customer_status_figures(orders) -> dict:
    """A customer's orders per status, counted and charged (``orders``: theirs)."""
    figures = {}
    for status in order_statuses():
        in_status = orders.filter(status=status)
        if status != UNCOUNTED_STATUS:  # the cancelled count is a figure of its own
            figures[status_count_field(status)] = Coalesce(
                scalar_subquery(in_status, "customer", Count("pk"), models.IntegerField()), 0
            )
        figures[f"{status}_charged"] = Coalesce(
            scalar_subquery(in_status, "customer", Sum("total_amount"), MONEY),
            ZERO_MONEY,
            output_field=MONEY,
        )
    return figures


def customer_figures() -> dict:
    """The figures ``CustomerFigures`` keeps, of a customer from their orders, correlated on
    ``OuterRef("pk")``: a customer's id, or their kept figures' (same id)."""
    orders = _model("Order").objects.filter(customer=OuterRef("pk"))
    counted = orders.counted()
    return {
        "order_count": Coalesce(
            scalar_subquery(counted, "customer", Count("pk"), models.IntegerField()), 0
        ),
        "cancelled_order_count": Coalesce(
            scalar_subquery(orders.cancelled(), "customer", Count("pk"), models.IntegerField()),
            0,
        ),
        "total_spent": Coalesce(
            scalar_subquery(counted, "customer", round_cents(Sum("total_amount")), MONEY),
            ZERO_MONEY,
            output_field=MONEY,
        ),
        "avg_order_value": scalar_subquery(
            counted, "customer", round_cents(Avg("total_amount")), MONEY
        ),
        "first_order_date": scalar_subquery(
            counted, "customer", Min("order_date"), models.DateTimeField()
        ),
        "last_order_date": scalar_subquery(
            counted, "customer", Max("order_date"), models.DateTimeField()
        ),
        "latest_order_total": Subquery(
            counted.order_by("-order_date", "-id").values("total_amount")[:1],
            output_field=MONEY,
        ),
        **customer_status_figures(orders),
        "has_order_over_500": Exists(counted.filter(total_amount__gt=LARGE_ORDER_TOTAL)),
    }


def _segment(total_spent: str) -> Case:
    """The segment label of the amount ``total_spent`` names (SEGMENT_THRESHOLDS)."""
    return Case(
        *[
            When(**{f"{total_spent}__gte": threshold}, then=Value(label))
            for threshold, label in SEGMENT_THRESHOLDS
        ],
        default=Value(SEGMENT_REGULAR),
        output_field=models.CharField(),
    )


class CustomerQuerySet(KeptFiguresQuerySet):
    figures_follow_updates = False

    def figure_keys(self, rows) -> dict:
        """A new customer gets their figures row (``backoffice.figures``)."""
        return {"customers": {value(row, "pk") for row in rows}}

    def with_order_stats(self):
        """Annotate the customer list's figures, as ``CustomerFigures`` keeps them (cancelled
        orders count in none): ``order_count``, ``total_spent``, ``avg_order_value``,
        ``first_order_date``, ``last_order_date``, ``latest_order_total``,
        ``has_order_over_500``, ``cancelled_order_count``, and ``segment`` from the total
        spent. See docs/customer-segments.md; ``customer_figures`` computes them."""
        return self.annotate(**kept_figures("CustomerFigures")).annotate(
            segment=_segment("total_spent")
        )

    def in_segment(self, segment: str):
        """Customers in this segment, as a range of their kept total spent (an index range;
        the thresholds of the segment column, SEGMENT_THRESHOLDS)."""
        floors = dict((label, threshold) for threshold, label in SEGMENT_THRESHOLDS)
        higher = [threshold for threshold, label in SEGMENT_THRESHOLDS if label != segment]
        condition = Q()
        if segment in floors:
            condition &= Q(kept_figures__total_spent__gte=floors[segment])
        ceilings = [t for t in higher if segment not in floors or t > floors[segment]]
        if ceilings:
            condition &= Q(kept_figures__total_spent__lt=min(ceilings))
        return self.filter(condition)

    def with_orders(self):
        """Customers with at least one order that is not cancelled (kept order count)."""
        return self.filter(kept_figures__order_count__gt=0)

    def without_orders(self):
        """Customers who never ordered, or whose every order was cancelled."""
        return self.filter(kept_figures__order_count=0)

    def inactive(self, days=INACTIVE_AFTER_DAYS, now=None):
        """Customers with no (non-cancelled) order in the last ``days`` days: their kept last
        order is older, or there is none."""
        since = (now or timezone.now()) - timedelta(days=days)
        return self.filter(
            Q(kept_figures__last_order_date__lt=since)
            | Q(kept_figures__last_order_date__isnull=True)
        )
