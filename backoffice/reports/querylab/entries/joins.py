"""The guide's "Joins and Relationships": forward and reverse foreign keys, one-to-one,
many-to-many, select_related/prefetch_related; and the later "Relationships (Basic to
Advanced)" examples, which repeat some of them with other printed outputs."""

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, Prefetch, Q, Sum

from backoffice.models import Category, Customer, Order, Product, Review, Tag
from backoffice.reports.permissions import CUSTOMER_DATA, USER_DATA
from backoffice.reports.querylab.registry import example

SECTION = "Joins and Relationships"
User = get_user_model()


# --- Forward relationships (ForeignKey) --------------------------------------------------------


@example(SECTION, "Forward ForeignKey access: one query per relation")
def forward_access():
    """Three queries: the product, then its category, then its supplier."""
    product = Product.objects.get(id=1)
    category_name = product.category.name  # Database hit
    supplier_name = product.supplier.name  # Another database hit
    return {"product": product.name, "category": category_name, "supplier": supplier_name}


@example(
    SECTION,
    "Forward ForeignKey with select_related: one JOIN",
    explain=lambda: Product.objects.select_related("category", "supplier").filter(id=1),
)
def forward_select_related():
    product = Product.objects.select_related("category", "supplier").get(id=1)
    category_name = product.category.name  # No additional query
    supplier_name = product.supplier.name  # No additional query
    return {"product": product.name, "category": category_name, "supplier": supplier_name}


@example(SECTION, "Filter by related fields", errata=("E06",))
def filter_by_related_fields():
    electronics = Product.objects.filter(category__name="Electronics")
    high_rated_supplier_products = Product.objects.filter(supplier__rating__gte=4.0)
    return {
        "electronics products": electronics.count(),
        "products from suppliers rated 4.0+": high_rated_supplier_products.count(),
        "excluded (supplier below 4.0)": list(
            Product.objects.exclude(supplier__rating__gte=4.0).values_list("name", flat=True)
        ),
    }


# --- Reverse relationships ---------------------------------------------------------------------


@example(SECTION, "Reverse ForeignKey access: category.products", errata=("E28",))
def reverse_access():
    """Three queries, not the two the guide prints: the category, a COUNT for
    `products.count()`, and the SELECT of the loop."""
    category = Category.objects.get(name="Electronics")
    products = category.products.all()  # This performs a query
    count = products.count()
    return {
        "category": category.name,
        "count": count,
        "products": [f"{product.name}: ${product.price}" for product in products],
    }


@example(SECTION, "Reverse ForeignKey with prefetch_related", errata=("E28",))
def reverse_prefetch():
    """Two queries, not one JOIN as the guide prints: prefetch_related runs a second query
    (`WHERE category_id IN (...)`) and joins in Python; `count()` and the loop then use the
    prefetched rows."""
    category = Category.objects.prefetch_related("products").get(name="Electronics")
    products = category.products.all()  # No additional query
    return {
        "category": category.name,
        "count": products.count(),
        "products": [product.name for product in products],
    }


@example(
    SECTION,
    "Filter reverse relationships: categories with products",
    explain=lambda: Category.objects.filter(products__isnull=False).distinct(),
)
def categories_with_products():
    categories_with_products = Category.objects.filter(products__isnull=False).distinct()
    return categories_with_products.values("id", "name")


@example(
    SECTION,
    "Annotate with reverse relationship counts",
    explain=lambda: Category.objects.annotate(product_count=Count("products")).order_by(
        "-product_count"
    ),
)
def categories_with_counts():
    """Categories with the same product count come in no particular order."""
    categories_with_counts = Category.objects.annotate(
        product_count=Count("products"),
        active_product_count=Count("products", filter=Q(products__is_active=True)),
        avg_price=Avg("products__price"),
        total_stock=Sum("products__stock_quantity"),
    ).order_by("-product_count")
    return categories_with_counts.values(
        "name", "product_count", "active_product_count", "avg_price", "total_stock"
    )


# --- OneToOne ----------------------------------------------------------------------------------


@example(SECTION, "OneToOne forward: customer.user", requires=CUSTOMER_DATA)
def one_to_one_forward():
    customer = Customer.objects.get(id=1)
    user_email = customer.user.email  # Forward relation
    return {
        "customer": f"{customer.user.first_name} {customer.user.last_name}",
        "email": user_email,
        "phone": customer.phone,
    }


@example(SECTION, "OneToOne reverse: user.customer", requires=USER_DATA)
def one_to_one_reverse():
    user = User.objects.get(username="john_doe")
    try:
        customer_phone = user.customer.phone  # Reverse relation
        customer_address = user.customer.address
        return {"user": user.username, "phone": customer_phone, "address": customer_address}
    except Customer.DoesNotExist:
        return {"user": user.username, "message": "no customer profile"}


