"""Sales per UTC day and status: the source definition of ``DaySales`` and the reads of it.

``DaySales`` keeps, per day and status, the orders' count, what they charged and what their
lines add up to (``backoffice.figures`` recomputes a day whenever one of its orders or lines
changes). Every figure adds up across days, so a question about "the orders placed in these
whole days" (the unfiltered order list, its date drill-down, the dashboard, the sales reports)
is a sum over at most a few thousand kept rows instead of a scan of every order.

``as_whole_days`` tells when a QuerySet of orders is exactly such a question, so
``OrderQuerySet.status_summary()`` and its date drill-down answer from the kept days by
themselves, and from the orders for any other filter: the answer is the same either way, only
the cost differs (tests compare both).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.apps import apps
from django.db import models
from django.db.models import Count, DateTimeField, Q, Sum
from django.db.models.expressions import Col
from django.db.models.functions import Cast, TruncDate
from django.db.models.lookups import Lookup
from django.db.models.sql.constants import INNER
from django.db.models.sql.where import AND
from django.utils import timezone

from backoffice.querysets.expressions import LINE_TOTAL, cents

DAY_SALES_FIGURES = ("order_count", "charged", "items_total", "units", "line_count")
DAY_CATEGORY_SALES_FIGURES = ("units", "revenue")
# DaySales figures recomputed per statement: days OR-ed into ranges of the order date.
DAYS_PER_STATEMENT = 200


def _model(name):
    return apps.get_model("backoffice", name)


def utc_day(moment: datetime | None) -> date | None:
    """The UTC calendar day of an order date (the day ``DaySales`` files it under)."""
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return moment.astimezone(UTC).date()


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _ranges(days) -> list[tuple[date, date]]:
    """Sorted days as [first, last] runs of consecutive days (one range each in SQL)."""
    runs: list[tuple[date, date]] = []
    for day in sorted(days):
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _placed_on(days, prefix: str = "") -> Q:
    """Orders (``prefix`` "order__" for their lines) placed on one of these UTC days."""
    condition = Q(pk__in=[])
    for first, last in _ranges(days):
        condition |= Q(
            **{
                f"{prefix}order_date__gte": day_start(first),
                f"{prefix}order_date__lt": day_start(last + timedelta(days=1)),
            }
        )
    return condition


def day_sales_from_source(days=None) -> dict[tuple[date, str], dict]:
    """The DaySales figures of these days (all days if None) computed from the orders and
    their lines: {(day, status): {order_count, charged, items_total, units}}. Two grouped
    queries; days without orders have no entry."""
    Order, OrderItem = _model("Order"), _model("OrderItem")
    orders = Order._base_manager.all()
    items = OrderItem._base_manager.all()
    if days is not None:
        orders = orders.filter(_placed_on(days))
        items = items.filter(_placed_on(days, prefix="order__"))
    figures: dict[tuple[date, str], dict] = {}
    per_order = (
        orders.annotate(day=TruncDate("order_date", tzinfo=UTC))
        .order_by()
        .values_list("day", "status")
        .annotate(order_count=Count("pk"), charged=Sum("total_amount"))
    )
    for day, status, order_count, charged in per_order:
        figures[(day, status)] = {
            "order_count": order_count,
            "charged": cents(charged or 0),
            "items_total": cents(0),
            "units": 0,
            "line_count": 0,
        }
    per_line = (
        items.annotate(day=TruncDate("order__order_date", tzinfo=UTC))
        .order_by()
        .values_list("day", "order__status")
        .annotate(items_total=Sum(LINE_TOTAL), units=Sum("quantity"), line_count=Count("pk"))
    )
    for day, status, items_total, units, line_count in per_line:
        figures[(day, status)].update(
            items_total=cents(items_total or 0), units=units or 0, line_count=line_count
        )
    return figures


def day_category_sales_from_source(days=None) -> dict[tuple[date, int], dict]:
    """The DayCategorySales figures of these days (all if None) from the counted order lines:
    {(day, category id): {units, revenue}}. One grouped query."""
    items = _model("OrderItem").objects.counted()  # the one rule of what counts as a sale
    if days is not None:
        items = items.filter(_placed_on(days, prefix="order__"))
    per_category = (
        items.annotate(day=TruncDate("order__order_date", tzinfo=UTC))
        .order_by()
        .values_list("day", "product__category")
        .annotate(units=Sum("quantity"), revenue=Sum(LINE_TOTAL))
    )
    return {
        (day, category): {"units": units, "revenue": cents(revenue or 0)}
        for day, category, units, revenue in per_category
    }


@dataclass(frozen=True)
class WholeDays:
    """ "Every order placed in [start, end) (UTC midnights or None: open), in these statuses
    (None: any)": the questions the kept day sales answer."""

    start: datetime | None = None
    end: datetime | None = None
    statuses: frozenset[str] | None = None

    def orders(self, orders):
        """These orders, out of an Order QuerySet without conditions."""
        orders = orders.placed_between(self.start, self.end)
        return orders if self.statuses is None else orders.filter(status__in=self.statuses)

    def day_sales(self):
        days = _model("DaySales").objects.placed_between(self.start, self.end)
        return days if self.statuses is None else days.filter(status__in=self.statuses)


