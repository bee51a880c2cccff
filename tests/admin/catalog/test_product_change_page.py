"""The product change page: two-pane tags, inlines, the window-function panel, stock edits."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from backoffice.models import InventoryLog, InventoryReason, Product, Tag
from tests.admin.helpers import csrf_client, csrf_token
from tests.factories import CategoryFactory, ProductFactory, ReviewFactory, SupplierFactory
from tests.truth import catalog as truth


def change_url(pk):
    return reverse("admin:backoffice_product_change", args=[pk])


@pytest.mark.usefixtures("seed")
def test_window_panel_matches_the_seed_truth_for_every_product(admin_client):
    expected = truth.category_positions()
    for pk, position in expected.items():
        response = admin_client.get(change_url(pk))
        model_admin = response.context["adminform"].model_admin
        product = Product.objects.with_catalog_stats().get(pk=pk)
        row = next(
            p
            for p in Product.objects.filter(
                category_id=product.category_id
            ).with_category_position()
            if p.pk == pk
        )
        for name, value in position.items():
            assert getattr(row, name) == value, (pk, name)
        html = str(model_admin.category_position(product))
        assert f"{position['price_rank']} of {position['category_product_count']}" in html


@pytest.mark.usefixtures("seed")
def test_window_panel_of_the_macbook_reads_as_the_errata_says(admin_client):
    """E20: MacBook Pro is dearest in Electronics; next cheaper is 999.99, no dearer one."""
    html = admin_client.get(change_url(1)).content.decode()
    panel = html[html.index('class="category-position"') :]
    panel = panel[: panel.index("</table>")]
    cells = dict(re.findall(r"<th>(.*?)</th><td>(.*?)</td>", panel))
    assert cells["Rank by price"] == "1 of 3 (1 = dearest)"
    assert cells["Next cheaper product&#x27;s price"] == "999.99"
    assert cells["Next dearer product&#x27;s price"] == "—"
    assert cells["Category average price"].startswith("1,049.99")


@pytest.mark.django_db
def test_window_functions_with_ties_and_running_total(admin_client):
    category = CategoryFactory()
    first = ProductFactory(category=category, price=Decimal("10.00"), stock_quantity=3)
    tie = ProductFactory(category=category, price=Decimal("10.00"), stock_quantity=1)
    dear = ProductFactory(category=category, price=Decimal("30.00"), stock_quantity=2)
    ProductFactory(price=Decimal("999.00"))  # another category: must not count
    rows = {p.pk: p for p in Product.objects.filter(category=category).with_category_position()}
    assert [rows[p.pk].price_rank for p in (dear, first, tie)] == [1, 2, 2]
    assert rows[first.pk].prev_price is None
    assert rows[tie.pk].prev_price == Decimal("10.00")
    assert rows[tie.pk].next_price == Decimal("30.00")
    assert rows[first.pk].category_avg_price == Decimal("16.67")
    created = sorted([first, tie, dear], key=lambda p: (p.created_at, p.pk))
    running = Decimal("0")
    for product in created:
        running += product.price * product.stock_quantity
        assert rows[product.pk].running_inventory_value == running
        assert rows[product.pk].category_inventory_value == Decimal("100.00")


@pytest.mark.usefixtures("seed")
def test_change_page_has_two_pane_tags_and_both_inlines(admin_client):
    response = admin_client.get(change_url(2))
    html = response.content.decode()
    assert 'class="selectfilter"' in html or "SelectFilter2.js" in html
    assert "SelectFilter2.js" in str(response.context["media"])
    inline_models = [
        formset.opts.model.__name__ for formset in response.context["inline_admin_formsets"]
    ]
    assert inline_models == ["ProductMeta", "Review"]
    assert "Amazing phone with great camera quality." in html  # its review, read-only
    assert 'name="reviews-0-rating"' not in html


def test_review_inline_is_read_only_and_lists_every_review(admin_client, busy_product):
    response = admin_client.get(change_url(busy_product.product.pk))
    reviews = next(
        f for f in response.context["inline_admin_formsets"] if f.opts.model.__name__ == "Review"
    )
    assert len(list(reviews)) == 3
    assert not reviews.has_add_permission
    assert not reviews.has_change_permission
    assert not reviews.has_delete_permission


def post_change(client, product, **changes):
    page = client.get(change_url(product.pk))
    data = {
        "name": product.name,
        "sku": product.sku or "",
        "description": product.description,
        "category": str(product.category_id),
        "supplier": str(product.supplier_id),
        "price": str(product.price),
        "cost": "" if product.cost is None else str(product.cost),
        "stock_quantity": str(product.stock_quantity),
        "tags": [str(pk) for pk in product.tags.values_list("pk", flat=True)],
        "productmeta-TOTAL_FORMS": "0",
        "productmeta-INITIAL_FORMS": "0",
        "productmeta-MIN_NUM_FORMS": "0",
        "productmeta-MAX_NUM_FORMS": "1",
        "reviews-TOTAL_FORMS": "0",
        "reviews-INITIAL_FORMS": "0",
        "reviews-MIN_NUM_FORMS": "0",
        "reviews-MAX_NUM_FORMS": "0",
        "csrfmiddlewaretoken": csrf_token(page),
        "_save": "Save",
    }
    if product.is_active:
        data["is_active"] = "on"
    # What the page showed (hidden "initial" inputs and version): the values above.
    data |= {f"initial-{name}": value for name, value in data.items() if "-" not in name}
    data["initial-is_active"] = str(product.is_active)
    data["seen_version"] = str(product.edit_version)
    data.update(changes)
    return client.post(change_url(product.pk), data)


def test_changing_tags_and_stock_on_the_change_page(editor):
    product = ProductFactory(stock_quantity=4)
    keep, add = Tag.objects.create(name="keep"), Tag.objects.create(name="add")
    product.tags.add(keep, Tag.objects.create(name="drop"))
    response = post_change(
        csrf_client(editor), product, tags=[str(keep.pk), str(add.pk)], stock_quantity="10"
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    product.refresh_from_db()
    assert sorted(product.tags.values_list("name", flat=True)) == ["add", "keep"]
    assert product.stock_quantity == 10
    log = InventoryLog.objects.get(product=product)
    assert (log.change, log.stock_after, log.reason) == (6, 10, InventoryReason.ADJUSTMENT)


def test_the_models_rules_are_form_errors(editor):
    product = ProductFactory(category=CategoryFactory(name="Electronics"), price=Decimal("150"))
    response = post_change(csrf_client(editor), product, price="50.00", cost="60.00", sku="CL-1234")
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["price"] == [
        "The price must be higher than the cost (60.00).",
        "Electronics items must cost at least $100.",
    ]
    assert errors["sku"] == ["The SKU must start with EL- for Electronics."]


def test_adding_a_product_logs_its_opening_stock(editor):
    client = csrf_client(editor)
    add_url = reverse("admin:backoffice_product_add")
    category, supplier = CategoryFactory(), SupplierFactory()
    data = {
        "name": "New thing",
        "description": "",
        "category": str(category.pk),
        "supplier": str(supplier.pk),
        "price": "12.00",
        "stock_quantity": "15",
        "is_active": "on",
        "productmeta-TOTAL_FORMS": "1",
        "productmeta-INITIAL_FORMS": "0",
        "productmeta-MIN_NUM_FORMS": "0",
        "productmeta-MAX_NUM_FORMS": "1",
        "productmeta-0-metadata": '{"color": "green"}',
        "csrfmiddlewaretoken": csrf_token(client.get(add_url)),
        "_save": "Save",
    }
    response = client.post(add_url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    product = Product.objects.get(name="New thing")
    assert product.stock_quantity == 15
    assert product.productmeta.metadata == {"color": "green"}
    log = InventoryLog.objects.get(product=product)
    assert (log.change, log.stock_after, log.note) == (15, 15, "Opening stock.")


def test_add_page_opens_without_the_panels(admin_client, db):
    response = admin_client.get(reverse("admin:backoffice_product_add"))
    assert response.status_code == 200
    assert "Shown once the product is saved." in response.content.decode()


def test_review_count_on_change_page_figures(admin_client, busy_product):
    ReviewFactory(product=ProductFactory())  # another product's review must not count
    html = admin_client.get(change_url(busy_product.product.pk)).content.decode()
    assert "6 units sold, revenue 62.47" in html
    assert "3 reviews, rating 3.67 / 5" in html


def test_the_page_shows_its_reviews_of_four_stars_and_up_best_first(admin_client, seed):
    """The guide's filtered Prefetch (``with_top_reviews``) on the product page, and the
    reviews inline with every 4-star-and-up review first."""
    from backoffice.models import Review
    from tests.seed import rows, when

    checked = 0
    for product in Product.objects.all():
        response = admin_client.get(reverse("admin:backoffice_product_change", args=[product.pk]))
        expected = sorted(
            (r for r in rows("reviews") if r["product_id"] == product.pk and r["rating"] >= 4),
            key=lambda r: (-r["rating"], -when(r["created_at"]).timestamp(), -r["id"]),
        )
        top = Product.objects.with_top_reviews().get(pk=product.pk).top_reviews
        assert [r.pk for r in top] == [r["id"] for r in expected]
        text = response.content.decode()
        for review in top:
            assert f"{review.rating}★ {review.customer.user.username}" in text
        checked += bool(expected)
    assert checked
    # the inline: a product with low and high reviews shows the 4★+ ones first
    mixed = ProductFactory()
    for rating in (2, 5, 1, 4):
        ReviewFactory(product=mixed, rating=rating)
    response = admin_client.get(reverse("admin:backoffice_product_change", args=[mixed.pk]))
    inline = next(f for f in response.context["inline_admin_formsets"] if f.opts.model is Review)
    ratings = [form.instance.rating for form in inline.formset.forms]
    assert sorted(ratings[:2]) == [4, 5] and sorted(ratings[2:]) == [1, 2]
    panel = response.content.decode().lower().split("reviews of 4 stars and up")[1]
    assert "5★" in panel[:600] and "4★" in panel[:600] and "2★" not in panel[:600]
