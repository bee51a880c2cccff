"""The guide's "Common Query Examples" and its "Advanced Query Examples" (the e-commerce
dashboard, the inventory analysis and the business-intelligence metrics).

Several of the advanced queries aggregate two reverse relations at once (order items AND
reviews, or products AND their order items); the lab runs them as printed and, next to them, a
version with subqueries that does not multiply rows.
"""

from datetime import timedelta
from decimal import Decimal

from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Now, TruncMonth
from django.utils import timezone

from backoffice.models import Category, Customer, Order, OrderItem, Product
from backoffice.reports.permissions import CUSTOMER_DATA
from backoffice.reports.querylab.registry import comparison, example

COMMON = "Common Query Examples"
ADVANCED = "Advanced Query Examples"


# --- Common Query Examples ---------------------------------------------------------------------


@example(
    COMMON,
    "1. Products with their average ratings",
    explain=lambda: Product.objects.annotate(
        avg_rating=Avg("reviews__rating"), review_count=Count("reviews")
    ).filter(review_count__gt=0),
)
def common_products_with_ratings():
    products_with_ratings = Product.objects.annotate(
        avg_rating=Avg("reviews__rating"), review_count=Count("reviews")
    ).filter(review_count__gt=0)
    return products_with_ratings.values("id", "name", "avg_rating", "review_count")


@example(
    COMMON,
    "2. Top customers by spending",
    errata=("E26",),
    explain=lambda: (
        Customer.objects.annotate(total_spent=Sum("orders__total_amount"))
        .filter(total_spent__isnull=False)
        .order_by("-total_spent")[:10]
    ),
)
def common_top_customers():
    """`total_spent` adds every order's total, cancelled orders included."""
    top_customers = (
        Customer.objects.annotate(
            total_spent=Sum("orders__total_amount"), order_count=Count("orders")
        )
        .filter(total_spent__isnull=False)
        .order_by("-total_spent")[:10]
    )
    return top_customers.values("user__first_name", "user__last_name", "total_spent", "order_count")


@example(
    COMMON,
    "3. Monthly sales report (TruncMonth)",
    explain=lambda: (
        Order.objects.annotate(month=TruncMonth("order_date"))
        .values("month")
        .annotate(total_sales=Sum("total_amount"))
        .order_by("month")
    ),
)
def common_monthly_sales():
    """The ORM version of the raw-SQL monthly report; it runs on SQLite too. Every order
    counts, cancelled ones included."""
    monthly_sales = (
        Order.objects.annotate(month=TruncMonth("order_date"))
        .values("month")
        .annotate(total_sales=Sum("total_amount"), order_count=Count("id"))
        .order_by("month")
    )
    return monthly_sales


@example(
    COMMON,
    "4. Products that need restocking",
    explain=lambda: Product.objects.filter(stock_quantity__lt=10, is_active=True).select_related(
        "supplier"
    ),
)
def common_low_stock():
    """No product of the dataset has fewer than 10 in stock (the lowest is 15)."""
    low_stock_products = Product.objects.filter(
        stock_quantity__lt=10, is_active=True
    ).select_related("supplier")
    return [
        {"name": product.name, "stock": product.stock_quantity, "supplier": product.supplier.name}
        for product in low_stock_products
    ]


@example(COMMON, "5. Customers who haven't ordered recently")
def common_inactive_customers():
    """Changed: the guide uses `datetime.now()`, a naive datetime: Django warns ("received a
    naive datetime while time zone support is active") and reads it as UTC. `timezone.now()` is
    aware. `exclude()` over a multi-valued relation keeps customers with NO order in the last 90
    days, including customers who never ordered."""
    inactive_customers = Customer.objects.exclude(
        orders__order_date__gte=timezone.now() - timedelta(days=90)
    ).annotate(last_order_date=Max("orders__order_date"))
    return inactive_customers.values("user__first_name", "user__last_name", "last_order_date")


@example(
    COMMON,
    "6. Complex filtering with multiple conditions",
    explain=lambda: Product.objects.filter(
        Q(category__name="Electronics")
        & Q(price__range=[100, 1000])
        & (Q(supplier__rating__gte=4.0) | Q(reviews__rating__gte=4.0))
    ).distinct(),
)
def common_complex_filtering():
    filtered_products = (
        Product.objects.filter(
            Q(category__name="Electronics")
            & Q(price__range=[100, 1000])
            & (Q(supplier__rating__gte=4.0) | Q(reviews__rating__gte=4.0))
        )
        .distinct()
        .select_related("category", "supplier")
    )
    return [
        {"name": p.name, "price": p.price, "category": p.category.name, "supplier": p.supplier.name}
        for p in filtered_products
    ]


