"""Kept figures: per product, order, customer, category, supplier and day, what the lists show
and sort by.

At a real shop's size (a million orders) a figure computed from the source rows on every request
costs seconds, and a list sorted by it costs minutes. These tables keep each figure beside its
row instead. They are never edited: ``backoffice.figures`` recomputes the rows a write touched,
in the write's transaction, from the very definitions the source queries use
(``backoffice.querysets``), and ``manage.py rebuild_figures [--check]`` recomputes or checks all
of them. Each table's primary key is its row's id, so a figure joins one-to-one.
"""

from decimal import Decimal

from django.db import models

from backoffice.models.catalog import Category, Product, Supplier
from backoffice.models.customers import Customer
from backoffice.models.reviews import Review
from backoffice.models.sales import Order, OrderStatus
from backoffice.querysets.days import DayCategorySalesQuerySet, DaySalesQuerySet


def _money(**kwargs):
    return models.DecimalField(max_digits=14, decimal_places=2, **kwargs)


class ProductFigures(models.Model):
    product = models.OneToOneField(
        Product, primary_key=True, on_delete=models.CASCADE, related_name="kept_figures"
    )
    review_count = models.PositiveIntegerField(default=0)
    avg_rating = models.FloatField(null=True)
    rating_sum = models.PositiveIntegerField(default=0)
    min_rating = models.PositiveSmallIntegerField(null=True)
    max_rating = models.PositiveSmallIntegerField(null=True)
    tag_count = models.PositiveIntegerField(default=0)
    units_sold = models.BigIntegerField(default=0)
    revenue = _money(default=Decimal("0.00"))

    class Meta:
        default_permissions = ()
        verbose_name_plural = "product figures"
        # every figure the product list sorts by (PostgreSQL reads them in order, then the id)
        indexes = [
            models.Index(fields=["review_count"]),
            models.Index(fields=["avg_rating"]),
            models.Index(fields=["min_rating"]),
            models.Index(fields=["max_rating"]),
            models.Index(fields=["tag_count"]),
            models.Index(fields=["units_sold"]),
            models.Index(fields=["revenue"]),
        ]

    def __str__(self):
        return f"Figures of product {self.pk}"


class OrderFigures(models.Model):
    order = models.OneToOneField(
        Order, primary_key=True, on_delete=models.CASCADE, related_name="kept_figures"
    )
    items_total = _money(default=Decimal("0.00"))
    item_count = models.PositiveIntegerField(default=0)
    # Kept, not compared at read time: the "total differs" filter must not walk every order.
    total_differs = models.BooleanField(default=False)

    class Meta:
        default_permissions = ()
        verbose_name_plural = "order figures"
        # (figure, order): a list sorted by a figure, ties broken by the order, walks one of
        # these (``PageFirstChangeList.page_ids``) instead of sorting a million orders.
        indexes = [
            models.Index(fields=["items_total", "order"], name="order_items_total_order"),
            models.Index(fields=["item_count", "order"], name="order_item_count_order"),
            models.Index(fields=["total_differs", "order"], name="order_differs_order"),
            models.Index(
                fields=["order"], condition=models.Q(total_differs=True), name="order_differs"
            ),
        ]

    def __str__(self):
        return f"Figures of order {self.pk}"


class CustomerFigures(models.Model):
    customer = models.OneToOneField(
        Customer, primary_key=True, on_delete=models.CASCADE, related_name="kept_figures"
    )
    order_count = models.PositiveIntegerField(default=0)
    cancelled_order_count = models.PositiveIntegerField(default=0)
    total_spent = _money(default=Decimal("0.00"))
    avg_order_value = _money(null=True)
    first_order_date = models.DateTimeField(null=True)
    last_order_date = models.DateTimeField(null=True)
    latest_order_total = _money(null=True)
    has_order_over_500 = models.BooleanField(default=False)
    # Per status (the cancelled count is ``cancelled_order_count``): the order list's count and
    # status summary over a customer segment add up these, not the segment's million orders.
    pending_count = models.PositiveIntegerField(default=0)
    processing_count = models.PositiveIntegerField(default=0)
    shipped_count = models.PositiveIntegerField(default=0)
    delivered_count = models.PositiveIntegerField(default=0)
    pending_charged = _money(default=Decimal("0.00"))
    processing_charged = _money(default=Decimal("0.00"))
    shipped_charged = _money(default=Decimal("0.00"))
    delivered_charged = _money(default=Decimal("0.00"))
    cancelled_charged = _money(default=Decimal("0.00"))

    class Meta:
        default_permissions = ()
        verbose_name_plural = "customer figures"
        indexes = [
            models.Index(fields=["order_count"]),
            models.Index(fields=["total_spent"]),
            models.Index(fields=["avg_order_value"]),
            models.Index(fields=["first_order_date"]),
            models.Index(fields=["last_order_date"]),
            models.Index(fields=["latest_order_total"]),
        ]

    def __str__(self):
        return f"Figures of customer {self.pk}"


