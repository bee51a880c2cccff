"""Data quality: records that disagree with each other, each linking to the record.

Each check shows its first ``SHOWN`` records and, when there are more, links to where they all
are: the admin list filtered to them, and the CSV download, which holds every record of every
check (streamed). A page costs one query per check (its first ``SHOWN`` + 1 records), whatever
the number of records.
"""

from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.text import Truncator

from backoffice.models import Customer, Order, Product, Review
from backoffice.querysets.catalog import STOCK_OUT
from backoffice.reports.base import CSV_CHUNK, Column, ReportTable

# Records a check shows on the page; the rest are in its admin list and in the CSV.
SHOWN = 20


def reviews_by_non_buyers():
    """Reviews whose customer never bought the product (in an order that was not cancelled)."""
    return Review.objects.by_non_buyers()


def orders_differing_from_items():
    """Orders whose total charged differs from what their items and charges come to (items +
    shipping + tax − discount, ``charged_for``; the kept flag: a partial index)."""
    return Order.objects.with_item_totals().filter(total_differs=True).with_charge_for_items()


def differing_order_detail(order) -> str:
    """The charged total beside what its items and charges come to."""
    return (
        f"charged {order.total_amount}; items {order.items_total} + shipping "
        f"{order.shipping_amount} + tax {order.tax_amount} − discount {order.discount_amount} "
        f"= {order.charge_for_items}"
    )


# What the page says about its money (docs/customer-segments.md, "Revenue and charges").
MONEY_NOTE = (
    "Revenue (the dashboard, the sales reports, product and category figures) is the sum of "
    "quantity × unit price of the items of orders that are not cancelled: shipping, tax and "
    "discounts are not revenue. The check “Order total differs from its items” compares what "
    "the customer was charged with items + shipping + tax − discount."
)


def active_products_out_of_stock():
    return Product.objects.active().filter(stock_quantity__lte=0)


def customers_without_orders():
    """Customers who never ordered, or whose every order was cancelled."""
    return Customer.objects.without_orders()


def changelist(model, **filters) -> str:
    url = reverse(f"admin:backoffice_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


@dataclass(frozen=True)
class Check:
    problem: str
    records: Callable[[], QuerySet]  # in a stable order, with what ``row`` reads
    row: Callable[[object], dict]
    link: Callable[[object], str]
    # the admin list filtered to these records (None: no list filter shows exactly them)
    listed_at: Callable[[], str] | None
    plural: str


CHECKS = (
    Check(
        "Order total differs from its items",
        lambda: orders_differing_from_items().select_related("customer__user").order_by("pk"),
        lambda order: {
            "record": f"Order #{order.pk} ({order.customer})",
            "detail": differing_order_detail(order),
        },
        lambda order: reverse("admin:backoffice_order_change", args=[order.pk]),
        lambda: changelist(Order, total_differs="yes"),
        "orders whose total differs from their items",
    ),
    Check(
        "Review by a customer who never bought the product",
        lambda: reviews_by_non_buyers().select_related("customer__user", "product").order_by("pk"),
        lambda review: {
            "record": f"Review #{review.pk}: {review.product.name}",
            "detail": f"by {review.customer}, {review.rating}/5: "
            f"{Truncator(review.comment_shown).chars(60)}",
        },
        lambda review: reverse("admin:backoffice_review_change", args=[review.pk]),
        None,
        "reviews by customers who never bought the product",
    ),
    Check(
        "Active product out of stock",
        lambda: active_products_out_of_stock().order_by("name", "pk"),
        lambda product: {"record": product.name, "detail": "stock 0"},
        lambda product: reverse("admin:backoffice_product_change", args=[product.pk]),
        lambda: changelist(Product, stock_status=STOCK_OUT, is_active__exact=1),
        "active products out of stock",
    ),
    Check(
        "Customer without orders (cancelled ones aside)",
        lambda: customers_without_orders().select_related("user").order_by("pk"),
        lambda customer: {"record": str(customer), "detail": customer.user.email},
        lambda customer: reverse("admin:backoffice_customer_change", args=[customer.pk]),
        lambda: changelist(Customer, has_orders="no"),
        "customers without orders",
    ),
)


def check_row(check: Check, record) -> dict:
    return {"problem": check.problem, **check.row(record)}


def every_problem():
    """Every record of every check, in the page's order: one streamed query per check."""
    return chain.from_iterable(
        (check_row(check, record) for record in check.records().iterator(chunk_size=CSV_CHUNK))
        for check in CHECKS
    )


def data_quality(form) -> ReportTable:
    rows, links, see_also = [], [], []
    for check in CHECKS:
        records = list(check.records()[: SHOWN + 1])
        for record in records[:SHOWN]:
            rows.append(check_row(check, record))
            links.append(check.link(record))
        if len(records) > SHOWN:
            where = "the CSV download" if check.listed_at is None else "this list"
            see_also.append(
                (
                    f"More than {SHOWN} {check.plural}: every one of them is in {where}",
                    check.listed_at() if check.listed_at else None,
                )
            )
    return ReportTable(
        columns=[
            Column("problem", "Problem"),
            Column("record", "Record"),
            Column("detail", "Detail"),
        ],
        rows=rows,
        links=links,
        every_row=every_problem,
        see_also=see_also,
        notes=[
            f"Each check shows its first {SHOWN} records; the CSV download holds all of them.",
            MONEY_NOTE,
        ],
    )