@example(
    COMMON,
    "7. Related data efficiently: orders with customer, items and products",
    requires=CUSTOMER_DATA,
)
def common_orders_with_details():
    """Four queries: orders with customer and user (JOIN) and the item count (GROUP BY), then
    the items, their products and the products' categories."""
    orders_with_details = (
        Order.objects.select_related("customer__user")
        .prefetch_related("items__product__category")
        .annotate(item_count=Count("items"))
    )
    rows = []
    for order in orders_with_details:
        rows.append(
            {
                "order": f"Order #{order.id} by {order.customer.user.get_full_name()}",
                "items": order.item_count,
                "lines": [f"{item.product.name} x{item.quantity}" for item in order.items.all()],
            }
        )
    return rows


# --- 1. Complete E-commerce Dashboard ----------------------------------------------------------


@example(ADVANCED, "Dashboard: categories", errata=("E13",))
def dashboard_categories():
    """As printed. `Count('products')` and the revenue over `products__orderitem` share one
    join, so every product is counted once per order line (Electronics: 4 instead of 3,
    because iPhone 15 has two lines). The revenue includes the cancelled order."""
    categories = Category.objects.annotate(
        product_count=Count("products"),
        avg_price=Avg("products__price"),
        total_revenue=Sum(F("products__orderitem__quantity") * F("products__orderitem__price")),
    ).filter(product_count__gt=0)
    return categories.values("name", "product_count", "avg_price", "total_revenue")


def dashboard_categories_subquery():
    category_revenue = (
        OrderItem.objects.filter(product__category=OuterRef("pk"))
        .values("product__category")
        .annotate(total=Sum(F("quantity") * F("price")))
        .values("total")
    )
    categories = Category.objects.annotate(
        product_count=Count("products"),
        avg_price=Avg("products__price"),
        total_revenue=Subquery(category_revenue),
    ).filter(product_count__gt=0)
    return categories.values("name", "product_count", "avg_price", "total_revenue")


comparison(
    ADVANCED,
    "Dashboard: categories — as printed vs corrected",
    slug="dashboard-categories-corrected",
    errata=("E13",),
    variants=[
        ("As printed: products and order lines joined", dashboard_categories),
        ("Subquery for the revenue", dashboard_categories_subquery),
    ],
    note=(
        "The corrected query joins only the products (right product_count and avg_price) and "
        "sums each category's order lines in a subquery. Both include the cancelled order's "
        "line, as the guide does."
    ),
)


@example(ADVANCED, "Dashboard: top products", errata=("E14",))
def dashboard_top_products():
    """As printed. Order lines and reviews are joined in one aggregate: review_count is 2 for
    iPhone 15 and Garden Tools Set (one review, two order lines each); total_sold and revenue
    would be multiplied as soon as a product had two reviews."""
    top_products = (
        Product.objects.annotate(
            total_sold=Sum("orderitem__quantity"),
            revenue=Sum(F("orderitem__quantity") * F("orderitem__price")),
            avg_rating=Avg("reviews__rating"),
            review_count=Count("reviews"),
        )
        .filter(total_sold__isnull=False)
        .order_by("-revenue")[:5]
    )
    return top_products.values("name", "total_sold", "revenue", "avg_rating", "review_count")


def dashboard_top_products_subquery():
    sold = OrderItem.objects.filter(product=OuterRef("pk")).values("product")
    top_products = (
        Product.objects.annotate(
            total_sold=Subquery(sold.annotate(units=Sum("quantity")).values("units")),
            revenue=Subquery(sold.annotate(total=Sum(F("quantity") * F("price"))).values("total")),
            avg_rating=Avg("reviews__rating"),
            review_count=Count("reviews"),
        )
        .filter(total_sold__isnull=False)
        .order_by("-revenue")[:5]
    )
    return top_products.values("name", "total_sold", "revenue", "avg_rating", "review_count")


comparison(
    ADVANCED,
    "Dashboard: top products — as printed vs corrected",
    slug="dashboard-top-products-corrected",
    errata=("E14",),
    variants=[
        ("As printed: order lines and reviews joined", dashboard_top_products),
        ("Subqueries for units sold and revenue", dashboard_top_products_subquery),
    ],
    note=(
        "Units and revenue come from subqueries over the order lines, so only the reviews are "
        "joined and review_count is right. Cancelled orders are still included, as in the "
        "guide."
    ),
)