class CategoryFigures(models.Model):
    """A category's product figures: what its list row shows. Kept because each is an aggregate
    over the category's thousands of products (seven subqueries a row took seconds for fifty
    categories); recomputed with every write to one of its products or their kept figures.
    The average price is the sum over the count, at read time (an average does not add up)."""

    category = models.OneToOneField(
        Category, primary_key=True, on_delete=models.CASCADE, related_name="kept_figures"
    )
    product_count = models.PositiveIntegerField(default=0)
    active_product_count = models.PositiveIntegerField(default=0)
    price_sum = _money(default=Decimal("0.00"))
    min_price = _money(null=True)
    max_price = _money(null=True)
    total_stock = models.BigIntegerField(default=0)
    revenue = _money(default=Decimal("0.00"))  # its products' kept revenue
    # its products per price band (``PRICE_BAND_FIELDS``): the product list's summary of the
    # whole catalogue adds up fifty rows instead of reading a hundred thousand
    cheap_count = models.PositiveIntegerField(default=0)
    medium_count = models.PositiveIntegerField(default=0)
    expensive_count = models.PositiveIntegerField(default=0)

    class Meta:
        default_permissions = ()
        verbose_name_plural = "category figures"

    def __str__(self):
        return f"Figures of category {self.pk}"


class SupplierFigures(models.Model):
    """A supplier's product figures, kept like ``CategoryFigures``: the average product price
    and review rating are sums over counts at read time."""

    supplier = models.OneToOneField(
        Supplier, primary_key=True, on_delete=models.CASCADE, related_name="kept_figures"
    )
    product_count = models.PositiveIntegerField(default=0)
    price_sum = _money(default=Decimal("0.00"))
    review_count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    total_stock = models.BigIntegerField(default=0)
    revenue = _money(default=Decimal("0.00"))  # its products' kept revenue

    class Meta:
        default_permissions = ()
        verbose_name_plural = "supplier figures"

    def __str__(self):
        return f"Figures of supplier {self.pk}"


class ReviewFigures(models.Model):
    """Whether a review's customer bought the product (in an order that counts): the data
    quality card "reviews by customers who never bought the product" counted an anti-join of
    every review against three million order lines (over a second) on each cold dashboard.
    Recomputed with the review and with every order or line of its customer and product."""

    review = models.OneToOneField(
        Review, primary_key=True, on_delete=models.CASCADE, related_name="kept_figures"
    )
    bought = models.BooleanField(default=False)

    class Meta:
        default_permissions = ()
        verbose_name_plural = "review figures"
        indexes = [
            models.Index(
                fields=["review"], condition=models.Q(bought=False), name="review_not_bought"
            )
        ]

    def __str__(self):
        return f"Figures of review {self.pk}"


class DaySales(models.Model):
    """The orders of one UTC day in one status: how many, what they charged, what their lines
    add up to. Sums over days answer the order list's status summary, its date drill-down, the
    dashboard and the sales reports without reading a million orders (every figure here adds
    up across days; distinct counts such as customers per month do not, and are not kept)."""

    day = models.DateField()
    status = models.CharField(max_length=20, choices=OrderStatus.choices)
    order_count = models.PositiveIntegerField(default=0)
    charged = _money(default=Decimal("0.00"))  # the orders' total_amount
    items_total = _money(default=Decimal("0.00"))  # their lines' quantity × price
    units = models.BigIntegerField(default=0)
    line_count = models.PositiveIntegerField(default=0)  # the order-line list's exact count

    objects = DaySalesQuerySet.as_manager()

    class Meta:
        default_permissions = ()
        verbose_name_plural = "day sales"
        constraints = [models.UniqueConstraint(fields=["day", "status"], name="day_sales_key")]

    def __str__(self):
        return f"{self.day} {self.status}: {self.order_count} orders"


class DayCategorySales(models.Model):
    """What the counted order lines of one UTC day sold in one category: units and revenue.
    Answers "categories sold per month" and revenue by category over a period from a few
    thousand rows; recomputed with the day's ``DaySales`` (and for every day of a product's
    sales when the product moves to another category)."""

    day = models.DateField()
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    units = models.BigIntegerField(default=0)
    revenue = _money(default=Decimal("0.00"))

    objects = DayCategorySalesQuerySet.as_manager()

    class Meta:
        default_permissions = ()
        verbose_name_plural = "day category sales"
        constraints = [
            models.UniqueConstraint(fields=["day", "category"], name="day_category_sales_key")
        ]

    def __str__(self):
        return f"{self.day} category {self.category_id}: {self.units} units"
