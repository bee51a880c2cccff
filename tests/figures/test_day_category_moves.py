"""A product moved to another category moves its sales of every day it sold on to that
category (``DayCategorySales``), through the product page's save and a set-based update."""

import pytest

from backoffice.figures.rebuild import check
from backoffice.models import Category, DayCategorySales, OrderItem, Product

pytestmark = pytest.mark.django_db


def a_product_with_sales_and_another_category():
    sold = OrderItem.objects.counted().values("product")
    product = Product.objects.filter(pk__in=sold).order_by("pk").first()
    other = Category.objects.exclude(pk=product.category_id).order_by("pk").first()
    return product, other


def category_units(category):
    return sum(DayCategorySales.objects.filter(category=category).values_list("units", flat=True))


def test_a_product_saved_in_another_category_takes_its_sales_along(seed):
    product, other = a_product_with_sales_and_another_category()
    units = sum(
        OrderItem.objects.counted().filter(product=product).values_list("quantity", flat=True)
    )
    before = category_units(other)
    product.category = other
    product.save()
    assert check() == []
    assert category_units(other) == before + units


def test_products_moved_by_an_update_take_their_sales_along(seed):
    product, other = a_product_with_sales_and_another_category()
    Product.objects.filter(pk=product.pk).update(category=other)
    assert check() == []
