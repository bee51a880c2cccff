"""Category, supplier, tag, review and inventory-log lists."""

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from backoffice.admin.catalog import columns
from backoffice.models import Category, InventoryLog, InventoryReason, Review, Supplier, Tag
from tests.admin.helpers import csrf_client, csrf_token, messages_of
from tests.factories import (
    CategoryFactory,
    CustomerFactory,
    ProductFactory,
    ReviewFactory,
    SupplierFactory,
    TagFactory,
)
from tests.seed import rows
from tests.truth import catalog as truth


def changelist(client, model, **params):
    response = client.get(reverse(f"admin:backoffice_{model}_changelist"), params)
    assert response.status_code == 200
    return response


# --- Categories -----------------------------------------------------------------------------


@pytest.mark.usefixtures("seed")
def test_category_figures_are_the_seed_truth():
    expected = truth.category_figures()
    for category in Category.objects.with_product_stats():
        figures = expected[category.name]
        assert category.product_share == pytest.approx(figures.pop("product_share"))
        assert {name: getattr(category, name) for name in figures} == figures, category.name


@pytest.mark.usefixtures("seed")
def test_category_list_is_ordered_by_product_count_and_shows_shares(admin_client):
    response = changelist(admin_client, "category")
    listed = [c.name for c in response.context["cl"].result_list]
    expected = truth.category_figures()
    assert listed == sorted(expected, key=lambda name: (-expected[name]["product_count"], name))
    html = response.content.decode()
    assert "30.0%" in html and "3,149.97" in html  # Electronics: 3 of 10, revenue


def test_category_figures_with_a_busy_product_are_not_multiplied(admin_client, busy_product):
    ProductFactory(category=busy_product.product.category, price=Decimal("30.00"), is_active=False)
    ProductFactory()  # another category, to make the share below 100%
    category = Category.objects.with_product_stats().get(pk=busy_product.product.category_id)
    assert (category.product_count, category.active_product_count) == (2, 1)
    assert (category.min_price, category.max_price, category.avg_price) == (
        Decimal("10.00"),
        Decimal("30.00"),
        Decimal("20.00"),
    )
    assert category.total_stock == 7 + 10
    assert category.revenue == busy_product.revenue
    assert category.product_share == pytest.approx(200 / 3)


@pytest.mark.django_db
def test_category_has_products_filter_and_junk(admin_client):
    full, empty = CategoryFactory(name="Full"), CategoryFactory(name="Empty")
    ProductFactory(category=full)
    names = lambda r: [c.name for c in r.context["cl"].result_list]  # noqa: E731
    assert names(changelist(admin_client, "category", has_products="yes")) == ["Full"]
    assert names(changelist(admin_client, "category", has_products="no")) == ["Empty"]
    junk = changelist(admin_client, "category", has_products="lots")
    assert sorted(names(junk)) == ["Empty", "Full"]
    assert any('has no choice "lots"' in m for m in messages_of(junk))
    assert empty.products.count() == 0


@pytest.mark.usefixtures("seed")
def test_category_change_page_lists_its_products_linked(admin_client):
    html = admin_client.get(reverse("admin:backoffice_category_change", args=[3])).content.decode()
    for product in rows("products"):
        link = reverse("admin:backoffice_product_change", args=[product["id"]])
        assert (f'href="{link}"' in html) == (product["category_id"] == 3), product["name"]


@pytest.mark.django_db
@pytest.mark.parametrize("owner", ["category", "supplier", "tag"])
def test_a_big_owner_page_lists_the_first_products_and_links_to_all_of_them(
    admin_client, monkeypatch, owner
):
    monkeypatch.setattr(columns, "PRODUCT_TABLE_ROWS", 2)
    category, supplier, tag = CategoryFactory(), SupplierFactory(), TagFactory()
    products = [
        ProductFactory(name=f"Lamp {n}", category=category, supplier=supplier) for n in range(3)
    ]
    for product in products:
        product.tags.add(tag)
    ProductFactory()  # another owner's: never counted
    obj = {"category": category, "supplier": supplier, "tag": tag}[owner]
    html = admin_client.get(
        reverse(f"admin:backoffice_{owner}_change", args=[obj.pk])
    ).content.decode()
    shown = [p for p in products if reverse("admin:backoffice_product_change", args=[p.pk]) in html]
    assert [p.name for p in shown] == ["Lamp 0", "Lamp 1"]  # the first by name
    assert "The first 2 of 3 products by name" in html
    link = re.search(r'href="([^"]+)">See all 3 in the product list', html).group(1)
    listed = admin_client.get(link.replace("&amp;", "&"))
    assert sorted(p.name for p in listed.context["cl"].result_list) == [
        "Lamp 0",
        "Lamp 1",
        "Lamp 2",
    ]


