"""The order lines list: order, product, category, quantities and prices, line total, today's
price and the drift since the sale; filters by order status, category and order date."""

from decimal import Decimal

import pytest
from django.urls import reverse

from backoffice.models import Product
from tests.factories import OrderItemFactory, ProductFactory
from tests.seed import by_id, dec, rows

pytestmark = pytest.mark.django_db

URL = reverse("admin:backoffice_orderitem_changelist")


def listed(client, params=None):
    response = client.get(URL, params or {})
    assert response.status_code == 200
    return response, sorted(item.pk for item in response.context["cl"].result_list)


def test_every_column_on_the_sample_data(admin_client, seed):
    Product.objects.filter(pk=1).update(price=Decimal("1199.99"))  # MacBook Pro got cheaper
    response, ids = listed(admin_client)
    assert ids == sorted(by_id("order_items"))
    products, categories = by_id("products"), by_id("categories")
    for item in response.context["cl"].result_list:
        row = by_id("order_items")[item.pk]
        product = products[row["product_id"]]
        today = Decimal("1199.99") if product["id"] == 1 else dec(product["price"])
        assert (item.order_id, item.product_id, item.quantity) == (
            row["order_id"],
            row["product_id"],
            row["quantity"],
        )
        assert item.product.category.name == categories[product["category_id"]]["name"]
        assert item.line_amount == dec(row["price"]) * row["quantity"]
        assert item.current_price == today
        assert item.price_drift == today - dec(row["price"])
    first = next(i for i in response.context["cl"].result_list if i.pk == 1)
    assert first.price_drift == Decimal("-100.00")
    html = response.content.decode()
    assert f'href="{reverse("admin:backoffice_order_change", args=[1])}"' in html


@pytest.mark.parametrize("status", ["pending", "delivered", "cancelled"])
def test_order_status_filter(admin_client, seed, status):
    orders = {o["id"] for o in rows("orders") if o["status"] == status}
    expected = sorted(i["id"] for i in rows("order_items") if i["order_id"] in orders)
    assert listed(admin_client, {"order_status": status})[1] == expected


def test_category_filter(admin_client, seed):
    books = {p["id"] for p in rows("products") if p["category_id"] == 3}
    expected = sorted(i["id"] for i in rows("order_items") if i["product_id"] in books)
    assert expected  # the sample sold books
    assert listed(admin_client, {"category": "3"})[1] == expected


def test_order_date_range_filter(admin_client, seed):
    orders = {o["id"] for o in rows("orders") if o["order_date"][:10] >= "2024-03-08"}
    expected = sorted(i["id"] for i in rows("order_items") if i["order_id"] in orders)
    assert listed(admin_client, {"order__order_date__range__gte": "2024-03-08"})[1] == expected


def test_line_total_of_a_built_line():
    item = OrderItemFactory(quantity=3, price=Decimal("2.50"), product=ProductFactory())
    annotated = type(item).objects.with_line_details().get(pk=item.pk)
    assert (annotated.line_amount, annotated.price_drift) == (
        Decimal("7.50"),
        item.product.price - Decimal("2.50"),
    )


@pytest.mark.parametrize("params", [{"order_status": "lost"}, {"category": "abc"}])
def test_junk_filter_values_give_the_list_and_a_message(admin_client, seed, params):
    response = admin_client.get(URL, params, follow=True)
    assert response.context["cl"].result_count == len(rows("order_items"))
    assert "ignored" in " ".join(str(m) for m in response.context["messages"])
