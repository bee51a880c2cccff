"""Sales queries: orders, order items and customers.

Every per-row aggregate here is a correlated ``Subquery`` (or ``Exists``) rather than a join:
joining two reverse relations in one aggregate multiplies rows (see docs/seed-errata.md, E09),
and a join would also make the admin's ``COUNT(*)`` walk every order line.

Money sums are rounded to cents in SQL. On PostgreSQL that only fixes the scale; on SQLite,
which stores decimals as floating point, it is what makes "total charged = items total" compare
equal when the cents agree.
"""

from datetime import timedelta
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
from django.db.models.functions import Coalesce, Lag, Lead, Round
from django.utils import timezone

CANCELLED = "cancelled"  # OrderStatus.CANCELLED; the models module imports this one

CENT = Decimal("0.01")


class MoneyField(models.DecimalField):
    """The output field of computed amounts: always two decimals.

    SQLite hands computed decimals back as floats, which Django turns into ``1399.96000000000``
    for anything that isn't a plain column; rounding to the cent gives ``1399.96`` everywhere.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        return None if value is None else Decimal(value).quantize(CENT)


MONEY = MoneyField()
ZERO = Value(Decimal("0.00"), output_field=MONEY)

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


def _aggregate_subquery(queryset, group_field, expression, output_field):
    """``expression`` aggregated over ``queryset`` (already correlated) as one scalar subquery."""
    return Subquery(
        queryset.order_by().values(group_field).annotate(value=expression).values("value"),
        output_field=output_field,
    )


class OrderQuerySet(models.QuerySet):
    def with_item_totals(self):
        """Annotate ``items_total``, ``item_count`` (lines) and ``total_differs``.

        ``items_total`` is the sum of quantity x unit price of the order's lines (0.00 without
        lines); ``total_differs`` is true when the total charged is not that sum.
        """
        items = _model("OrderItem").objects.filter(order=OuterRef("pk"))
        return self.annotate(
            items_total=Coalesce(
                _aggregate_subquery(
                    items, "order", Round(Sum(F("quantity") * F("price")), 2), MONEY
                ),
                ZERO,
                output_field=MONEY,
            ),
            item_count=Coalesce(
                _aggregate_subquery(items, "order", Count("pk"), models.IntegerField()), 0
            ),
        ).annotate(
            total_differs=Case(
                When(total_amount=F("items_total"), then=Value(False)),
                default=Value(True),
                output_field=models.BooleanField(),
            )
        )

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
        """Orders with a line of a product of this category."""
        items = _model("OrderItem").objects.filter(
            order=OuterRef("pk"), product__category_id=category_id
        )
        return self.filter(Exists(items))

    def of_segment(self, segment):
        """Orders of customers currently in this segment."""
        customers = _model("Customer").objects.with_order_stats().filter(segment=segment)
        return self.filter(customer__in=customers.values("pk"))

    def status_summary(self):
        """Counts and money per status in one query (the guide's conditional aggregation).

        ``charged`` is what customers were charged for orders that are not cancelled.
        """
        statuses = [value for value, _ in self.model._meta.get_field("status").choices]
        counts = {status: Count("pk", filter=Q(status=status)) for status in statuses}
        return self.order_by().aggregate(
            total_orders=Count("pk"),
            **counts,
            charged=Coalesce(
                Sum("total_amount", filter=~Q(status=CANCELLED)), ZERO, output_field=MONEY
            ),
            cancelled_amount=Coalesce(
                Sum("total_amount", filter=Q(status=CANCELLED)), ZERO, output_field=MONEY
            ),
        )


class OrderItemQuerySet(models.QuerySet):
    def with_line_details(self):
        """Annotate ``line_amount`` (quantity x unit price), ``current_price`` (today's product price) and
        ``price_drift`` (today's price minus the price paid)."""
        return self.select_related("order", "product__category").annotate(
            line_amount=models.ExpressionWrapper(F("quantity") * F("price"), output_field=MONEY),
            current_price=F("product__price"),
            price_drift=models.ExpressionWrapper(
                F("product__price") - F("price"), output_field=MONEY
            ),
        )


class CustomerQuerySet(models.QuerySet):
    def with_order_stats(self):
        """Annotate the customer list's figures; cancelled orders count in none of them.

        ``order_count``, ``total_spent``, ``avg_order_value``, ``first_order_date``,
        ``last_order_date``, ``latest_order_total`` (Subquery), ``has_order_over_500`` (Exists),
        ``cancelled_order_count`` and ``segment``. See docs/customer-segments.md.
        """
        Order = _model("Order")
        orders = Order.objects.filter(customer=OuterRef("pk"))
        counted = orders.exclude(status=CANCELLED)
        return self.annotate(
            order_count=Coalesce(
                _aggregate_subquery(counted, "customer", Count("pk"), models.IntegerField()), 0
            ),
            cancelled_order_count=Coalesce(
                _aggregate_subquery(
                    orders.filter(status=CANCELLED),
                    "customer",
                    Count("pk"),
                    models.IntegerField(),
                ),
                0,
            ),
            total_spent=Coalesce(
                _aggregate_subquery(counted, "customer", Round(Sum("total_amount"), 2), MONEY),
                ZERO,
                output_field=MONEY,
            ),
            avg_order_value=_aggregate_subquery(
                counted, "customer", Round(Avg("total_amount"), 2), MONEY
            ),
            first_order_date=_aggregate_subquery(
                counted, "customer", Min("order_date"), models.DateTimeField()
            ),
            last_order_date=_aggregate_subquery(
                counted, "customer", Max("order_date"), models.DateTimeField()
            ),
            latest_order_total=Subquery(
                counted.order_by("-order_date", "-id").values("total_amount")[:1],
                output_field=MONEY,
            ),
            has_order_over_500=Exists(counted.filter(total_amount__gt=LARGE_ORDER_TOTAL)),
        ).annotate(
            segment=Case(
                *[
                    When(total_spent__gte=threshold, then=Value(label))
                    for threshold, label in SEGMENT_THRESHOLDS
                ],
                default=Value(SEGMENT_REGULAR),
                output_field=models.CharField(),
            )
        )

    def with_orders(self):
        """Customers with at least one order that is not cancelled."""
        return self.filter(Exists(self._counted_orders()))

    def without_orders(self):
        """Customers who never ordered, or whose every order was cancelled."""
        return self.exclude(Exists(self._counted_orders()))

    def inactive(self, days=INACTIVE_AFTER_DAYS, now=None):
        """Customers with no (non-cancelled) order in the last ``days`` days."""
        since = (now or timezone.now()) - timedelta(days=days)
        return self.exclude(Exists(self._counted_orders().filter(order_date__gte=since)))

    @staticmethod
    def _counted_orders():
        return _model("Order").objects.filter(customer=OuterRef("pk")).exclude(status=CANCELLED)