@example(
    ADVANCED,
    "Dashboard: customer insights",
    errata=("E26",),
    explain=lambda: (
        Customer.objects.select_related("user")
        .annotate(total_orders=Count("orders"), total_spent=Sum("orders__total_amount"))
        .filter(total_orders__gt=0)
        .order_by("-total_spent")[:10]
    ),
    requires=CUSTOMER_DATA,
)
def dashboard_customer_insights():
    """One reverse relation (orders), so the figures are right; `total_spent` includes the
    cancelled order."""
    customer_insights = (
        Customer.objects.select_related("user")
        .annotate(
            total_orders=Count("orders"),
            total_spent=Sum("orders__total_amount"),
            avg_order_value=Avg("orders__total_amount"),
            last_order=Max("orders__order_date"),
        )
        .filter(total_orders__gt=0)
        .order_by("-total_spent")[:10]
    )
    return [
        {
            "name": customer.user.get_full_name(),
            "email": customer.user.email,
            "total_orders": customer.total_orders,
            "total_spent": customer.total_spent,
            "avg_order_value": customer.avg_order_value,
            "last_order": customer.last_order,
        }
        for customer in customer_insights
    ]


@example(ADVANCED, "Dashboard: summary", errata=("E15",), requires=CUSTOMER_DATA)
def dashboard_summary():
    """The guide prints a summary without the code that computes it; these queries compute each
    figure. Revenue and average are over all seven orders' totals (cancelled included);
    "top category by revenue" sums order lines per category (a subquery, no multiplication)."""
    orders = Order.objects.aggregate(
        total_orders=Count("id"),
        total_revenue=Sum("total_amount"),
        average_order_value=Avg("total_amount"),
    )
    category_revenue = (
        OrderItem.objects.filter(product__category=OuterRef("pk"))
        .values("product__category")
        .annotate(total=Sum(F("quantity") * F("price")))
        .values("total")
    )
    top_category = (
        Category.objects.annotate(revenue=Subquery(category_revenue))
        .order_by(F("revenue").desc(nulls_last=True))
        .first()
    )
    most_active = (
        Customer.objects.select_related("user")
        .annotate(order_count=Count("orders"), spent=Sum("orders__total_amount"))
        .order_by("-order_count", F("spent").desc(nulls_last=True))
        .first()
    )
    return {
        "total_products": Product.objects.count(),
        "total_categories": Category.objects.count(),
        "total_customers": Customer.objects.count(),
        **orders,
        "top_category_by_revenue": top_category.name if top_category else None,
        "most_active_customer": most_active.user.get_full_name() if most_active else None,
    }


# --- 2. Advanced Inventory Management Query ----------------------------------------------------


@example(ADVANCED, "Inventory analysis with supplier performance", errata=("E16", "E27", "E40"))
def inventory_analysis():
    """Corrected: the guide's query cannot run.
    - `Extract('now', lookup_name='day')` names no field ("Cannot resolve keyword 'now'"):
      the time in stock is `Now() - F('created_at')`, a duration.
    - `F('total_sold') / F('stock_quantity')` divides two integers: 0 for every product. The
      numerator is cast to a float.
    - `total_sold=Count('orderitem')` counts order lines, not units, and is multiplied by the
      reviews join: units come from a subquery over the order lines (revenue too).
    - `When(..., then='Out of Stock')` names a FIELD, not a text: `Value('Out of Stock')`.
    Cancelled orders are included, as in the guide."""
    sold = OrderItem.objects.filter(product=OuterRef("pk")).values("product")
    inventory_analysis = (
        Product.objects.select_related("category", "supplier")
        .prefetch_related("reviews", "orderitem_set")
        .annotate(
            total_sold=Coalesce(
                Subquery(sold.annotate(units=Sum("quantity")).values("units")),
                0,
                output_field=IntegerField(),
            ),
            revenue=Subquery(sold.annotate(total=Sum(F("quantity") * F("price"))).values("total")),
            avg_rating=Avg("reviews__rating"),
            time_in_inventory=ExpressionWrapper(
                Now() - F("created_at"), output_field=DurationField()
            ),
            turnover_rate=Case(
                When(stock_quantity=0, then=None),
                default=Cast("total_sold", FloatField()) / F("stock_quantity"),
                output_field=FloatField(),
            ),
            stock_status=Case(
                When(stock_quantity=0, then=Value("Out of Stock")),
                When(stock_quantity__lt=10, then=Value("Low Stock")),
                When(stock_quantity__lt=25, then=Value("Medium Stock")),
                default=Value("Well Stocked"),
                output_field=CharField(max_length=20),
            ),
        )
        .order_by("stock_quantity")
    )
    return [
        {
            "name": product.name,
            "category": product.category.name,
            "supplier": product.supplier.name,
            "supplier_rating": product.supplier.rating,
            "current_stock": product.stock_quantity,
            "total_sold": product.total_sold,
            "revenue": product.revenue,
            "avg_rating": product.avg_rating,
            "days_in_inventory": product.time_in_inventory.days,
            "turnover_rate": product.turnover_rate,
            "stock_status": product.stock_status,
        }
        for product in inventory_analysis
    ]


