"""factory_boy factories: small valid objects, overridable per test."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from backoffice import models


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Category
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Category {n}")
    description = "Things"


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Supplier

    name = factory.Sequence(lambda n: f"Supplier {n}")
    email = factory.LazyAttribute(lambda o: f"{o.name.lower().replace(' ', '')}@example.com")
    phone = "555-0000"
    address = "1 Supply Road"
    rating = 4.0


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Product

    name = factory.Sequence(lambda n: f"Product {n}")
    description = "A product"
    price = Decimal("20.00")
    stock_quantity = 10
    category = factory.SubFactory(CategoryFactory)
    supplier = factory.SubFactory(SupplierFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = factory.Sequence(lambda n: f"Last{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Customer

    user = factory.SubFactory(UserFactory)
    phone = "555-0100"
    address = "1 Main Street"


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Order

    customer = factory.SubFactory(CustomerFactory)
    status = models.OrderStatus.PENDING
    total_amount = Decimal("0.00")


class OrderItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.OrderItem

    order = factory.SubFactory(OrderFactory)
    product = factory.SubFactory(ProductFactory)
    quantity = 1
    price = factory.LazyAttribute(lambda o: o.product.price)


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Review

    customer = factory.SubFactory(CustomerFactory)
    product = factory.SubFactory(ProductFactory)
    rating = 4
    comment = "Fine"


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"tag{n}")
