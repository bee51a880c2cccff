"""Issue 13, point 6: real shops' data has shapes the guide's does not.

Through the admin's Import button (a job: upload, preview, confirm), as a superuser:

* records carry the source system's own id (``external_ref``), the import's first key: the
  same file imported twice updates instead of duplicating, products without a SKU included;
* an order's charge includes shipping, tax and a discount: a new order takes them from the
  file, and its "differs" flag compares the total with items + shipping + tax − discount; an
  import never changes an existing order's charges;
* a review may be a rating alone.
"""

from decimal import Decimal

import pytest

from backoffice.models import Customer, Order, OrderItem, Product, Review, Supplier
from backoffice.resources import OrderResource, ProductResource
from tests.importing.conftest import (
    applied,
    confirm,
    export_form_data,
    import_url,
    streamed_text,
    upload,
    upload_and_confirm,
)

pytestmark = pytest.mark.django_db

PRODUCTS = (
    "external_ref,name,price,category,supplier\n"
    "a3f9c2e1b7d4,Walnut desk organiser,{price},Home & Garden,HomeSupply\n"
    "0b7e55d19c2a,Walnut desk lamp,42.00,Home & Garden,HomeSupply\n"
)


def problems(response) -> list[tuple[str, str]]:
    report = response.context["report"]
    return [(p.column, p.message) for row in report.error_rows for p in row.problems] + [
        ("", problem) for problem in report.problems
    ]


def test_products_by_external_ref_and_without_sku_update_when_imported_twice(seed, boss_client):
    before = Product.objects.count()
    first = upload_and_confirm(boss_client, "product", "p.csv", PRODUCTS.format(price="19.00"))
    assert applied(first)
    assert Product.objects.count() == before + 2
    organiser = Product.objects.get(external_ref="a3f9c2e1b7d4")
    assert organiser.sku is None and organiser.price == Decimal("19.00")

    second = upload_and_confirm(boss_client, "product", "p.csv", PRODUCTS.format(price="21.50"))
    assert applied(second)
    assert Product.objects.count() == before + 2  # updated, not duplicated
    organiser.refresh_from_db()
    assert organiser.price == Decimal("21.50")
    assert Product.objects.filter(name="Walnut desk organiser").count() == 1


def test_the_external_ref_comes_before_the_id_and_the_natural_key(seed, boss_client):
    """A row names its object by external_ref first; a supplier renamed at the source keeps
    its row here (its name, the natural key, would have made a new one)."""
    supplier = Supplier.objects.get(name="HomeSupply")
    Supplier.objects.filter(pk=supplier.pk).update(external_ref="SUP-77")
    text = (
        "external_ref,name,email,phone,address,rating\n"
        "SUP-77,HomeSupply Ltd,hm@example.com,555-0100,1 Main St,4.5\n"
    )
    before = Supplier.objects.count()
    assert applied(upload_and_confirm(boss_client, "supplier", "s.csv", text))
    assert Supplier.objects.count() == before
    assert Supplier.objects.get(pk=supplier.pk).name == "HomeSupply Ltd"


def test_without_a_matching_ref_the_id_decides_and_the_row_gives_the_object_its_ref(
    seed, boss_client
):
    text = "id,external_ref,price\n1,MBP-2023-XX,1249.00\n"
    assert applied(upload_and_confirm(boss_client, "product", "p.csv", text))
    product = Product.objects.get(pk=1)
    assert (product.external_ref, product.price) == ("MBP-2023-XX", Decimal("1249.00"))


def test_a_ref_and_an_id_naming_different_objects_is_a_row_error(seed, boss_client):
    Product.objects.filter(pk=1).update(external_ref="abc123")
    response = upload(boss_client, "product", "p.csv", "id,external_ref,price\n2,abc123,5.00\n")
    assert not response.context["report"].ok
    assert any("abc123" in message and "#1" in message for _, message in problems(response))
    assert Product.objects.get(pk=2).price != Decimal("5.00")


def test_a_file_naming_one_ref_twice_is_refused(seed, boss_client):
    text = "external_ref,name,price,category,supplier\nx1,A,1.00,Books,BookWorld\nx1,B,2.00,Books,BookWorld\n"
    response = upload(boss_client, "product", "p.csv", text)
    assert any("repeats line 2" in message for _, message in problems(response))


def test_customers_by_external_ref_update_when_imported_twice(seed, boss_client):
    customer = Customer.objects.get(user__username="john_doe")
    first = f"id,external_ref,phone\n{customer.pk},cafe01,1\n"  # the ref given by id
    assert applied(upload_and_confirm(boss_client, "customer", "c.csv", first))
    assert Customer.objects.get(pk=customer.pk).external_ref == "cafe01"
    text = "external_ref,user,phone,address\ncafe01,john_doe,{phone},1 Elm St\n"
    assert applied(upload_and_confirm(boss_client, "customer", "c.csv", text.format(phone="2")))
    assert applied(upload_and_confirm(boss_client, "customer", "c.csv", text.format(phone="3")))
    assert Customer.objects.get(external_ref="cafe01").pk == customer.pk
    assert Customer.objects.get(pk=customer.pk).phone == "3"