def test_a_small_owner_page_lists_every_product_without_a_link(admin_client, busy_product):
    html = admin_client.get(
        reverse("admin:backoffice_category_change", args=[busy_product.product.category_id])
    ).content.decode()
    assert busy_product.product.name in html
    assert "See all" not in html


# --- Suppliers ------------------------------------------------------------------------------


@pytest.mark.usefixtures("seed")
def test_supplier_figures_and_order_best_reviewed_first_unreviewed_last(admin_client):
    expected = truth.supplier_figures()
    response = changelist(admin_client, "supplier")
    suppliers = response.context["cl"].result_list
    for supplier in suppliers:
        figures = dict(expected[supplier.name])
        rating = figures.pop("avg_review_rating")
        assert supplier.avg_review_rating == (rating and pytest.approx(rating))
        assert {name: getattr(supplier, name) for name in figures} == figures, supplier.name
    reviewed = sorted(
        (n for n in expected if expected[n]["avg_review_rating"] is not None),
        key=lambda n: -expected[n]["avg_review_rating"],
    )
    unreviewed = [n for n in expected if expected[n]["avg_review_rating"] is None]
    assert [s.name for s in suppliers] == reviewed + sorted(unreviewed)


def test_supplier_figures_with_a_busy_product_are_not_multiplied(busy_product):
    supplier = Supplier.objects.with_performance().get(pk=busy_product.product.supplier_id)
    ProductFactory(supplier=supplier)
    supplier = Supplier.objects.with_performance().get(pk=supplier.pk)
    assert (supplier.product_count, supplier.review_count) == (2, 3)
    assert supplier.avg_review_rating == pytest.approx(11 / 3)
    assert supplier.total_stock == 7 + 10
    assert supplier.avg_product_price == Decimal("15.00")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("band", "expected"), [("4.5+", {"A", "B"}), ("4.0-4.5", {"C", "D"}), ("below-4.0", {"E"})]
)
def test_supplier_rating_band_filter(admin_client, band, expected):
    for name, rating in [("A", 5.0), ("B", 4.5), ("C", 4.49), ("D", 4.0), ("E", 3.99)]:
        SupplierFactory(name=name, rating=rating)
    response = changelist(admin_client, "supplier", rating_band=band)
    assert {s.name for s in response.context["cl"].result_list} == expected


# --- Tags -----------------------------------------------------------------------------------


@pytest.mark.usefixtures("seed")
def test_tag_counts_and_change_page(admin_client):
    counts = truth.tag_product_counts()
    response = changelist(admin_client, "tag")
    assert {t.name: t.product_count for t in response.context["cl"].result_list} == counts
    bestseller = Tag.objects.get(name="bestseller")
    html = admin_client.get(
        reverse("admin:backoffice_tag_change", args=[bestseller.pk])
    ).content.decode()
    tagged = {
        link["product_id"] for link in rows("product_tags") if link["tag_id"] == bestseller.pk
    }
    for product in rows("products"):
        link = reverse("admin:backoffice_product_change", args=[product["id"]])
        assert (f'href="{link}"' in html) == (product["id"] in tagged)


# --- Reviews --------------------------------------------------------------------------------


@pytest.mark.usefixtures("seed")
def test_review_list_columns_filters_and_search(admin_client):
    response = changelist(admin_client, "review")
    assert list(response.context["cl"].list_display)[1:] == [
        "product",
        "customer_name",
        "rating",
        "comment_text",
        "created_at",
    ]
    assert "John Doe" in response.content.decode()

    def ids(**params):
        return {
            r.pk for r in changelist(admin_client, "review", **params).context["cl"].result_list
        }

    reviews = rows("reviews")
    product_category = {p["id"]: p["category_id"] for p in rows("products")}
    assert ids(rating__exact="5") == {r["id"] for r in reviews if r["rating"] == 5}
    assert ids(product__category__id__exact="3") == {
        r["id"] for r in reviews if product_category[r["product_id"]] == 3
    }
    assert ids(
        **{"created_at__range__gte": "2024-03-06", "created_at__range__lte": "2024-03-07"}
    ) == {r["id"] for r in reviews if "2024-03-06" <= r["created_at"][:10] <= "2024-03-07"}
    assert ids(q="CAMERA") == {r["id"] for r in reviews if "camera" in r["comment"].lower()}


