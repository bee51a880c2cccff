"""The guide's "Database Functions": string, date and NULL-handling functions."""

from django.db.models import Count, Sum, TextField, Value
from django.db.models.functions import Coalesce, Concat, Extract, Length, TruncDate, Upper

from backoffice.models import Order, Product
from backoffice.reports.querylab.registry import example

SECTION = "Database Functions"


@example(
    SECTION,
    "String functions: Upper, Length, Concat",
    errata=("E30",),
    explain=lambda: Product.objects.annotate(name_upper=Upper("name"), name_length=Length("name")),
)
def string_functions():
    """Changed: the guide's `Concat('name', 'description', separator=' - ')` fails with
    "Expression contains mixed types: CharField, TextField" (name is a CharField, description
    a TextField), and once `output_field` is given, `separator` is silently ignored: Concat has
    no such argument and returns "MacBook ProHigh-performance…". The separator is a
    `Value(' - ')` between the two fields."""
    products = Product.objects.annotate(
        name_upper=Upper("name"),
        name_length=Length("name"),
        name_and_desc=Concat("name", Value(" - "), "description", output_field=TextField()),
    )
    return products.values("name_upper", "name_length", "name_and_desc")


@example(SECTION, "Date functions: TruncDate and Extract", errata=("E25",))
def date_functions():
    """As printed. Despite its name, `orders_by_month` groups by DAY: TruncDate keeps the
    date; `TruncMonth('order_date')` groups by month (see "Monthly sales report" in the Common
    Query Examples). The groups come in no particular order: Meta.ordering is not applied to
    GROUP BY queries."""
    orders_by_month = (
        Order.objects.annotate(
            order_month=TruncDate("order_date"),
            order_year=Extract("order_date", lookup_name="year"),
        )
        .values("order_month", "order_year")
        .annotate(total_orders=Count("id"), total_revenue=Sum("total_amount"))
    )
    return orders_by_month


@example(SECTION, "Coalesce for NULL values", errata=("E30",))
def coalesce_defaults():
    """Changed: `Coalesce('name', 'description', 'category__name')` mixes a CharField and a
    TextField and fails with "Expression contains mixed types"; it needs
    `output_field=TextField()`. (No product has a NULL name, so every row shows its name.)"""
    products_with_defaults = Product.objects.annotate(
        display_name=Coalesce("name", "description", "category__name", output_field=TextField())
    )
    return products_with_defaults.values("id", "display_name")
