"""The guide's "Custom Managers and QuerySets" section on the loaded dataset and on factories."""

from collections import defaultdict
from decimal import Decimal

import pytest

from backoffice.models import Product
from tests.factories import CategoryFactory, ProductFactory, ReviewFactory
from tests.seed import dec, rows

CATEGORY_NAME = {row["id"]: row["name"] for row in rows("categories")}


@pytest.mark.usefixtures("seed")
def test_active_objects_manager_holds_only_active_products():
    Product.objects.filter(pk=1).update(is_active=False)
    expected = {row["id"] for row in rows("products") if row["is_active"]} - {1}
    assert set(Product.active_objects.values_list("id", flat=True)) == expected
    assert set(Product.objects.values_list("id", flat=True)) == {r["id"] for r in rows("products")}


@pytest.mark.usefixtures("seed")
def test_chained_queryset_methods():
    expected = {
        row["id"]
        for row in rows("products")
        if row["is_active"]
        and dec(row["price"]) >= 100
        and CATEGORY_NAME[row["category_id"]] == "Electronics"
    }
    result = Product.objects.active().expensive().by_category("Electronics")
    assert set(result.values_list("id", flat=True)) == expected


@pytest.mark.usefixtures("seed")
def test_with_reviews_annotates_count_and_average():
    ratings = defaultdict(list)
    for review in rows("reviews"):
        ratings[review["product_id"]].append(review["rating"])
    products = Product.objects.active().with_reviews()
    for product in products:
        expected = ratings.get(product.id, [])
        assert product.review_count == len(expected)
        if expected:
            assert product.avg_rating == pytest.approx(sum(expected) / len(expected))
        else:
            assert product.avg_rating is None
        assert len(product.reviews.all()) == len(expected)  # prefetched


@pytest.mark.django_db
def test_with_reviews_is_not_multiplied_by_other_relations():
    product = ProductFactory()
    for rating in (5, 4, 2):
        ReviewFactory(product=product, rating=rating)
    annotated = Product.objects.with_reviews().get(pk=product.pk)
    assert annotated.review_count == 3
    assert annotated.avg_rating == pytest.approx(11 / 3)


@pytest.mark.django_db
def test_the_guides_manager_test_case():
    """The guide's test_custom_manager_methods, with its own data."""
    category = CategoryFactory(name="Electronics")
    active = ProductFactory(name="Active Product", price=Decimal("100.00"), category=category)
    inactive = ProductFactory(
        name="Inactive Product", price=Decimal("150.00"), is_active=False, category=category
    )
    assert active in Product.objects.active()
    assert inactive not in Product.objects.active()
    assert Product.objects.by_category("Electronics").count() == 2
