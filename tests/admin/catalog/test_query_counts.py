"""Every catalog list and change page runs a fixed number of queries, whatever the size.

The same bound is asserted with 10 and with 200 products, each with tags, reviews, order lines,
metadata and inventory log rows, so a query per row (N+1) fails at 200.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from backoffice.models import (
    Category,
    InventoryLog,
    InventoryReason,
    OrderItem,
    Product,
    ProductMeta,
    Review,
    Supplier,
    Tag,
)
from tests.factories import CustomerFactory, OrderFactory

SIZES = [10, 200]


def build_catalog(size: int) -> Product:
    """``size`` products over 3 categories and suppliers, each with 2 tags, up to 3 reviews,
    2 order lines, metadata and a log row. Bulk-created: the point is the page, not the setup."""
    categories = [Category.objects.create(name=f"Category {i}") for i in range(3)]
    suppliers = [
        Supplier.objects.create(
            name=f"Supplier {i}", email=f"s{i}@example.com", phone="1", address="x", rating=4.0
        )
        for i in range(3)
    ]
    tags = [Tag.objects.create(name=f"tag {i}") for i in range(4)]
    products = Product.objects.bulk_create(
        Product(
            name=f"Product {i:03}",
            price=Decimal("5.00") + i,
            stock_quantity=i % 40,
            category=categories[i % 3],
            supplier=suppliers[i % 3],
        )
        for i in range(size)
    )
    Product.tags.through.objects.bulk_create(
        Product.tags.through(product=p, tag=tags[(i + k) % 4])
        for i, p in enumerate(products)
        for k in range(2)
    )
    customers = [CustomerFactory() for _ in range(3)]
    Review.objects.bulk_create(
        Review(product=p, customer=c, rating=1 + i % 5, comment="ok")
        for i, p in enumerate(products)
        for c in customers[: 1 + i % 3]
    )
    orders = [OrderFactory(customer=customers[0], status=s) for s in ("delivered", "cancelled")]
    OrderItem.objects.bulk_create(
        OrderItem(order=o, product=p, quantity=2, price=p.price) for p in products for o in orders
    )
    ProductMeta.objects.bulk_create(
        ProductMeta(product=p, metadata={"color": ["red", "blue"][i % 2]})
        for i, p in enumerate(products)
    )
    InventoryLog.objects.bulk_create(
        InventoryLog(
            product=p, change=1, stock_after=p.stock_quantity, reason=InventoryReason.RESTOCK
        )
        for p in products
    )
    return products[0]


def pages(first: Product) -> dict[str, str]:
    category, supplier = first.category_id, first.supplier_id
    return {
        "product list": reverse("admin:backoffice_product_changelist"),
        "product list, filtered and sorted": reverse("admin:backoffice_product_changelist")
        + "?price_band=Cheap&has_reviews=yes&color=red&o=-13&price__range__gte=1",
        "product list with facets": reverse("admin:backoffice_product_changelist") + "?_facets=1",
        "product list, editing": reverse("admin:backoffice_product_changelist") + "?edit=1",
        "product change": reverse("admin:backoffice_product_change", args=[first.pk]),
        "product add": reverse("admin:backoffice_product_add"),
        "category list": reverse("admin:backoffice_category_changelist"),
        "category change": reverse("admin:backoffice_category_change", args=[category]),
        "supplier list": reverse("admin:backoffice_supplier_changelist"),
        "supplier change": reverse("admin:backoffice_supplier_change", args=[supplier]),
        "tag list": reverse("admin:backoffice_tag_changelist"),
        "tag change": reverse("admin:backoffice_tag_change", args=[Tag.objects.first().pk]),
        "review list": reverse("admin:backoffice_review_changelist"),
        "review change": reverse(
            "admin:backoffice_review_change", args=[Review.objects.first().pk]
        ),
        "inventory log list": reverse("admin:backoffice_inventorylog_changelist"),
        "inventory log change": reverse(
            "admin:backoffice_inventorylog_change", args=[InventoryLog.objects.first().pk]
        ),
    }


# The most queries each page may take: session and user (2), the page's own queries, each
# related filter's choices. Measured once and pinned; the same bound holds at 10 and 200
# products. Every list finds its page's ids first, then reads that page (one query more,
# ``PageFirstChangeList``). With facets ("Show counts") Django rebuilds every filter once per filter, so that
# page's bound grows with the number of filters, never with the number of products.
MAX_QUERIES = {
    "product list": 12,
    "product list, filtered and sorted": 12,
    "product list with facets": 56,  # + the "number of tags" filter's choices
    "product list, editing": 12,  # the inputs are built from the page's rows: no query more
    "product change": 14,  # + the 4-star-and-up reviews panel (the product, its Prefetch)
    "product add": 5,
    "category list": 6,
    "category change": 4,
    "supplier list": 6,
    "supplier change": 4,
    "tag list": 6,
    "tag change": 4,
    "review list": 8,
    "review change": 7,
    "inventory log list": 7,
    "inventory log change": 4,
}


@pytest.mark.django_db
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("page", list(MAX_QUERIES))
def test_page_query_count_is_fixed(admin_client, django_assert_max_num_queries, size, page):
    first = build_catalog(size)
    url = pages(first)[page]
    admin_client.get(url)  # warm caches (content types, session) like a second visit
    with django_assert_max_num_queries(MAX_QUERIES[page]):
        response = admin_client.get(url)
    assert response.status_code == 200
    if "list" in page and "inventory" not in page and "facets" not in page:
        assert response.context["cl"].result_count > 0