def _order_alias(query, through: str | None) -> str | None:
    """The alias of the order table in ``query``: its base table (``through`` None), else the
    inner join along the foreign key ``through`` (an order line's ``order``), if joined."""
    # The first alias is the base table; ``query.base_table`` is not asked: it is cached, and
    # asked of a query without tables yet it would stay None for good.
    base_table = next(iter(query.alias_map), None)
    if through is None:
        return base_table
    for alias, join in query.alias_map.items():
        field = getattr(join, "join_field", None)
        if (
            getattr(join, "parent_alias", None) == base_table
            and join.join_type == INNER
            and getattr(field, "name", None) == through
            and field.model is query.model
        ):
            return alias
    return None


def as_whole_days(queryset, through: str | None = None) -> WholeDays | None:
    """The ``WholeDays`` that ``queryset`` (of orders) is exactly, else None. With ``through``
    (a foreign key to the order, as an order line's ``order``), a QuerySet of rows that are
    exactly every row of the orders of ``WholeDays``: conditions on the order only.

    Read off the query's WHERE clause: only AND-ed conditions on the order's own columns
    qualify: ``order_date`` compared with UTC midnights (what ``placed_between``, the date
    drill-down and the date range filter write) and ``status`` equal to or in given values
    (the status filter). Any other condition (a search, a join, an exclusion), a slice or
    DISTINCT means the orders must be read. Joins that only add columns (``select_related``,
    kept figures) do not change which orders there are and are ignored."""
    query = queryset.query
    if query.is_sliced or query.distinct or query.combinator or query.where.negated:
        return None
    if query.where.connector != AND and len(query.where.children) > 1:
        return None
    orders_alias = _order_alias(query, through)
    start = end = statuses = None
    for condition in query.where.children:
        if not (
            isinstance(condition, Lookup)
            and isinstance(condition.lhs, Col)
            and condition.lhs.alias == orders_alias
        ):
            return None
        field, lookup, rhs = condition.lhs.target.name, condition.lookup_name, condition.rhs
        if field == "status" and lookup in ("exact", "in"):
            values = frozenset([rhs] if lookup == "exact" else rhs)
            if not all(isinstance(value, str) for value in values):
                return None
            statuses = values if statuses is None else statuses & values
            continue
        if field != "order_date" or not isinstance(rhs, datetime) or timezone.is_naive(rhs):
            return None
        moment = rhs.astimezone(UTC)
        if lookup == "lte" and moment.time() == time.max:
            moment, lookup = moment + timedelta(microseconds=1), "lt"  # a day's last instant
        if moment.time() != time.min or lookup not in ("gte", "lt"):
            return None
        if lookup == "gte":
            start = moment if start is None else max(start, moment)
        else:
            end = moment if end is None else min(end, moment)
    return WholeDays(start, end, statuses)


