"""The expressions every QuerySet, report and the dashboard share: one definition each.

- ``MONEY``: the output type of every computed amount, read back to the cent on every database;
- ``CENT`` / ``cents()``: the cent and a Python amount rounded to it (half up);
- ``Cents``: a database expression read as ``MONEY`` (its SQL unchanged);
- ``round_cents``: rounding to the cent *in SQL*, where SQL itself compares the amount;
- ``LINE_TOTAL``: an order line's quantity × unit price; ``REVENUE``: their sum;
- ``scalar_subquery``: one aggregate per outer row as a correlated subquery (never a join);
- ``NameList``: the sorted list of a text column's values, per group (a product's tag names).

Model classes are never imported here: the models import the QuerySet modules that import this.
"""

import json
from decimal import ROUND_HALF_UP, Decimal

from django.db import connections, models
from django.db.models import Aggregate, ExpressionWrapper, F, Func, Subquery, Sum, Value
from django.db.models.functions import Round

CENT = Decimal("0.01")


def cents(value) -> Decimal:
    """An amount to the cent, half up; None (an empty sum) is 0.00."""
    return Decimal(value or 0).quantize(CENT, ROUND_HALF_UP)


class MoneyField(models.DecimalField):
    """The output field of computed amounts: always a Decimal to the cent (half up).

    SQLite computes decimal arithmetic in floating point and Django turns the result into a
    Decimal with 15 significant digits ("1299.99000000000"); PostgreSQL returns averages with
    many decimals. Only the value read is rounded: the SQL is the same with any output field.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        return None if value is None else cents(value)


MONEY = MoneyField()
ZERO_MONEY = Value(Decimal("0.00"), output_field=MONEY)


class Cents(Func):
    """An expression (a window, an average, a column) read as ``MONEY``; its SQL is unchanged."""

    template = "%(expressions)s"
    output_field = MONEY


def round_cents(expression):
    """``expression`` rounded to the cent in SQL, for amounts SQL itself compares or sorts:
    on SQLite, which sums decimals in floating point, that is what makes "total charged =
    items total" compare equal when the cents agree (on PostgreSQL it only fixes the scale)."""
    return Round(expression, 2, output_field=MONEY)


# An order line's amount: quantity × the unit price paid (not today's product price).
LINE_TOTAL = ExpressionWrapper(F("quantity") * F("price"), output_field=MONEY)

# Revenue: the sum of the line amounts, over order items that count as sales (apply it to
# ``OrderItem.objects.counted()``: the dashboard, the product and category figures and the
# reports all do, through ``OrderItemQuerySet.revenue()`` or a subquery of counted items).
REVENUE = Sum(LINE_TOTAL)


def scalar_subquery(queryset, group_by: str, value, output_field):
    """``value`` aggregated over ``queryset`` (already correlated with ``OuterRef``), one value
    per outer row, as a correlated scalar subquery: no join, so no row multiplication and no
    join in the admin's ``COUNT(*)``."""
    grouped = queryset.order_by().values(group_by).annotate(value=value).values("value")
    return Subquery(grouped, output_field=output_field)


def kept_figures(figures_model_name: str) -> dict:
    """Every figure of a kept-figures table (``backoffice.models.figures``), read through the
    row's ``kept_figures`` relation under the figure's own name: one join, sortable by index."""
    from django.apps import apps  # the models import this module: look the table up late

    model = apps.get_model("backoffice", figures_model_name)
    return {
        field.name: F(f"kept_figures__{field.name}")
        for field in model._meta.concrete_fields
        if not field.primary_key
    }


# Ids fetched at most to pass them on as one array (beyond: kept as a subquery).
FETCHED_IDS_AT_MOST = 100_000


def fetched_ids(ids_query, using: str) -> list | None:
    """On PostgreSQL, the ids a one-column query yields, read once: a list page asks its
    queryset up to eight times (the count and status sums, the page, the date drill-down's
    ends and years), and a subquery (a search's id sets, the lines of a category's products) is
    computed again each time. None on SQLite, or for more rows than FETCHED_IDS_AT_MOST."""
    if connections[using].vendor != "postgresql":
        return None
    rows = list(ids_query[: FETCHED_IDS_AT_MOST + 1])
    if len(rows) > FETCHED_IDS_AT_MOST:
        return None
    return sorted({next(iter(row.values())) if isinstance(row, dict) else row for row in rows})


class EqualsAny(models.Lookup):
    """``column = ANY(%s::bigint[])`` (PostgreSQL): an id set of any size as one parameter,
    answered by the primary key's index; ``pk__in`` would send one parameter per id."""

    lookup_name = "equals_any"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::bigint[])", (*lhs_params, list(self.rhs))


class NameListField(models.Field):
    """A list of names read back from ``NameList``: PostgreSQL's array is a list already,
    SQLite's JSON array text is decoded and sorted (see ``NameList``); none is ``[]``."""

    def from_db_value(self, value, expression, connection):
        if value is None:
            return []
        return sorted(json.loads(value)) if isinstance(value, str) else value


class NameList(Aggregate):
    """The group's values of a text column as a Python list in ascending order (empty for
    none): ``ARRAY_AGG(… ORDER BY …)`` on PostgreSQL (``django.contrib.postgres``'s own
    ``ArrayAgg``), ``JSON_GROUP_ARRAY`` on SQLite, sorted in Python there (SQLite before 3.44
    has no ORDER BY inside an aggregate, and Python's order of strings is its BINARY
    collation's). Django 5.2 has no ordered list aggregate on every database; Django 6.0's
    ``StringAgg`` joins into one string, which a name with a comma would split wrongly."""

    function = "JSON_GROUP_ARRAY"
    output_field = NameListField()

    def as_postgresql(self, compiler, connection, **extra_context):
        from django.contrib.postgres.aggregates import ArrayAgg

        expression = self.get_source_expressions()[0]  # (then its filter, none here)
        return ArrayAgg(expression, order_by=expression).as_sql(compiler, connection)
