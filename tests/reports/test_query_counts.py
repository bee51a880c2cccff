"""The dashboard and every report run a fixed number of queries, whatever the data size."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from backoffice.models import OrderStatus
from backoffice.reports.registry import REPORTS
from tests.factories import (
    CategoryFactory,
    CustomerFactory,
    OrderFactory,
    OrderItemFactory,
    ProductFactory,
    ReviewFactory,
    SupplierFactory,
)

STATUSES = list(OrderStatus)


def build_shop(orders: int):
    """`orders` orders of every status over a few customers and products, with reviews."""
    categories = [CategoryFactory() for _ in range(3)]
    suppliers = [SupplierFactory() for _ in range(3)]
    products = [
        ProductFactory(category=categories[i % 3], supplier=suppliers[i % 3], stock_quantity=i % 30)
        for i in range(max(orders // 4, 3))
    ]
    customers = [CustomerFactory() for _ in range(max(orders // 5, 2))]
    for i in range(orders):
        order = OrderFactory(
            customer=customers[i % len(customers)],
            status=STATUSES[i % len(STATUSES)],
            total_amount=Decimal("10.00"),
        )
        OrderItemFactory(order=order, product=products[i % len(products)], quantity=1 + i % 3)
    for i, customer in enumerate(customers):
        ReviewFactory(customer=customer, product=products[i % len(products)], rating=1 + i % 5)


# The most queries any of these pages may take (session, user, messages, the figures); the
# same bound must hold at 10 and at 200 orders.
DASHBOARD_MAX = 17
REPORT_MAX = 6


@pytest.mark.parametrize("orders", [10, 200])
def test_dashboard_query_count_is_fixed(admin_client, django_assert_max_num_queries, orders):
    build_shop(orders)
    cache.clear()
    with django_assert_max_num_queries(DASHBOARD_MAX):
        response = admin_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert response.context["dashboard"]["kpis"]["orders"] == orders


@pytest.mark.parametrize("orders", [10, 200])
@pytest.mark.parametrize("slug", sorted(REPORTS))
def test_report_query_count_is_fixed(admin_client, django_assert_max_num_queries, orders, slug):
    build_shop(orders)
    with django_assert_max_num_queries(REPORT_MAX):
        response = admin_client.get(reverse("admin:report", args=[slug]))
    assert response.status_code == 200
