"""Every order and customer page runs a fixed number of SQL queries, whatever its size.

Each page is measured small and large under the same ``django_assert_max_num_queries``
maximum, and the two counts must also be equal: a page that grows by one query per row fails
even if it stays under the maximum.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from backoffice.models import OrderStatusChange
from tests.factories import (
    CategoryFactory,
    CustomerFactory,
    OrderFactory,
    OrderItemFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db

# session, user, category choices, the chosen product (when filtered), the count with the
# status summary (one pass), the page's ids, the page, the date drill-down (from the kept day
# sales, or for other lists its first and last order and a probe per year of the shop's
# orders: constant in the rows), and on PostgreSQL the matching ids of a search and of the
# category filter, each read once
ORDER_LIST_MAX = 12
ORDER_PAGE_MAX = 5  # session, user, the order (with its totals), its lines, its timeline
LIST_MAX = 7  # + on PostgreSQL, unfiltered: the table's estimated size (pagination.py)
PAGE_MAX = 5
USER_PAGE_MAX = 10  # Django's user page also loads groups and permissions


@pytest.fixture
def shop():
    category = CategoryFactory(name="Gadgets")
    products = [ProductFactory(category=category, stock_quantity=1000) for _ in range(3)]
    customers = [CustomerFactory() for _ in range(4)]
    return products, customers


def make_orders(count, products, customers, lines=2):
    start = timezone.now() - timedelta(days=count + 1)
    orders = []
    for i in range(count):
        order = OrderFactory(
            customer=customers[i % len(customers)],
            order_date=start + timedelta(days=i),
            total_amount=Decimal("10.00"),
            status=["pending", "processing", "delivered"][i % 3],
        )
        for j in range(lines):
            OrderItemFactory(order=order, product=products[(i + j) % len(products)])
        OrderStatusChange.objects.create(order=order, from_status="", to_status="pending")
        orders.append(order)
    return orders


def measure(client, assert_max, maximum, url, params=None):
    with assert_max(maximum) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status": "pending", "total_differs": "yes", "segment": "Regular"},
        {"product": "PRODUCT", "category": "CATEGORY", "q": "Product"},
        {"order_date__range__gte": "2000-01-01", "delivered": "no", "o": "-8"},
    ],
    ids=["plain", "filters", "product-category-search", "dates-sorted-by-item-count"],
)
def test_order_list_at_10_and_200_orders(admin_client, django_assert_max_num_queries, shop, params):
    products, customers = shop
    params = {
        key: {"PRODUCT": str(products[0].pk), "CATEGORY": str(products[0].category_id)}.get(
            value, value
        )
        for key, value in params.items()
    }
    url = reverse("admin:backoffice_order_changelist")
    admin_client.get(url)  # warm the content-type cache
    make_orders(10, products, customers)
    small = measure(admin_client, django_assert_max_num_queries, ORDER_LIST_MAX, url, params)
    make_orders(190, products, customers)
    large = measure(admin_client, django_assert_max_num_queries, ORDER_LIST_MAX, url, params)
    assert small == large


def test_order_page_with_2_and_50_lines(admin_client, django_assert_max_num_queries, shop):
    products, customers = shop
    many_products = [ProductFactory(stock_quantity=5) for _ in range(50)]
    few = make_orders(1, products, customers, lines=2)[0]
    many = OrderFactory(customer=customers[0], status="pending")
    for product in many_products:
        OrderItemFactory(order=many, product=product)
    change = "admin:backoffice_order_change"
    admin_client.get(reverse(change, args=[few.pk]))  # warm the content-type cache
    small = measure(
        admin_client,
        django_assert_max_num_queries,
        ORDER_PAGE_MAX,
        reverse(change, args=[few.pk]),
    )
    large = measure(
        admin_client,
        django_assert_max_num_queries,
        ORDER_PAGE_MAX,
        reverse(change, args=[many.pk]),
    )
    assert small == large
    measure(
        admin_client, django_assert_max_num_queries, PAGE_MAX, reverse("admin:backoffice_order_add")
    )


def test_order_lines_list_at_10_and_200_orders(admin_client, django_assert_max_num_queries, shop):
    products, customers = shop
    url = reverse("admin:backoffice_orderitem_changelist")
    params = {"order_status": "pending", "category": str(products[0].category_id)}
    make_orders(10, products, customers)
    small = measure(admin_client, django_assert_max_num_queries, LIST_MAX, url, params)
    make_orders(190, products, customers)
    large = measure(admin_client, django_assert_max_num_queries, LIST_MAX, url, params)
    assert small == large


@pytest.mark.parametrize(
    "params", [{}, {"has_orders": "yes", "segment": "Regular", "inactive": "yes"}]
)
def test_customer_list_at_10_and_200_customers(
    admin_client, django_assert_max_num_queries, shop, params
):
    products, _ = shop
    url = reverse("admin:backoffice_customer_changelist")
    admin_client.get(url)
    make_orders(20, products, [CustomerFactory() for _ in range(10)])
    small = measure(admin_client, django_assert_max_num_queries, LIST_MAX, url, params)
    make_orders(400, products, [CustomerFactory() for _ in range(190)])
    large = measure(admin_client, django_assert_max_num_queries, LIST_MAX, url, params)
    assert small == large


def test_customer_page_with_2_and_50_orders(admin_client, django_assert_max_num_queries, shop):
    products, _ = shop
    few, many = CustomerFactory(), CustomerFactory()
    make_orders(2, products, [few])
    make_orders(50, products, [many])
    change = "admin:backoffice_customer_change"
    admin_client.get(reverse(change, args=[few.pk]))
    small = measure(
        admin_client, django_assert_max_num_queries, PAGE_MAX, reverse(change, args=[few.pk])
    )
    large = measure(
        admin_client, django_assert_max_num_queries, PAGE_MAX, reverse(change, args=[many.pk])
    )
    assert small == large
    measure(
        admin_client,
        django_assert_max_num_queries,
        PAGE_MAX,
        reverse("admin:backoffice_customer_add"),
    )


def test_user_list_and_page(admin_client, django_assert_max_num_queries):
    url = reverse("admin:auth_user_changelist")
    admin_client.get(url)
    CustomerFactory.create_batch(10)
    small = measure(admin_client, django_assert_max_num_queries, LIST_MAX, url)
    CustomerFactory.create_batch(190)
    large = measure(admin_client, django_assert_max_num_queries, LIST_MAX, url)
    assert small == large
    user = CustomerFactory().user
    measure(
        admin_client,
        django_assert_max_num_queries,
        USER_PAGE_MAX,
        reverse("admin:auth_user_change", args=[user.pk]),
    )
