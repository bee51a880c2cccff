"""Saves from a page opened before someone else's change (issue 9, points 3 and 4).

Each test opens the page (GET) as a browser would, lets something happen meanwhile (a sale
through the order service, another editor's save), then posts exactly what the stale page
would submit (``page_form_data``).
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from backoffice.models import InventoryLog, InventoryReason, Product
from backoffice.services.orders import OrderLine, order_create
from tests.admin.helpers import csrf_client, page_form_data
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:backoffice_product_changelist")


def change_url(product):
    return reverse("admin:backoffice_product_change", args=[product.pk])


def open_page(client, product):
    """The change page's form as the editor's browser holds it."""
    return page_form_data(client.get(change_url(product)), "product_form")


def sell(product, units):
    order_create(customer=CustomerFactory(), lines=[OrderLine(product.pk, units)])


def save(client, product, form, **changes):
    data = {**form, **{name: [value] for name, value in changes.items()}, "_save": ["Save"]}
    return client.post(change_url(product), data)


def current(product):
    return Product.objects.get(pk=product.pk)


def adjustments(product):
    return list(
        InventoryLog.objects.filter(product=product, reason=InventoryReason.ADJUSTMENT)
        .order_by("pk")
        .values_list("change", "stock_after")
    )


def test_a_description_save_after_a_sale_keeps_the_sale(editor):
    product = ProductFactory(stock_quantity=100, description="Old words.")
    client = csrf_client(editor)
    form = open_page(client, product)
    sell(product, 7)
    response = save(client, product, form, description="New words.")
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = current(product)
    assert saved.description == "New words."
    assert saved.stock_quantity == 100 - 7  # the sale stays
    assert adjustments(product) == []  # and no "+7 adjustment" undoes it


def test_a_stock_edit_after_a_sale_is_refused_then_accepted_against_the_new_number(editor):
    product = ProductFactory(stock_quantity=100)
    client = csrf_client(editor)
    form = open_page(client, product)
    sell(product, 7)
    response = save(client, product, form, stock_quantity="120")
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["stock_quantity"]
    assert errors == [
        "Stock changed from 100 to 93 since you opened this page (a sale of 7); "
        "check and save again."
    ]
    assert current(product).stock_quantity == 93 and adjustments(product) == []
    # The page shown again has seen 93: saving it as it is sets the stock the editor asked.
    again = page_form_data(response, "product_form")
    assert again["initial-stock_quantity"] == ["93"] and again["stock_quantity"] == ["120"]
    assert save(client, product, again).status_code == 302
    assert current(product).stock_quantity == 120
    assert adjustments(product) == [(120 - 93, 120)]


def test_two_editors_change_the_same_price_the_second_is_refused_with_what_changed(db):
    from tests.factories import staff_user

    product = ProductFactory(price=Decimal("10.00"), stock_quantity=5)
    first = csrf_client(staff_user("view_product", "change_product"))
    second = csrf_client(staff_user("view_product", "change_product"))
    first_form, second_form = open_page(first, product), open_page(second, product)
    assert save(first, product, first_form, price="11.00").status_code == 302
    response = save(second, product, second_form, price="12.00", description="Mine.")
    assert response.status_code == 200
    message = " ".join(response.context["adminform"].form.non_field_errors())
    assert "Someone else changed this product since you opened this page" in message
    assert "Price: 10.00 → 11.00" in message
    saved = current(product)
    assert (saved.price, saved.description) == (Decimal("11.00"), product.description)
    # Shown again: the editor's own edits stay, the "seen" values are now the current ones.
    again = page_form_data(response, "product_form")
    assert again["initial-price"] == ["11.00"] and again["price"] == ["12.00"]
    assert again["seen_version"] == [str(saved.edit_version)]
    assert save(second, product, again).status_code == 302
    assert (current(product).price, current(product).description) == (Decimal("12.00"), "Mine.")


def test_a_stale_page_that_changed_nothing_the_other_changed_keeps_the_other_change(editor):
    """A stale page is refused; shown again, the fields the editor did not touch show the
    other editor's values, so saving it does not revert them."""
    product = ProductFactory(name="Lamp", description="Old.")
    client, other = csrf_client(editor), csrf_client(editor)
    stale = open_page(client, product)
    assert save(other, product, open_page(other, product), name="Desk lamp").status_code == 302
    response = save(client, product, stale, description="New.")
    assert response.status_code == 200
    again = page_form_data(response, "product_form")
    assert again["name"] == ["Desk lamp"] and again["description"] == ["New."]
    assert save(client, product, again).status_code == 302
    assert (current(product).name, current(product).description) == ("Desk lamp", "New.")


def test_an_action_that_edits_a_field_makes_open_pages_stale(editor):
    from backoffice.services.pricing import prices_adjust

    product = ProductFactory(price=Decimal("10.00"))
    client = csrf_client(editor)
    form = open_page(client, product)
    prices_adjust(product_ids=[product.pk], percent=Decimal("10"))
    response = save(client, product, form, description="Stale.")
    assert response.status_code == 200
    assert "Price: 10.00 → 11.00" in " ".join(response.context["adminform"].form.non_field_errors())
    assert current(product).description != "Stale."


