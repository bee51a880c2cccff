"""Orders and their line items."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from backoffice.models.base import (
    ConstraintErrorsOnFieldsMixin,
    EditVersioned,
    check_constraint,
    external_ref_field,
    external_ref_indexes,
    external_ref_unique,
)
from backoffice.models.catalog import Product
from backoffice.models.customers import Customer
from backoffice.querysets import OrderItemQuerySet, OrderQuerySet
from backoffice.querysets.expressions import cents


class OrderStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"


def _charge(verbose_name: str, help_text: str):
    # db_default too: the shop generator and other set-wise writers name their columns
    return models.DecimalField(
        verbose_name,
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        db_default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"), f"The {verbose_name} cannot be negative.")],
        help_text=help_text,
    )


class Order(ConstraintErrorsOnFieldsMixin, EditVersioned, models.Model):
    # PROTECT: a customer with order history cannot be deleted by accident.
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(
        max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING
    )
    total_amount = models.DecimalField(
        "total charged",
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"), "The total cannot be negative.")],
    )
    # What the charge adds to the items and takes off them (docs/design.md, "Charged amount"):
    # total charged = items + shipping + tax − discount (``charged_for``).
    shipping_amount = _charge("shipping", "Shipping charged on top of the items.")
    tax_amount = _charge("tax", "Tax charged on top of the items and shipping.")
    discount_amount = _charge(
        "discount", "Taken off the charge; at most the items, shipping and tax together."
    )
    external_ref = external_ref_field()
    # Not auto_now_add: imported orders keep their real dates.
    order_date = models.DateTimeField(default=timezone.now)
    delivery_date = models.DateTimeField(null=True, blank=True)

    objects = OrderQuerySet.as_manager()

    constraint_error_fields = {
        "order_total_not_negative": "total_amount",
        "order_delivery_after_order": "delivery_date",
        "order_shipping_not_negative": "shipping_amount",
        "order_tax_not_negative": "tax_amount",
        "order_discount_not_negative": "discount_amount",
        "order_external_ref_unique": "external_ref",
    }

    class Meta:
        ordering = ["-order_date", "-id"]
        default_permissions = ("add", "change", "delete", "view", "export")
        permissions = [
            ("view_reports", "Can view the dashboard's reports"),
            ("use_query_lab", "Can use the Query Lab and see the SQL of admin lists"),
        ]
        indexes = [
            # the status filter, newest first, and its date drill-down's MIN/MAX
            models.Index(fields=["status", "-order_date"]),
            models.Index(fields=["-order_date"]),
            models.Index(fields=["delivery_date"]),  # the delivery date filter
            *external_ref_indexes("order"),
        ]
        constraints = [
            check_constraint(
                "order_total_not_negative", Q(total_amount__gte=0), "The total cannot be negative."
            ),
            check_constraint(
                "order_delivery_after_order",
                Q(delivery_date__isnull=True) | Q(delivery_date__gte=F("order_date")),
                "The delivery date cannot be before the order date.",
            ),
            check_constraint(
                "order_shipping_not_negative",
                Q(shipping_amount__gte=0),
                "The shipping cannot be negative.",
            ),
            check_constraint(
                "order_tax_not_negative", Q(tax_amount__gte=0), "The tax cannot be negative."
            ),
            check_constraint(
                "order_discount_not_negative",
                Q(discount_amount__gte=0),
                "The discount cannot be negative.",
            ),
            external_ref_unique("order"),
        ]

    def __str__(self):
        return f"Order #{self.pk}"

    @property
    def deletable(self) -> bool:
        """Only cancelled orders may be deleted: their stock has already been returned."""
        return self.status == OrderStatus.CANCELLED

    def charged_for(self, items_total: Decimal) -> Decimal:
        """What this order is charged for items worth ``items_total``: items + shipping + tax −
        discount, to the cent. The Python twin of the SQL ``charged_for`` (querysets/sales.py),
        which the differs flag, the recalculation and the reports use."""
        return cents(
            items_total
            + (self.shipping_amount or 0)
            + (self.tax_amount or 0)
            - (self.discount_amount or 0)
        )

    def clean(self):
        if self.delivery_date and self.order_date and self.delivery_date < self.order_date:
            raise ValidationError(
                {"delivery_date": "The delivery date cannot be before the order date."}
            )


class OrderItem(ConstraintErrorsOnFieldsMixin, models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    # PROTECT: a product that was sold cannot be deleted, so order history stays whole.
    # No related_name: the guide queries this relation as `orderitem` / `orderitem_set`.
    # Indexed with the order (Meta.indexes), not alone: the orders of a product or category
    # are then read from the index only.
    product = models.ForeignKey(Product, on_delete=models.PROTECT, db_index=False)
    quantity = models.PositiveIntegerField(
        validators=[MinValueValidator(1, "The quantity must be at least 1.")]
    )
    price = models.DecimalField(
        "unit price",
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"), "The unit price cannot be negative.")],
        help_text="Price at the time of the order.",
    )

    objects = OrderItemQuerySet.as_manager()

    constraint_error_fields = {
        "orderitem_quantity_positive": "quantity",
        "orderitem_price_not_negative": "price",
    }

    class Meta:
        ordering = ["order_id", "id"]
        default_permissions = ("add", "change", "delete", "view", "export")
        # The order lines list's sorts: each column, then the id (``PageFirstChangeList``
        # breaks ties by id in the column's direction), the line amount as its expression.
        indexes = [
            models.Index(fields=["product", "order"], name="orderitem_product_order"),
            models.Index(fields=["quantity", "id"], name="orderitem_quantity_sort"),
            models.Index(fields=["price", "id"], name="orderitem_price_sort"),
            models.Index(F("quantity") * F("price"), F("id"), name="orderitem_amount_sort"),
        ]
        constraints = [
            check_constraint(
                "orderitem_quantity_positive", Q(quantity__gt=0), "The quantity must be at least 1."
            ),
            check_constraint(
                "orderitem_price_not_negative",
                Q(price__gte=0),
                "The unit price cannot be negative.",
            ),
        ]

    def __str__(self):
        return f"{self.product.name} x {self.quantity}"

    @property
    def line_total(self) -> Decimal | None:
        if self.price is None or self.quantity is None:
            return None
        return self.price * self.quantity


class OrderStatusChange(models.Model):
    """One step of an order's life: the status timeline shown on the order page."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=OrderStatus.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    changed_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["changed_at", "id"]
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.order}: {self.from_status or '-'} -> {self.to_status}"
