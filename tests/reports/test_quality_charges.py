"""The data-quality report and charges: the differs check uses items + shipping + tax −
discount and says so; revenue stays the lines; a review without text reads as such."""

from decimal import Decimal

import pytest
from django.urls import reverse

from backoffice.models.reviews import NO_COMMENT
from backoffice.reports.quality import orders_differing_from_items
from tests.factories import OrderFactory, OrderItemFactory, ProductFactory, ReviewFactory
from tests.importing.conftest import page_text

pytestmark = pytest.mark.django_db


def quality_page(client):
    response = client.get(reverse("admin:report", args=["data-quality"]))
    assert response.status_code == 200
    return response


def test_an_order_charged_its_items_and_shipping_is_no_problem(admin_client):
    fine = OrderFactory(total_amount=Decimal("54.99"), shipping_amount=Decimal("4.99"))
    OrderItemFactory(order=fine, product=ProductFactory(price=Decimal("50.00")))
    off = OrderFactory(total_amount=Decimal("50.00"), shipping_amount=Decimal("4.99"))
    OrderItemFactory(order=off, product=ProductFactory(price=Decimal("50.00")))
    assert set(orders_differing_from_items().values_list("pk", flat=True)) == {off.pk}
    rows = quality_page(admin_client).context["table"].rows
    [row] = [r for r in rows if r["problem"].startswith("Order total")]
    assert row["record"].startswith(f"Order #{off.pk} ")
    assert row["detail"] == (
        "charged 50.00; items 50.00 + shipping 4.99 + tax 0.00 − discount 0.00 = 54.99"
    )


def test_the_page_says_what_revenue_is_and_what_the_check_compares(admin_client):
    text = page_text(quality_page(admin_client))
    assert "shipping, tax and discounts are not revenue" in text
    assert "compares what the customer was charged with items + shipping + tax − discount" in text


def test_a_review_without_text_reads_as_a_rating_alone(admin_client):
    review = ReviewFactory(comment="", rating=5)  # its customer never bought the product
    rows = quality_page(admin_client).context["table"].rows
    [row] = [r for r in rows if r["problem"].startswith("Review")]
    assert row["detail"].endswith(f"5/5: {NO_COMMENT}")
    reviews = admin_client.get(reverse("admin:backoffice_review_changelist"))
    assert NO_COMMENT in reviews.content.decode()
    product = admin_client.get(reverse("admin:backoffice_product_change", args=[review.product_id]))
    assert NO_COMMENT in product.content.decode()