# --- the list's editable columns -------------------------------------------------------------


def open_list(client):
    """The list in its edit mode (``?edit=1``: the inputs)."""
    return page_form_data(client.get(LIST_URL, {"edit": "1"}), "changelist-form")


def row_prefix(form, product) -> str:
    return next(
        key[:-3]
        for key, values in form.items()
        if key.endswith("-id") and values == [str(product.pk)]
    )


def save_list(client, form, changes):
    data = {**form, **{name: [value] for name, value in changes.items()}, "_save": ["Save"]}
    data.pop("action", None)
    return client.post(LIST_URL, data)


def test_a_price_edit_in_the_list_keeps_another_products_sale(editor):
    edited = ProductFactory(name="A lamp", price=Decimal("20.00"), stock_quantity=10)
    sold = ProductFactory(name="B desk", price=Decimal("90.00"), stock_quantity=60)
    client = csrf_client(editor)
    form = open_list(client)
    sell(sold, 5)
    response = save_list(client, form, {f"{row_prefix(form, edited)}-price": "21.00"})
    assert response.status_code == 302
    assert current(edited).price == Decimal("21.00")
    assert current(sold).stock_quantity == 60 - 5  # not reset to what the list showed
    assert current(edited).stock_quantity == 10
    assert adjustments(sold) == [] and adjustments(edited) == []


def test_a_stock_edit_in_the_list_after_a_sale_is_refused_on_that_row(editor):
    product = ProductFactory(name="Lamp", stock_quantity=55)
    client = csrf_client(editor)
    form = open_list(client)
    sell(product, 5)
    prefix = row_prefix(form, product)
    response = save_list(client, form, {f"{prefix}-stock_quantity": "70"})
    assert response.status_code == 200
    row = next(f for f in response.context["cl"].formset.forms if f.instance.pk == product.pk)
    assert row.errors["stock_quantity"] == [
        "Stock changed from 55 to 50 since you opened this page (a sale of 5); "
        "check and save again."
    ]
    assert current(product).stock_quantity == 50 and adjustments(product) == []


def test_two_editors_change_the_same_price_in_the_list_the_second_is_refused(editor):
    product = ProductFactory(name="Lamp", price=Decimal("10.00"))
    first, second = csrf_client(editor), csrf_client(editor)
    first_form, second_form = open_list(first), open_list(second)
    prefix = row_prefix(first_form, product)
    assert save_list(first, first_form, {f"{prefix}-price": "11.00"}).status_code == 302
    response = save_list(second, second_form, {f"{prefix}-price": "12.00"})
    assert response.status_code == 200
    row = next(f for f in response.context["cl"].formset.forms if f.instance.pk == product.pk)
    assert "Price: 10.00 → 11.00" in " ".join(row.non_field_errors())
    assert current(product).price == Decimal("11.00")


@pytest.mark.parametrize("bulk", [False, True], ids=["row by row", "bulk"])
def test_an_import_makes_open_pages_stale_and_the_version_is_no_file_column(editor, bulk):
    import tablib

    from backoffice.importing.bulk import import_in_bulk
    from backoffice.importing.formats import CSV
    from backoffice.resources import ProductResource

    product = ProductFactory(price=Decimal("10.00"), sku="EL-4242")
    client = csrf_client(editor)
    form = open_page(client, product)
    assert "edit_version" not in ProductResource().export().headers  # never a file column
    text = f"id,name,sku,price\n{product.pk},{product.name},EL-4242,13.00\n"
    if bulk:
        assert import_in_bulk(ProductResource, CSV(), text.encode()).applied
    else:
        result = ProductResource().import_data(tablib.Dataset().load(text, format="csv"))
        assert not result.has_errors() and not result.has_validation_errors()
    assert current(product).edit_version == product.edit_version + 1
    response = save(client, product, form, description="Stale.")
    assert response.status_code == 200
    assert "Price: 10.00 → 13.00" in " ".join(response.context["adminform"].form.non_field_errors())


def test_a_viewers_page_has_no_version_to_send(db):
    from tests.factories import staff_user

    product = ProductFactory()
    viewer = csrf_client(staff_user("view_product"))
    html = viewer.get(change_url(product)).content.decode()
    assert "seen_version" not in html and "Seen version" not in html


def test_a_tag_given_by_an_action_is_named_in_the_refusal(editor):
    from backoffice.services.tags import product_tags_add
    from tests.factories import TagFactory

    product = ProductFactory()
    client = csrf_client(editor)
    form = open_page(client, product)
    product_tags_add(product_ids=[product.pk], tag=TagFactory(name="Sale"))
    response = save(client, product, form, description="Stale.")
    assert response.status_code == 200
    message = " ".join(response.context["adminform"].form.non_field_errors())
    assert "Tags: (none) → Sale" in message
    again = page_form_data(response, "product_form")
    assert save(client, product, again).status_code == 302  # keeps the tag the action gave
    assert list(current(product).tags.values_list("name", flat=True)) == ["Sale"]
