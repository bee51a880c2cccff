"""Data quality: records that disagree with each other, each linking to the record."""

from django.db.models import Exists, OuterRef
from django.urls import reverse

from backoffice.models import Customer, Order, OrderItem, Product, Review
from backoffice.reports.base import Column, ReportTable


def reviews_by_non_buyers():
    """Reviews whose customer never bought the product (in an order that was not cancelled)."""
    bought = OrderItem.objects.filter(
        order__customer=OuterRef("customer"), product=OuterRef("product")
    ).counted()
    return Review.objects.filter(~Exists(bought))


def orders_differing_from_items():
    return Order.objects.with_item_totals().filter(total_differs=True)


def active_products_out_of_stock():
    return Product.objects.active().filter(stock_quantity__lte=0)


def customers_without_orders():
    """Customers who never ordered, or whose every order was cancelled."""
    return Customer.objects.without_orders()


def data_quality(form) -> ReportTable:
    rows, links = [], []
    for order in orders_differing_from_items().select_related("customer__user").order_by("pk"):
        rows.append(
            {
                "problem": "Order total differs from its items",
                "record": f"Order #{order.pk} ({order.customer})",
                "detail": f"charged {order.total_amount}, items {order.items_total}",
            }
        )
        links.append(reverse("admin:backoffice_order_change", args=[order.pk]))
    for review in (
        reviews_by_non_buyers().select_related("customer__user", "product").order_by("pk")
    ):
        rows.append(
            {
                "problem": "Review by a customer who never bought the product",
                "record": f"Review #{review.pk}: {review.product.name}",
                "detail": f"by {review.customer}, {review.rating}/5",
            }
        )
        links.append(reverse("admin:backoffice_review_change", args=[review.pk]))
    for product in active_products_out_of_stock().order_by("name"):
        rows.append(
            {"problem": "Active product out of stock", "record": product.name, "detail": "stock 0"}
        )
        links.append(reverse("admin:backoffice_product_change", args=[product.pk]))
    for customer in customers_without_orders().select_related("user").order_by("pk"):
        rows.append(
            {
                "problem": "Customer without orders (cancelled ones aside)",
                "record": str(customer),
                "detail": customer.user.email,
            }
        )
        links.append(reverse("admin:backoffice_customer_change", args=[customer.pk]))
    return ReportTable(
        columns=[
            Column("problem", "Problem"),
            Column("record", "Record"),
            Column("detail", "Detail"),
        ],
        rows=rows,
        links=links,
    )
