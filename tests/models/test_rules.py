"""Every model rule: a clear error on the right field from full_clean(), and a database
constraint that still refuses the value when validation is bypassed with update()."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from backoffice.models import Order, OrderItem, Product, Review, Supplier
from tests.factories import (
    CategoryFactory,
    OrderFactory,
    OrderItemFactory,
    ProductFactory,
    ReviewFactory,
    SupplierFactory,
)

pytestmark = pytest.mark.django_db


def field_errors(instance) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as raised:
        instance.full_clean()
    return raised.value.message_dict


def assert_database_refuses(queryset, **values):
    with pytest.raises(IntegrityError), transaction.atomic():
        queryset.update(**values)


@pytest.mark.parametrize(
    ("model_factory", "field", "bad_value", "words"),
    [
        (ProductFactory, "price", Decimal("0"), "more than zero"),
        (ProductFactory, "price", Decimal("-5"), "more than zero"),
        (ProductFactory, "stock_quantity", -1, "negative"),
        (ProductFactory, "sku", "EL-12", "ABC-1234"),
        (ProductFactory, "sku", "el-1234", "ABC-1234"),
        (SupplierFactory, "rating", 0.5, "at least 1.0"),
        (SupplierFactory, "rating", 5.5, "at most 5.0"),
        (ReviewFactory, "rating", 0, "at least 1"),
        (ReviewFactory, "rating", 6, "at most 5"),
        (OrderItemFactory, "quantity", 0, "at least 1"),
    ],
)
def test_single_field_rules(model_factory, field, bad_value, words):
    instance = model_factory()
    setattr(instance, field, bad_value)
    errors = field_errors(instance)
    assert list(errors) == [field]
    assert words in " ".join(errors[field])
    assert_database_refuses(type(instance).objects.filter(pk=instance.pk), **{field: bad_value})


def test_price_must_be_higher_than_cost():
    product = ProductFactory(price=Decimal("20.00"))
    product.cost = Decimal("20.00")
    assert "higher than the cost" in field_errors(product)["price"][0]
    assert_database_refuses(Product.objects.filter(pk=product.pk), cost=Decimal("25.00"))
    product.cost = Decimal("19.99")
    product.full_clean()  # one cent of margin is fine


def test_sku_is_optional_and_unique_when_present():
    category = CategoryFactory(name="Books")
    first = ProductFactory(category=category, sku="BK-1234")
    ProductFactory(category=category, sku=None)
    ProductFactory(category=category, sku=None)  # several products without SKU are fine
    second = ProductFactory(category=category)
    second.sku = "BK-1234"
    assert "already exists" in field_errors(second)["sku"][0]
    assert_database_refuses(Product.objects.filter(pk=second.pk), sku=first.sku)


def test_blank_sku_is_stored_as_no_sku():
    product = ProductFactory.build(sku="", category=CategoryFactory(), supplier=SupplierFactory())
    product.full_clean()
    assert product.sku is None


@pytest.mark.parametrize(
    ("category_name", "sku", "accepted"),
    [
        ("Electronics", "EL-1234", True),
        ("Electronics", "CL-1234", False),
        ("Clothing", "CL-123456", True),
        ("Books", "EL-1234", False),
        ("Sports", "SP-0001", True),
        ("Home & Garden", "HG-1234", True),  # the guide names no prefix for this category
    ],
)
def test_sku_prefix_follows_the_category(category_name, sku, accepted):
    product = ProductFactory(category=CategoryFactory(name=category_name), price=Decimal("150"))
    product.sku = sku
    if accepted:
        product.full_clean()
    else:
        errors = field_errors(product)
        assert list(errors) == ["sku"]
        assert f"for {category_name}" in errors["sku"][0]


def test_electronics_cost_at_least_100_dollars():
    electronics = CategoryFactory(name="Electronics")
    product = ProductFactory(category=electronics, price=Decimal("100.00"))
    product.full_clean()
    product.price = Decimal("99.99")
    assert "Electronics items must cost at least $100" in field_errors(product)["price"][0]
    other = ProductFactory(category=CategoryFactory(name="Books"), price=Decimal("9.99"))
    other.full_clean()


def test_the_guides_cheap_electronics_example_reports_every_broken_rule():
    """The guide's own example overwrites one price error with the other; we report both."""
    product = Product(
        name="Cheap Electronics",
        sku="CL-1234",
        price=Decimal("50.00"),
        cost=Decimal("60.00"),
        category=CategoryFactory(name="Electronics"),
        supplier=SupplierFactory(),
    )
    errors = field_errors(product)
    assert set(errors) == {"price", "sku"}
    assert len(errors["price"]) == 2
    assert any("higher than the cost" in message for message in errors["price"])
    assert any("at least $100" in message for message in errors["price"])
    assert errors["sku"] == ["The SKU must start with EL- for Electronics."]


def test_product_name_is_unique_per_supplier_only():
    supplier = SupplierFactory()
    first = ProductFactory(name="Lamp", supplier=supplier)
    ProductFactory(name="Lamp")  # another supplier may sell a "Lamp"
    duplicate = ProductFactory(name="Desk", supplier=supplier)
    duplicate.name = "Lamp"
    assert "already has a product with this name" in field_errors(duplicate)["name"][0]
    assert_database_refuses(Product.objects.filter(pk=duplicate.pk), name=first.name)


def test_one_review_per_customer_and_product():
    review = ReviewFactory()
    second = Review(customer=review.customer, product=review.product, rating=3, comment="Again")
    assert "already reviewed" in field_errors(second)["product"][0]
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


def test_delivery_cannot_be_before_the_order_date():
    order = OrderFactory()
    order.delivery_date = order.order_date - timedelta(minutes=1)
    assert "before the order date" in field_errors(order)["delivery_date"][0]
    assert_database_refuses(Order.objects.filter(pk=order.pk), delivery_date=order.delivery_date)
    order.delivery_date = order.order_date
    order.full_clean()


def test_order_item_quantity_rule_is_also_in_the_database():
    item = OrderItemFactory()
    assert_database_refuses(OrderItem.objects.filter(pk=item.pk), quantity=0)


def test_supplier_rating_bounds_are_inclusive():
    supplier = SupplierFactory(rating=1.0)
    supplier.full_clean()
    supplier.rating = 5.0
    supplier.full_clean()
    Supplier.objects.filter(pk=supplier.pk).update(rating=5.0)


def test_status_is_one_of_the_choices():
    order = OrderFactory()
    order.status = "lost"
    assert "status" in field_errors(order)
