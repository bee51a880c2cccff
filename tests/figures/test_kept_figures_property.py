"""Property: whatever sequence of writes staff, services and imports make, every kept figure
equals what the source rows say afterwards (``backoffice.figures.rebuild.check``).

Hypothesis draws sequences of the write paths that move figures: the order services, status
moves and cancellations, recalculated totals, charges (shipping, tax, discount: saved and
set-based), line saves and deletes, bulk creates and
set-based updates, reviews, tag services and ``product.tags``, moving an order to another
customer or another day and a product to another category (the day sales) or supplier, product
edits, price, stock and state changes (saved, set-based and through the services: category and
supplier figures), new and deleted products, deleting orders and tags. Each example runs in a savepoint that is rolled back.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, ProtectedError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backoffice.figures.rebuild import check
from backoffice.models import Order, OrderItem, OrderStatus, Product, Review, Tag
from backoffice.services.inventory import StockError, stock_restock
from backoffice.services.order_status import OrderStatusError, order_set_status, orders_set_status
from backoffice.services.orders import (
    OrderError,
    OrderLine,
    order_create,
    order_save_with_items,
    orders_recalculate_totals,
)
from backoffice.services.pricing import prices_adjust
from backoffice.services.products import products_set_active
from backoffice.services.tags import product_tags_add, product_tags_clear, product_tags_replace
from tests.factories import CustomerFactory, ProductFactory, TagFactory

pytestmark = pytest.mark.django_db

index = st.integers(min_value=0, max_value=50)
quantity = st.integers(min_value=1, max_value=4)
price = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("99.99"), places=2)
product_price = st.decimals(min_value=Decimal("1.00"), max_value=Decimal("99.99"), places=2)
status = st.sampled_from(list(OrderStatus.values))

OPERATIONS = st.one_of(
    st.tuples(st.just("order_create"), index, st.lists(st.tuples(index, quantity), max_size=3)),
    st.tuples(st.just("reviewer_orders"), st.lists(st.tuples(index, quantity), max_size=3)),
    st.tuples(st.just("item_add"), index, index, quantity, price),
    st.tuples(st.just("item_edit"), index, index, quantity),
    st.tuples(st.just("item_delete"), index),
    st.tuples(
        st.just("items_bulk_create"), index, st.lists(st.tuples(index, quantity), max_size=3)
    ),
    st.tuples(st.just("items_update"), index),
    st.tuples(st.just("status_service"), index, status),
    st.tuples(st.just("status_bulk"), st.lists(index, max_size=3), status),
    st.tuples(st.just("status_update"), index, status),
    st.tuples(st.just("order_total"), index, price),
    st.tuples(st.just("order_charges"), index, price, price, price),
    st.tuples(st.just("orders_charges_update"), st.lists(index, max_size=3), price, price),
    st.tuples(st.just("order_customer"), index, index),
    st.tuples(st.just("order_day"), index, st.integers(min_value=-3, max_value=3)),
    st.tuples(st.just("orders_day_update"), index, st.integers(min_value=-3, max_value=3)),
    st.tuples(st.just("order_delete"), index),
    st.tuples(st.just("product_category"), index, index),
    st.tuples(st.just("products_category_update"), st.lists(index, max_size=3), index),
    st.tuples(st.just("product_supplier"), index, index),
    st.tuples(st.just("products_supplier_update"), st.lists(index, max_size=3), index),
    st.tuples(st.just("product_edit"), index, product_price, st.integers(0, 50), st.booleans()),
    st.tuples(st.just("products_stock_update"), st.lists(index, max_size=3), quantity),
    st.tuples(st.just("prices_adjust"), st.lists(index, max_size=3), st.integers(-50, 50)),
    st.tuples(st.just("products_set_active"), st.lists(index, max_size=3), st.booleans()),
    st.tuples(st.just("stock_restock"), st.lists(index, max_size=3), quantity),
    st.tuples(st.just("product_create"), index, product_price),
    st.tuples(st.just("product_delete"), index),
    st.tuples(st.just("recalculate"), st.lists(index, max_size=3)),
    st.tuples(st.just("review_add"), index, index, st.integers(min_value=1, max_value=5)),
    st.tuples(st.just("review_edit"), index, st.integers(min_value=1, max_value=5), index),
    st.tuples(st.just("review_delete"), index),
    st.tuples(st.just("reviews_update"), index, st.integers(min_value=1, max_value=5)),
    st.tuples(st.just("tags_add"), st.lists(index, max_size=3), index),
    st.tuples(st.just("tags_replace"), st.lists(index, max_size=3), st.lists(index, max_size=2)),
    st.tuples(st.just("tags_clear"), st.lists(index, max_size=3)),
    st.tuples(st.just("tags_set"), index, st.lists(index, max_size=2)),
    st.tuples(st.just("tag_delete"), index),
)


class Shop:
    """The rows an example works on; every index is taken modulo what exists now."""

    def __init__(self):
        self.products = [ProductFactory(stock_quantity=1000) for _ in range(3)]
        self.customers = [CustomerFactory() for _ in range(3)]
        self.tags = [TagFactory() for _ in range(2)]
        # the first customer has reviewed every product: any order or line of theirs (and its
        # cancellation, deletion or move) changes whether those reviews are a buyer's
        for product in self.products:
            Review.objects.create(
                product=product, customer=self.customers[0], rating=4, comment="Before buying"
            )

    @staticmethod
    def pick(queryset_or_list, i):
        rows = list(queryset_or_list)
        return rows[i % len(rows)] if rows else None

    def product(self, i):
        return self.pick(self.products, i)

    def customer(self, i):
        return self.pick(self.customers, i)

    def order(self, i):
        return self.pick(Order.objects.order_by("pk"), i)

    def item(self, i):
        return self.pick(OrderItem.objects.order_by("pk"), i)

    def review(self, i):
        return self.pick(Review.objects.order_by("pk"), i)

    def tag(self, i):
        return self.pick(Tag.objects.order_by("pk"), i)

    def run(self, operation):
        name, *args = operation
        try:
            with transaction.atomic():  # a refused write is undone, as the services do
                getattr(self, name)(*args)
        except (OrderError, OrderStatusError, StockError, ProtectedError, ValidationError):
            pass

    def order_create(self, customer, lines):
        wanted = {self.product(p).pk: q for p, q in lines}
        order_create(
            customer=self.customer(customer),
            lines=[OrderLine(product_id, q) for product_id, q in wanted.items()],
        )

    def reviewer_orders(self, lines):  # the customer who reviewed every product orders some
        self.order_create(0, lines)

    def item_add(self, order, product, qty, unit_price):
        if (order := self.order(order)) is not None:
            OrderItem.objects.create(
                order=order, product=self.product(product), quantity=qty, price=unit_price
            )

    def item_edit(self, item, product, qty):
        if (item := self.item(item)) is not None:
            item.product, item.quantity = self.product(product), qty
            item.save()

    def item_delete(self, item):
        if (item := self.item(item)) is not None:
            item.delete()

    def items_bulk_create(self, order, lines):
        if (order := self.order(order)) is not None:
            OrderItem.objects.bulk_create(
                OrderItem(order=order, product=self.product(p), quantity=q, price=Decimal("5.00"))
                for p, q in lines
            )

    def items_update(self, order):
        if (order := self.order(order)) is not None:
            OrderItem.objects.filter(order=order).update(quantity=F("quantity") + 1)

    def status_service(self, order, to_status):
        if (order := self.order(order)) is not None:
            order_set_status(order=order, to_status=to_status)

    def status_bulk(self, orders, to_status):
        ids = [o.pk for i in orders if (o := self.order(i)) is not None]
        orders_set_status(order_ids=ids, to_status=to_status)

    def status_update(self, order, to_status):  # an import or a script: set-based
        if (order := self.order(order)) is not None:
            Order.objects.filter(pk=order.pk).update(status=to_status)

    def order_total(self, order, amount):
        if (order := self.order(order)) is not None:
            Order.objects.filter(pk=order.pk).update(total_amount=amount)

    def order_charges(self, order, shipping, tax, discount):  # the order page's save
        if (order := self.order(order)) is not None:
            order.shipping_amount, order.tax_amount = shipping, tax
            order.discount_amount = discount
            order_save_with_items(order=order, lines=None)  # refused once it left

    def orders_charges_update(self, orders, shipping, discount):  # a script: set-based
        ids = [o.pk for i in orders if (o := self.order(i)) is not None]
        Order.objects.filter(pk__in=ids).update(shipping_amount=shipping, discount_amount=discount)

    def order_customer(self, order, customer):
        if (order := self.order(order)) is not None:
            order.customer = self.customer(customer)
            order.save()

    def order_day(self, order, days):  # the order page: placed on another day
        if (order := self.order(order)) is not None:
            order.order_date += timedelta(days=days, hours=days * 5)
            order.save()

    def orders_day_update(self, order, days):  # an import or a script: set-based
        if (order := self.order(order)) is not None:
            Order.objects.filter(customer=order.customer).update(
                order_date=F("order_date") + timedelta(days=days)
            )

    def product_category(self, product, other):  # the product page
        product, category = self.product(product), self.product(other).category
        product.category = category
        product.save()

    def products_category_update(self, products, other):  # set-based
        Product.objects.filter(pk__in=self._product_ids(products)).update(
            category=self.product(other).category
        )

    def product_supplier(self, product, other):  # the product page
        product = self.product(product)
        product.supplier = self.product(other).supplier
        product.save()

    def products_supplier_update(self, products, other):  # set-based
        Product.objects.filter(pk__in=self._product_ids(products)).update(
            supplier=self.product(other).supplier
        )

    def product_edit(self, product, new_price, stock, active):  # the product page
        product = self.product(product)
        product.price, product.stock_quantity, product.is_active = new_price, stock, active
        product.save()

    def products_stock_update(self, products, qty):  # an import or a script: set-based
        Product.objects.filter(pk__in=self._product_ids(products)).update(
            stock_quantity=F("stock_quantity") + qty
        )

    def prices_adjust(self, products, percent):  # the discount action: one bulk_update
        prices_adjust(product_ids=self._product_ids(products), percent=Decimal(percent))

    def products_set_active(self, products, active):
        products_set_active(product_ids=self._product_ids(products), active=active)

    def stock_restock(self, products, qty):
        stock_restock(product_ids=self._product_ids(products), quantity=qty, note="property")

    def product_create(self, other, new_price):  # beside another product: same owners
        other = self.product(other)
        self.products.append(
            ProductFactory(category=other.category, supplier=other.supplier, price=new_price)
        )

    def product_delete(self, product):  # refused (protected) once it has lines or stock moves
        product = self.product(product)
        if len(self.products) > 1:
            product.delete()
            self.products.remove(product)

    def order_delete(self, order):
        if (order := self.order(order)) is not None:
            order.delete()

    def recalculate(self, orders):
        ids = [o.pk for i in orders if (o := self.order(i)) is not None]
        orders_recalculate_totals(order_ids=ids)

    def review_add(self, product, customer, rating):
        product, customer = self.product(product), self.customer(customer)
        if not Review.objects.filter(product=product, customer=customer).exists():
            Review.objects.create(product=product, customer=customer, rating=rating, comment="")

    def review_edit(self, review, rating, product):
        if (review := self.review(review)) is not None:
            product = self.product(product)
            if not Review.objects.filter(product=product, customer=review.customer_id).exists():
                review.product = product
            review.rating = rating
            review.save()

    def review_delete(self, review):
        if (review := self.review(review)) is not None:
            review.delete()

    def reviews_update(self, product, rating):
        Review.objects.filter(product=self.product(product)).update(rating=rating)

    def _product_ids(self, indexes):
        return {self.product(i).pk for i in indexes}

    def tags_add(self, products, tag):
        if (tag := self.tag(tag)) is not None:
            product_tags_add(product_ids=self._product_ids(products), tag=tag)

    def tags_replace(self, products, tags):
        chosen = [t for i in tags if (t := self.tag(i)) is not None]
        product_tags_replace(product_ids=self._product_ids(products), tags=chosen)

    def tags_clear(self, products):
        product_tags_clear(product_ids=self._product_ids(products))

    def tags_set(self, product, tags):
        self.product(product).tags.set([t for i in tags if (t := self.tag(i)) is not None])

    def tag_delete(self, tag):
        if (tag := self.tag(tag)) is not None:
            tag.delete()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(OPERATIONS, min_size=1, max_size=15))
def test_kept_figures_equal_the_source_rows_after_any_writes(operations):
    with transaction.atomic():
        shop = Shop()
        for operation in operations:
            shop.run(operation)
        assert check() == [], operations
        assert Product.objects.filter(kept_figures__isnull=True).count() == 0
        transaction.set_rollback(True)