@dataclass(frozen=True)
class StatusTotals:
    count: int
    charged: Decimal


class DaysQuerySet(models.QuerySet):
    """Rows kept per UTC ``day``."""

    def placed_between(self, start: datetime | None = None, end: datetime | None = None):
        """The days of [start, end): both bounds UTC midnights or None."""
        if start is not None:
            self = self.filter(day__gte=start.astimezone(UTC).date())
        if end is not None:
            self = self.filter(day__lt=end.astimezone(UTC).date())
        return self


class DaySalesQuerySet(DaysQuerySet):
    def per_status(self) -> dict[str, dict]:
        """{status: {"count", "charged", "items_total", "units"}} summed over these days, every
        status present (zero where none)."""
        statuses = [value for value, _ in self.model._meta.get_field("status").choices]
        sums = {
            status: {
                "count": count,
                "charged": cents(charged),
                "items": cents(items),
                "units": units,
            }
            for status, count, charged, items, units in self.order_by()
            .values_list("status")
            .annotate(Sum("order_count"), Sum("charged"), Sum("items_total"), Sum("units"))
        }
        empty = {"count": 0, "charged": cents(0), "items": cents(0), "units": 0}
        return {status: sums.get(status, empty) for status in statuses}

    def counted(self):
        """Days' rows of the orders that count as sales (docs/design.md: not cancelled)."""
        from backoffice.querysets.sales import UNCOUNTED_STATUS

        return self.exclude(status=UNCOUNTED_STATUS)

    def revenue(self) -> Decimal:
        """Revenue over these days: their counted orders' line totals (``REVENUE``'s
        definition, summed per day when the lines were written)."""
        return cents(self.counted().aggregate(total=Sum("items_total"))["total"] or 0)

    def per_period(self, truncated) -> list[dict]:
        """Counted sales per period (``truncated``: a Trunc… of "day"), oldest first:
        ``period``, ``order_count``, ``revenue``."""
        rows = (
            self.counted()
            .annotate(period=truncated)
            .order_by()
            .values("period")
            .annotate(order_count=Sum("order_count"), revenue=Sum("items_total"))
            .order_by("period")
        )
        return [{**row, "revenue": cents(row["revenue"] or 0)} for row in rows]

    def datetimes_of_orders(self, kind: str, order: str = "ASC"):
        """``Order.objects.datetimes("order_date", kind)`` for the orders of these days: the
        UTC year, month or day starts that have orders, as aware datetimes."""
        return (
            self.filter(order_count__gt=0)
            .annotate(order_date=Cast("day", DateTimeField()))
            .datetimes("order_date", kind, order=order, tzinfo=UTC)
        )


class DayCategorySalesQuerySet(DaysQuerySet):
    def revenue_by_category(self) -> list[tuple[str, Decimal]]:
        """(category name, revenue over these days) for every category, most revenue first
        (then by name); revenue is the counted lines' line totals."""
        sums = dict(self.order_by().values_list("category").annotate(total=Sum("revenue")))
        names = _model("Category").objects.order_by("name").values_list("pk", "name")
        revenue = [(name, cents(sums.get(pk) or 0)) for pk, name in names]
        return sorted(revenue, key=lambda pair: -pair[1])  # stable: names stay in order

    def category_names_per_period(self, truncated) -> dict:
        """{period: sorted names of the categories that sold in it} (``truncated``: a Trunc…
        of "day")."""
        names: dict = {}
        rows = (
            self.filter(units__gt=0)
            .annotate(period=truncated)
            .order_by()
            .values_list("period", "category__name")
            .distinct()
        )
        for period, name in rows:
            names.setdefault(period, []).append(name)
        return {period: sorted(found) for period, found in names.items()}