@pytest.mark.usefixtures("seed")
def test_review_date_filter_junk_gives_the_list_and_a_message(admin_client):
    response = changelist(admin_client, "review", created_at__range__gte="31/31/2024")
    assert response.context["cl"].result_count == len(rows("reviews"))
    assert any('"created at" was ignored' in m for m in messages_of(response))


def test_a_second_review_by_the_same_customer_is_a_form_error(editor):
    review = ReviewFactory()
    client = csrf_client(editor)
    add_url = reverse("admin:backoffice_review_add")
    response = client.post(
        add_url,
        {
            "customer": str(review.customer_id),
            "product": str(review.product_id),
            "rating": "3",
            "comment": "Again",
            "csrfmiddlewaretoken": csrf_token(client.get(add_url)),
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["product"] == [
        "This customer has already reviewed this product."
    ]
    assert Review.objects.count() == 1
    other = CustomerFactory()
    response = client.post(
        add_url,
        {
            "customer": str(other.pk),
            "product": str(review.product_id),
            "rating": "3",
            "comment": "Mine",
            "csrfmiddlewaretoken": csrf_token(client.get(add_url)),
        },
    )
    assert response.status_code == 302
    assert Review.objects.count() == 2


# --- Inventory log --------------------------------------------------------------------------


def make_logs():
    a, b = ProductFactory(name="Alpha"), ProductFactory(name="Beta")
    InventoryLog.objects.create(
        product=a,
        change=5,
        stock_after=15,
        reason=InventoryReason.RESTOCK,
        created_at=datetime(2024, 3, 1, 12, tzinfo=UTC),
    )
    InventoryLog.objects.create(
        product=b,
        change=-2,
        stock_after=8,
        reason=InventoryReason.SALE,
        created_at=datetime(2024, 3, 5, 12, tzinfo=UTC),
    )
    return a, b


@pytest.mark.django_db
def test_inventory_log_filters(admin_client):
    a, b = make_logs()

    def products(**params):
        response = changelist(admin_client, "inventorylog", **params)
        return {log.product.name for log in response.context["cl"].result_list}

    assert products(reason__exact="restock") == {"Alpha"}
    assert products(product__id__exact=str(b.pk)) == {"Beta"}
    assert products(**{"created_at__range__gte": "2024-03-02"}) == {"Beta"}
    assert products(**{"created_at__range__lte": "2024-03-01"}) == {"Alpha"}


@pytest.mark.django_db
def test_inventory_log_is_read_only_even_for_a_superuser(admin_client):
    a, _ = make_logs()
    log = InventoryLog.objects.filter(product=a).get()
    assert admin_client.get(reverse("admin:backoffice_inventorylog_add")).status_code == 403
    assert (
        admin_client.get(reverse("admin:backoffice_inventorylog_delete", args=[log.pk])).status_code
        == 403
    )
    page = admin_client.get(reverse("admin:backoffice_inventorylog_change", args=[log.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    admin_client.post(
        reverse("admin:backoffice_inventorylog_change", args=[log.pk]),
        {"change": "99", "stock_after": "99", "reason": "restock", "note": "forged"},
    )
    log.refresh_from_db()
    assert (log.change, log.note) == (5, "")
    response = changelist(admin_client, "inventorylog")
    assert "delete_selected" not in dict(response.context["action_form"].fields["action"].choices)


JUNK_BY_LIST = {
    "product": [
        {"o": "abc"},
        {"o": "99"},
        {"p": "999"},
        {"q": "%_'\""},
        {"tags__id__exact": "1e9"},
    ],
    "category": [{"has_products": "2"}, {"o": "x.y"}, {"p": "-1"}],
    "supplier": [{"rating_band": "5-6"}, {"rating__gte": "high"}],
    "tag": [{"o": "-"}, {"product_count": "3"}],
    "review": [
        {"rating__exact": "five"},
        {"product__category__id__exact": "x"},
        {"created_at__range__lte": "2024-13-01"},
    ],
    "inventorylog": [
        {"reason__exact": "stolen"},
        {"product__id__exact": "abc"},
        {"created_at__range__gte": "not a date"},
    ],
}


@pytest.mark.usefixtures("seed")
@pytest.mark.parametrize(
    ("model", "params"),
    [(model, params) for model, cases in JUNK_BY_LIST.items() for params in cases],
    ids=str,
)
def test_junk_in_any_catalog_list_gives_a_list_never_an_error(admin_client, model, params):
    response = admin_client.get(
        reverse(f"admin:backoffice_{model}_changelist"), params, follow=True
    )
    assert response.status_code == 200
    assert "cl" in response.context