# --- Complex Business Intelligence Query -------------------------------------------------------


@example(
    ADVANCED,
    "Business intelligence: sales metrics",
    errata=("E17", "E39"),
)
def bi_sales_metrics():
    sales_metrics = Order.objects.aggregate(
        total_orders=Count("id"),
        total_revenue=Sum("total_amount"),
        avg_order_value=Avg("total_amount"),
        orders_delivered=Count("id", filter=Q(status="delivered")),
        orders_pending=Count("id", filter=Q(status__in=["pending", "processing", "shipped"])),
    )
    return sales_metrics


@example(ADVANCED, "Business intelligence: product performance", errata=("E33",))
def bi_product_performance():
    """Changed, minimally, so that it runs: `Coalesce(Sum(F('orderitem__quantity') *
    F('orderitem__price')), 0)` mixes a decimal and the integer 0 and fails with "Expression
    contains mixed types: DecimalField, IntegerField"; the 0 is `Value(Decimal('0'))`.
    Otherwise as printed: order lines and reviews are joined in one aggregate, so review_count
    is 2 for iPhone 15 and Garden Tools Set. See the comparison "…: as printed vs corrected"."""
    product_performance = Product.objects.annotate(
        total_sold=Coalesce(Sum("orderitem__quantity"), 0),
        revenue=Coalesce(
            Sum(F("orderitem__quantity") * F("orderitem__price")), Value(Decimal("0"))
        ),
        avg_rating=Avg("reviews__rating"),
        review_count=Count("reviews"),
        performance_score=Case(
            When(revenue__gt=1000, then=Value("A")),
            When(revenue__gt=500, then=Value("B")),
            When(revenue__gt=100, then=Value("C")),
            default=Value("D"),
            output_field=CharField(),
        ),
    ).order_by("-revenue")
    return product_performance.values(
        "name", "total_sold", "revenue", "avg_rating", "review_count", "performance_score"
    )


def bi_product_performance_subquery():
    sold = OrderItem.objects.filter(product=OuterRef("pk")).values("product")
    product_performance = Product.objects.annotate(
        total_sold=Coalesce(
            Subquery(sold.annotate(units=Sum("quantity")).values("units")),
            0,
            output_field=IntegerField(),
        ),
        revenue=Coalesce(
            Subquery(sold.annotate(total=Sum(F("quantity") * F("price"))).values("total")),
            Value(Decimal("0")),
            output_field=DecimalField(max_digits=12, decimal_places=2),
        ),
        avg_rating=Avg("reviews__rating"),
        review_count=Count("reviews"),
        performance_score=Case(
            When(revenue__gt=1000, then=Value("A")),
            When(revenue__gt=500, then=Value("B")),
            When(revenue__gt=100, then=Value("C")),
            default=Value("D"),
            output_field=CharField(),
        ),
    ).order_by("-revenue")
    return product_performance.values(
        "name", "total_sold", "revenue", "avg_rating", "review_count", "performance_score"
    )


comparison(
    ADVANCED,
    "Business intelligence: product performance — as printed vs corrected",
    slug="bi-product-performance-corrected",
    errata=("E33",),
    variants=[
        ("As printed (with the Coalesce fix)", bi_product_performance),
        ("Subqueries for units sold and revenue", bi_product_performance_subquery),
    ],
    note=(
        "Units and revenue are summed over the order lines in subqueries, so joining the "
        "reviews can no longer multiply them, and review_count is right. Revenue includes the "
        "cancelled order, as in the guide: iPhone 15 shows 1999.98."
    ),
)