ORDERS = (
    "external_ref,customer,status,total_amount,shipping_amount,tax_amount,discount_amount,"
    "order_date,delivery_date\n"
    "e481f51cbdc5,john_doe,delivered,{total},8.72,2.50,1.00,2024-06-01T10:00:00Z,"
    "2024-06-05T10:00:00Z\n"
)
LINES = "order_id,product,quantity,price\n{order},Nike T-Shirt,2,29.99\n"


def test_a_new_order_takes_its_charges_from_the_file_and_differs_by_them(seed, boss_client):
    # 2 × 29.99 + 8.72 + 2.50 − 1.00 = 70.20
    assert applied(upload_and_confirm(boss_client, "order", "o.csv", ORDERS.format(total="70.20")))
    order = Order.objects.get(external_ref="e481f51cbdc5")
    assert (order.shipping_amount, order.tax_amount, order.discount_amount) == (
        Decimal("8.72"),
        Decimal("2.50"),
        Decimal("1.00"),
    )
    assert applied(
        upload_and_confirm(boss_client, "orderitem", "i.csv", LINES.format(order=order.pk))
    )
    figures = Order.objects.with_item_totals().get(pk=order.pk)
    assert figures.items_total == Decimal("59.98")
    assert figures.total_differs is False  # items alone would differ: 59.98 ≠ 70.20

    # The same orders file again: matched by its reference, nothing new, nothing changed.
    again = upload(boss_client, "order", "o.csv", ORDERS.format(total="70.20"))
    assert again.context["report"].ok
    assert applied(confirm(boss_client, "order", again))
    assert Order.objects.filter(external_ref="e481f51cbdc5").count() == 1


def test_an_import_never_changes_an_existing_orders_charges(seed, boss_client):
    assert applied(upload_and_confirm(boss_client, "order", "o.csv", ORDERS.format(total="70.20")))
    order = Order.objects.get(external_ref="e481f51cbdc5")
    changed = ORDERS.format(total="70.20").replace(",8.72,", ",9.99,")
    response = upload(boss_client, "order", "o.csv", changed)
    found = problems(response)
    assert [column for column, _ in found] == ["shipping_amount"], found
    assert "an import doesn't change the charges of an existing order" in found[0][1]
    assert Order.objects.get(pk=order.pk).shipping_amount == Decimal("8.72")


def test_an_order_file_without_charge_columns_means_no_charges(seed, boss_client):
    text = "customer,status,total_amount,order_date\njohn_doe,pending,10.00,2024-05-01T10:00:00Z\n"
    assert applied(upload_and_confirm(boss_client, "order", "o.csv", text))
    order = Order.objects.get(order_date__year=2024, order_date__month=5, total_amount=10)
    assert order.charged_for(Decimal("10.00")) == Decimal("10.00")


def test_negative_charges_are_row_errors(seed, boss_client):
    response = upload(
        boss_client, "order", "o.csv", ORDERS.format(total="70.20").replace("2.50", "-2.50")
    )
    assert ("tax_amount", "The tax cannot be negative.") in problems(response)


def test_a_review_may_be_a_rating_alone(seed, boss_client):
    text = "customer,product,rating,comment\nbob_johnson,MacBook Pro,4,\n"
    assert applied(upload_and_confirm(boss_client, "review", "r.csv", text))
    review = Review.objects.get(customer__user__username="bob_johnson", product__name="MacBook Pro")
    assert review.comment == ""
    assert review.comment_shown == "(rating only, no comment)"


def test_exports_write_the_external_ref_and_the_charges(seed, boss_client):
    Order.objects.filter(pk=1).update(external_ref="ord-1", shipping_amount=Decimal("4.99"))
    Product.objects.filter(pk=1).update(external_ref="prod-1")
    orders = streamed_text(
        boss_client.post(import_url("order", "export"), export_form_data(OrderResource))
    )
    header, *rows = orders.splitlines()
    columns = header.split(",")
    for name in ("external_ref", "shipping_amount", "tax_amount", "discount_amount"):
        assert name in columns
    first = dict(zip(columns, next(r for r in rows if r.startswith("1,")).split(","), strict=False))
    assert (first["external_ref"], first["shipping_amount"]) == ("ord-1", "4.99")
    products = streamed_text(
        boss_client.post(import_url("product", "export"), export_form_data(ProductResource))
    )
    assert "external_ref" in products.splitlines()[0] and "prod-1" in products


def test_lines_of_a_new_order_are_kept_with_the_order(seed, boss_client):
    """The line file of an order found by reference adds its lines (no line before)."""
    assert applied(upload_and_confirm(boss_client, "order", "o.csv", ORDERS.format(total="1.00")))
    order = Order.objects.get(external_ref="e481f51cbdc5")
    assert applied(
        upload_and_confirm(boss_client, "orderitem", "i.csv", LINES.format(order=order.pk))
    )
    assert OrderItem.objects.filter(order=order).count() == 1
    assert Order.objects.with_item_totals().get(pk=order.pk).total_differs is True
