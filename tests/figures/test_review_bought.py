"""The kept "bought" of a review (``ReviewFigures``) follows its customer's orders of its
product: placed, cancelled, deleted, moved to another customer; and the review's own moves."""

import pytest

from backoffice.figures.rebuild import check
from backoffice.models import Review
from backoffice.services.order_status import order_set_status
from backoffice.services.orders import OrderLine, order_create
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db


def non_buyer_reviews() -> set[int]:
    return set(Review.objects.by_non_buyers().values_list("pk", flat=True))


def test_a_review_counts_as_a_buyers_once_the_customer_orders_and_not_once_cancelled():
    product, customer = ProductFactory(stock_quantity=10), CustomerFactory()
    review = Review.objects.create(product=product, customer=customer, rating=5, comment="Nice")
    assert non_buyer_reviews() == {review.pk}

    order = order_create(customer=customer, lines=[OrderLine(product.pk, 1)])
    assert non_buyer_reviews() == set()

    order_set_status(order=order, to_status="cancelled")
    assert non_buyer_reviews() == {review.pk}
    assert check() == []


def test_moves_of_the_order_or_the_review_are_followed():
    product, other = ProductFactory(stock_quantity=10), ProductFactory(stock_quantity=10)
    customer, someone = CustomerFactory(), CustomerFactory()
    review = Review.objects.create(product=product, customer=customer, rating=5, comment="Nice")
    order = order_create(customer=customer, lines=[OrderLine(product.pk, 1)])
    assert non_buyer_reviews() == set()

    order.customer = someone  # the order page: the order was someone else's
    order.save()
    assert non_buyer_reviews() == {review.pk}

    review.customer = someone
    review.save()
    assert non_buyer_reviews() == set()

    review.product = other
    review.save()
    assert non_buyer_reviews() == {review.pk}

    order.items.update(product=other)  # set-based: an import or a script
    assert non_buyer_reviews() == set()

    order.items.all().delete()
    assert non_buyer_reviews() == {review.pk}
    assert check() == []
