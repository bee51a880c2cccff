"""Product actions, run as staff do: choose, see the intermediate page, confirm (CSRF on)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backoffice.models import InventoryLog, InventoryReason, Product, Tag
from tests.admin.helpers import csrf_client, messages_of, run_action, start_action
from tests.factories import CategoryFactory, ProductFactory, TagFactory

pytestmark = pytest.mark.django_db


def prices(*products):
    return [Product.objects.get(pk=p.pk).price for p in products]


def test_every_action_asks_first_and_changes_nothing_until_confirmed(editor):
    product = ProductFactory(price=Decimal("39.99"), stock_quantity=5, is_active=True)
    other = ProductFactory()
    client = csrf_client(editor)
    for action in [
        "deactivate_products",
        "discount_prices",
        "raise_prices",
        "add_tag",
        "remove_tag",
        "replace_tags",
        "clear_tags",
        "restock",
        "transfer_stock",
    ]:
        page = start_action(client, action, [product.pk])
        assert page.status_code == 200, action
        assert "No, take me back" in page.content.decode(), action
    product.refresh_from_db()
    assert (product.price, product.stock_quantity, product.is_active) == (
        Decimal("39.99"),
        5,
        True,
    )
    assert not InventoryLog.objects.exists()
    assert other.tags.count() == 0


def test_deactivate_and_activate_count_only_real_changes(editor):
    on, off = ProductFactory(is_active=True), ProductFactory(is_active=False)
    client = csrf_client(editor)
    response = run_action(client, "deactivate_products", [on.pk, off.pk])
    assert "1 product deactivated. 1 product already inactive." in messages_of(response)
    assert not Product.objects.filter(is_active=True).exists()
    response = run_action(client, "activate_products", [on.pk, off.pk])
    assert "2 products activated." in messages_of(response)
    assert Product.objects.filter(is_active=True).count() == 2


def test_discount_rounds_to_the_cent_half_up_in_one_update(editor):
    books = [
        ProductFactory(price=Decimal("39.99")),  # 35.991 -> 35.99
        ProductFactory(price=Decimal("10.05")),  # 9.045 -> 9.05 (half up)
        ProductFactory(price=Decimal("0.01")),  # 0.009 -> 0.01: unchanged
    ]
    client = csrf_client(editor)
    with CaptureQueriesContext(connection) as queries:
        response = run_action(client, "discount_prices", [p.pk for p in books], {"percent": "10"})
    assert prices(*books) == [Decimal("35.99"), Decimal("9.05"), Decimal("0.01")]
    shown = messages_of(response)
    assert "2 products discounted by 10%. 1 product unchanged" in shown[0]
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    # one bulk_update of the products, not a save per product; then their owners' kept figures
    product_updates = [sql for sql in updates if sql.startswith('UPDATE "backoffice_product" ')]
    assert len(product_updates) == 1, updates
    assert {sql.split()[1] for sql in updates} == {
        '"backoffice_product"',
        '"backoffice_categoryfigures"',
        '"backoffice_supplierfigures"',
    }


def test_discount_refuses_prices_that_break_the_rules_and_says_why(editor):
    electronics = CategoryFactory(name="Electronics")
    phone = ProductFactory(category=electronics, price=Decimal("105.00"))
    costly = ProductFactory(price=Decimal("20.00"), cost=Decimal("19.00"))
    fine = ProductFactory(price=Decimal("20.00"))
    response = run_action(
        csrf_client(editor),
        "discount_prices",
        [phone.pk, costly.pk, fine.pk],
        {"percent": "10"},
    )
    assert prices(phone, costly, fine) == [Decimal("105.00"), Decimal("20.00"), Decimal("18.00")]
    shown = " ".join(messages_of(response))
    assert "1 product discounted by 10%." in shown
    assert "Refused for 2 products:" in shown
    assert f"{phone.name}: 94.50 refused. Electronics items must cost at least $100." in shown
    assert f"{costly.name}: 18.00 refused. The price must be higher than the cost" in shown


def test_raise_prices(editor):
    product = ProductFactory(price=Decimal("19.99"))
    response = run_action(csrf_client(editor), "raise_prices", [product.pk], {"percent": "12.5"})
    assert prices(product) == [Decimal("22.49")]  # 22.48875 -> 22.49
    assert "1 product raised by 12.5%." in messages_of(response)[0]


@pytest.mark.parametrize("percent", ["0", "100", "-5", "abc", "10.555"])
def test_discount_page_rejects_bad_percentages_on_the_page(editor, percent):
    product = ProductFactory(price=Decimal("50.00"))
    response = run_action(
        csrf_client(editor), "discount_prices", [product.pk], {"percent": percent}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["percent"]
    assert prices(product) == [Decimal("50.00")]


def test_tag_actions(editor):
    a, b, c = ProductFactory(), ProductFactory(), ProductFactory()
    sale, new, old = TagFactory(name="sale"), TagFactory(name="new"), TagFactory(name="old")
    a.tags.add(sale)
    b.tags.add(old)
    client = csrf_client(editor)

    response = run_action(client, "add_tag", [a.pk, b.pk], {"tag": str(sale.pk)})
    assert 'Tag "sale" added to 1 product. 1 product already had it.' in messages_of(response)
    assert set(sale.products.all()) == {a, b}

    response = run_action(client, "remove_tag", [a.pk, c.pk], {"tag": str(sale.pk)})
    assert 'Tag "sale" removed from 1 product. 1 product did not have it.' in messages_of(response)
    assert set(sale.products.all()) == {b}

    response = run_action(
        client, "replace_tags", [a.pk, b.pk, c.pk], {"tags": [str(new.pk), str(old.pk)]}
    )
    assert "Tags of 3 products replaced by: new, old." in messages_of(response)
    for product in (a, b, c):
        assert set(product.tags.values_list("name", flat=True)) == {"new", "old"}

    response = run_action(client, "clear_tags", [a.pk, b.pk])
    assert "All tags removed from 2 products." in messages_of(response)
    assert (a.tags.count(), b.tags.count(), c.tags.count()) == (0, 0, 2)
    assert Tag.objects.count() == 3  # tags themselves stay


def test_restock_logs_every_change(editor):
    a, b = ProductFactory(stock_quantity=0), ProductFactory(stock_quantity=7)
    response = run_action(
        csrf_client(editor), "restock", [a.pk, b.pk], {"quantity": "5", "reason": "Delivery 42"}
    )
    assert "2 products restocked by 5 units each" in messages_of(response)[0]
    assert [p.stock_quantity for p in Product.objects.order_by("pk")] == [5, 12]
    logs = InventoryLog.objects.order_by("product_id")
    assert [(log.change, log.stock_after, log.reason, log.note, log.user) for log in logs] == [
        (5, 5, InventoryReason.RESTOCK, "Delivery 42", editor),
        (5, 12, InventoryReason.RESTOCK, "Delivery 42", editor),
    ]


@pytest.mark.parametrize(("quantity", "reason"), [("0", "x"), ("-2", "x"), ("3", "")])
def test_restock_form_refuses_bad_input(editor, quantity, reason):
    product = ProductFactory(stock_quantity=1)
    response = run_action(
        csrf_client(editor), "restock", [product.pk], {"quantity": quantity, "reason": reason}
    )
    assert response.context["form"].errors
    assert Product.objects.get(pk=product.pk).stock_quantity == 1
    assert not InventoryLog.objects.exists()


def test_transfer_moves_units_and_logs_both_sides(editor):
    source, target = ProductFactory(stock_quantity=10), ProductFactory(stock_quantity=1)
    response = run_action(
        csrf_client(editor),
        "transfer_stock",
        [source.pk],
        {"to_product": str(target.pk), "quantity": "4", "note": "shelf move"},
    )
    assert f"4 units moved from {source.name} to {target.name}." in messages_of(response)
    assert [Product.objects.get(pk=p.pk).stock_quantity for p in (source, target)] == [6, 5]
    out, into = (InventoryLog.objects.get(product=p) for p in (source, target))
    assert (out.change, out.stock_after, out.reason) == (-4, 6, InventoryReason.TRANSFER_OUT)
    assert (into.change, into.stock_after, into.reason) == (4, 5, InventoryReason.TRANSFER_IN)
    assert out.note == f"To {target.name}. shelf move"


def test_transfer_refuses_more_than_in_stock_on_its_page(editor):
    source, target = ProductFactory(stock_quantity=3), ProductFactory(stock_quantity=0)
    response = run_action(
        csrf_client(editor),
        "transfer_stock",
        [source.pk],
        {"to_product": str(target.pk), "quantity": "4"},
    )
    assert response.context["form"].errors["quantity"] == [f"{source.name} has only 3 in stock."]
    assert Product.objects.get(pk=source.pk).stock_quantity == 3
    assert not InventoryLog.objects.exists()


def test_transfer_refused_under_the_lock_when_stock_fell_meanwhile(editor, monkeypatch):
    """The form saw enough stock; a sale took it before the lock: nothing moves, reason shown."""
    from backoffice.admin.catalog import stock_actions as catalog_stock_actions

    source, target = ProductFactory(stock_quantity=5), ProductFactory(stock_quantity=0)
    real_transfer = catalog_stock_actions.stock_transfer

    def sale_first(**kwargs):
        Product.objects.filter(pk=source.pk).update(stock_quantity=2)
        return real_transfer(**kwargs)

    monkeypatch.setattr(catalog_stock_actions, "stock_transfer", sale_first)
    response = run_action(
        csrf_client(editor),
        "transfer_stock",
        [source.pk],
        {"to_product": str(target.pk), "quantity": "4"},
    )
    assert f"{source.name}: only 2 in stock, 4 asked." in " ".join(messages_of(response))
    assert [Product.objects.get(pk=p.pk).stock_quantity for p in (source, target)] == [2, 0]
    assert not InventoryLog.objects.exists()


def test_transfer_needs_exactly_one_selected_product(editor):
    a, b = ProductFactory(stock_quantity=3), ProductFactory(stock_quantity=3)
    response = start_action(csrf_client(editor), "transfer_stock", [a.pk, b.pk])
    assert response.status_code == 302
    client_messages = messages_of(response)
    assert "Select exactly one product" in client_messages[0]
    assert not InventoryLog.objects.exists()


def test_action_page_lists_the_selection_and_the_rounding_rule(editor):
    product = ProductFactory(name="Python Crash Course", price=Decimal("39.99"))
    page = start_action(csrf_client(editor), "discount_prices", [product.pk])
    html = page.content.decode()
    assert "This applies to 1 product:" in html
    assert "<li>Python Crash Course</li>" in html
    assert "39.99 less 10% is 35.991, so 35.99" in html


def test_action_descriptions_read_well(admin_user):
    from django.contrib import admin as django_admin
    from django.test import RequestFactory

    from backoffice.models import Product

    request = RequestFactory().get("/")
    request.user = admin_user
    labels = dict(django_admin.site._registry[Product].get_action_choices(request))
    assert labels["discount_prices"] == "Apply a discount of N% to selected products"
    assert labels["raise_prices"] == "Raise prices of selected products by N%"
    assert labels["transfer_stock"] == "Transfer stock from the selected product"