@example(SECTION, "OneToOne safe access with hasattr()", requires=USER_DATA)
def one_to_one_hasattr():
    """One query for the users, then one per user for `user.customer` (an N+1;
    `User.objects.select_related('customer')` would make it one query). `hasattr` is True only
    when the profile exists: the reverse accessor raises Customer.DoesNotExist otherwise."""
    users_with_profiles = []
    # staff accounts' contact data is never shown here: customers' accounts only
    for user in User.objects.filter(is_staff=False, is_superuser=False).order_by("id"):
        user_data = {
            "username": user.username,
            "email": user.email,
            "has_customer_profile": hasattr(user, "customer"),
        }
        if hasattr(user, "customer"):
            user_data["phone"] = user.customer.phone
            user_data["address"] = user.customer.address
        users_with_profiles.append(user_data)
    return users_with_profiles


@example(
    SECTION,
    "OneToOne with select_related",
    explain=lambda: Customer.objects.select_related("user").all(),
    requires=CUSTOMER_DATA,
)
def one_to_one_select_related():
    customers = Customer.objects.select_related("user").all()
    return [
        {
            "customer_id": customer.id,
            "full_name": f"{customer.user.first_name} {customer.user.last_name}",
            "phone": customer.phone,
            "email": customer.user.email,
        }
        for customer in customers
    ]


# --- ManyToMany --------------------------------------------------------------------------------
# In the guide these run one after another on the same product; here each entry starts from
# the real data (the previous one was rolled back), so each looks its objects up again.


@example(SECTION, "ManyToMany: current tags")
def m2m_current_tags():
    product = Product.objects.get(id=1)  # MacBook Pro
    return {
        "product": product.name,
        "current tags": list(product.tags.values_list("name", flat=True)),
    }


@example(SECTION, "ManyToMany: add() one tag", writes=True)
def m2m_add_one():
    product = Product.objects.get(id=1)  # MacBook Pro
    new_tag = Tag.objects.get(name="popular")
    product.tags.add(new_tag)
    return {"tags after add": list(product.tags.values_list("name", flat=True))}


@example(SECTION, "ManyToMany: add() several tags", writes=True)
def m2m_add_many():
    """Tags come back ordered by name (Tag's Meta.ordering), not in the order they were
    added."""
    product = Product.objects.get(id=1)  # MacBook Pro
    discount_tag = Tag.objects.get(name="discount")
    new_tag = Tag.objects.get(name="new")
    product.tags.add(discount_tag, new_tag)
    return {"tags after add": list(product.tags.values_list("name", flat=True))}


@example(SECTION, "ManyToMany: set() replaces all tags", writes=True)
def m2m_set():
    """In the guide set() runs after the add() examples; they are repeated first here (the
    lab rolled them back) so that set() has tags to remove."""
    product = Product.objects.get(id=1)  # MacBook Pro
    tag_bestseller = Tag.objects.get(name="bestseller")
    tag_premium = Tag.objects.get(name="premium")
    product.tags.add(*Tag.objects.filter(name__in=["popular", "discount", "new"]))
    before = list(product.tags.values_list("name", flat=True))

    product.tags.set([tag_bestseller, tag_premium])
    after = list(product.tags.values_list("name", flat=True))
    return {"before set()": before, "after set()": after}


@example(SECTION, "ManyToMany: remove()", writes=True)
def m2m_remove():
    product = Product.objects.get(id=1)  # MacBook Pro
    tag_premium = Tag.objects.get(name="premium")
    product.tags.remove(tag_premium)
    return {"tags after remove": list(product.tags.values_list("name", flat=True))}


@example(SECTION, "ManyToMany from both sides: product.tags and tag.products")
def m2m_both_sides():
    product = Product.objects.get(id=2)  # iPhone 15
    product_tags = product.tags.all()

    # Reverse relationship
    bestseller_tag = Tag.objects.get(name="bestseller")
    tagged_products = bestseller_tag.products.order_by("id")
    return {
        f"{product.name} tags": [tag.name for tag in product_tags],
        "products tagged bestseller": [p.name for p in tagged_products],
    }


@example(
    SECTION,
    "Filter ManyToMany relationships",
    explain=lambda: Product.objects.filter(tags__name="bestseller"),
)
def m2m_filter():
    bestseller_products = Product.objects.filter(tags__name="bestseller")
    popular_products = Product.objects.filter(tags__name="popular")
    return {
        "bestseller count": bestseller_products.count(),
        "bestseller": list(bestseller_products.order_by("id").values_list("name", flat=True)),
        "popular count": popular_products.count(),
        "popular": list(popular_products.order_by("id").values_list("name", flat=True)),
    }


@example(SECTION, "Products with more than one tag", errata=("E12",))
def m2m_multiple_tags():
    """One query for the products, then one per product for its tag names (an N+1;
    `prefetch_related('tags')` would avoid it)."""
    products_with_multiple_tags = (
        Product.objects.annotate(tag_count=Count("tags"))
        .filter(tag_count__gt=1)
        .order_by("-tag_count", "name")
    )
    return [
        {
            "name": product.name,
            "tag_count": product.tag_count,
            "tags": list(product.tags.values_list("name", flat=True)),
        }
        for product in products_with_multiple_tags
    ]


@example(SECTION, "ManyToMany: clear()", writes=True)
def m2m_clear():
    product = Product.objects.get(id=1)
    before = list(product.tags.values_list("name", flat=True))
    product.tags.clear()
    return {"before": before, "after clear()": list(product.tags.values_list("name", flat=True))}


# --- Complex joins with select_related and prefetch_related ------------------------------------


@example(
    SECTION,
    "select_related for ForeignKey and OneToOne",
    explain=lambda: Product.objects.select_related("category", "supplier").all(),
)
def complex_select_related():
    products = Product.objects.select_related("category", "supplier").all()
    return [
        {"name": p.name, "category": p.category.name, "supplier": p.supplier.name} for p in products
    ]


@example(SECTION, "prefetch_related for reverse ForeignKey and ManyToMany")
def complex_prefetch_related():
    categories = Category.objects.prefetch_related("products").all()
    return [
        {"category": c.name, "products": [p.name for p in c.products.all()]} for c in categories
    ]


@example(SECTION, "select_related and prefetch_related combined")
def complex_combined():
    """Three queries whatever the number of products: products with category and supplier
    (JOIN), then tags, then reviews."""
    products = (
        Product.objects.select_related("category", "supplier")
        .prefetch_related("tags", "reviews")
        .all()
    )
    return [
        {
            "name": p.name,
            "category": p.category.name,
            "supplier": p.supplier.name,
            "tags": [t.name for t in p.tags.all()],
            "reviews": len(p.reviews.all()),
        }
        for p in products
    ]


@example(SECTION, "Prefetch() with a filtered queryset")
def complex_prefetch_filtered():
    products = Product.objects.prefetch_related(
        Prefetch(
            "reviews",
            queryset=Review.objects.filter(rating__gte=4).select_related("customer"),
        )
    ).all()
    return [
        {"name": p.name, "reviews of 4+ stars": [r.rating for r in p.reviews.all()]}
        for p in products
    ]


@example(SECTION, "Deep relationships: customer__user, items__product__category")
def complex_deep():
    """Five queries: orders with customer and user (JOIN), then the order items, their
    products, the products' categories and suppliers."""
    orders = (
        Order.objects.select_related("customer__user")
        .prefetch_related("items__product__category", "items__product__supplier")
        .all()
    )
    rows = []
    for order in orders:
        for item in order.items.all():
            rows.append(
                {
                    "order": order.id,
                    "ordered by": order.customer.user.first_name,
                    "product": item.product.name,
                    "category": item.product.category.name,
                }
            )
    return rows


# --- Relationships (Basic to Advanced) ---------------------------------------------------------


@example(SECTION, "Relationships 1.1: basic forward access", errata=("E23",))
def relationships_forward_basic():
    product = Product.objects.get(id=1)
    category = product.category  # This hits the database
    supplier = product.supplier  # Another database hit
    return {
        "product": product.name,
        "price": product.price,
        "category": category.name,
        "category description": category.description,
        "supplier": supplier.name,
        "supplier email": supplier.email,
    }


@example(SECTION, "Relationships 1.2: optimized with select_related", errata=("E23",))
def relationships_forward_select_related():
    product = Product.objects.select_related("category", "supplier").get(id=1)
    category = product.category  # No database hit
    supplier = product.supplier  # No database hit
    return {
        "product": product.name,
        "price": product.price,
        "category": category.name,
        "category description": category.description,
        "supplier": supplier.name,
        "supplier email": supplier.email,
    }


@example(SECTION, "Relationships 2.1: add tags", writes=True, errata=("E22",))
def relationships_m2m_add():
    """Adding tags the product already has changes nothing (no duplicate rows in the junction
    table)."""
    product = Product.objects.get(id=1)  # MacBook Pro
    tag_premium = Tag.objects.get(name="premium")
    tag_bestseller = Tag.objects.get(name="bestseller")
    initial_tags = list(product.tags.values_list("name", flat=True))

    product.tags.add(tag_premium, tag_bestseller)
    return {
        "initial tags": initial_tags,
        "premium id": tag_premium.id,
        "bestseller id": tag_bestseller.id,
        "after add": list(product.tags.values_list("name", flat=True)),
    }
