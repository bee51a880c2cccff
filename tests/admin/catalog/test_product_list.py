"""The product list: columns, sorting, search and the editable columns."""

from decimal import Decimal

import pytest
from django.urls import reverse

from backoffice.models import InventoryLog, InventoryReason, Product
from tests.admin.helpers import csrf_client, csrf_token, messages_of
from tests.seed import rows
from tests.truth import catalog as truth

URL = reverse("admin:backoffice_product_changelist")
COLUMNS = [
    "name",
    "created_at",
    "sku",
    "category",
    "supplier",
    "price_and_band",
    "stock_and_status",
    "review_count",
    "avg_rating",
    "units_sold",
    "revenue",
    "tag_names",
    "is_active",
]


def listed(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


def names(response) -> list[str]:
    return [product.name for product in response.context["cl"].result_list]


@pytest.mark.usefixtures("seed")
def test_the_list_shows_every_column(admin_client):
    cl = listed(admin_client).context["cl"]
    assert list(cl.list_display)[1:] == COLUMNS  # after the action checkbox
    assert cl.list_editable == ()  # reading: no inputs until "Edit ... on this page"
    cl = listed(admin_client, edit="1").context["cl"]
    assert set(cl.list_editable) == {"price", "stock_quantity", "is_active"}
    # the inputs take the price and stock cells' places: a sort holds across the modes
    editing = [
        {"price": "price_and_band", "stock_quantity": "stock_and_status"}.get(c, c)
        for c in cl.list_display
    ]
    assert editing[1:] == COLUMNS


@pytest.mark.usefixtures("seed")
def test_the_edit_mode_is_a_link_that_keeps_the_lists_filters_and_is_no_filter(admin_client):
    html = listed(admin_client, category__id__exact="3").content.decode()
    assert 'name="form-0-price"' not in html
    assert 'href="?category__id__exact=3&amp;edit=1"' in html
    editing = listed(admin_client, category__id__exact="3", edit="1")
    books = {p["id"] for p in rows("products") if p["category_id"] == 3}
    assert {p.pk for p in editing.context["cl"].result_list} == books
    page = editing.content.decode()
    assert 'name="form-0-price"' in page
    assert 'href="?category__id__exact=3">Done editing</a>' in page
    assert 'href="?category__id__exact=3&amp;edit=1&amp;o=' in page  # sorting stays in it


def test_a_viewer_gets_no_edit_link(client, db):
    from tests.factories import staff_user

    client.force_login(staff_user("view_product"))
    html = client.get(URL, {"edit": "1"}).content.decode()
    assert "Edit prices, stock and on-sale" not in html
    assert 'name="form-0-price"' not in html


@pytest.mark.usefixtures("seed")
def test_the_figures_shown_are_the_seed_truth(admin_client):
    response = listed(admin_client)
    expected = truth.product_figures()
    model_admin = response.context["cl"].model_admin
    tag_names = {row["id"]: row["name"] for row in rows("tags")}
    expected_tags = {}
    for link in rows("product_tags"):
        expected_tags.setdefault(link["product_id"], []).append(tag_names[link["tag_id"]])
    for product in response.context["cl"].result_list:
        figures = expected[product.pk]
        assert model_admin.review_count(product) == figures["review_count"]
        assert model_admin.units_sold(product) == figures["units_sold"]
        assert model_admin.revenue(product) == f"{figures['revenue']:,.2f}"
        assert model_admin.stock_and_status(product) == (
            f"{product.stock_quantity} ({figures['stock_status'].lower()})"
        )
        assert model_admin.price_and_band(product) == (
            f"{product.price:,.2f} ({figures['price_band'].lower()})"
        )
        rating = figures["avg_rating"]
        assert model_admin.avg_rating(product) == (
            None
            if rating is None
            else f"{rating:.2f} ({figures['min_rating']}–{figures['max_rating']})"
        )
        assert model_admin.tag_names(product) == (
            ", ".join(sorted(expected_tags.get(product.pk, []))) or "—"
        )
        assert product.tag_count == len(expected_tags.get(product.pk, []))
    html = response.content.decode()
    assert "1,299.99" in html  # MacBook Pro's revenue, rendered
    assert "no reviews" in html  # Adidas Hoodie and Tennis Racket


def test_the_list_shows_unmultiplied_figures_for_a_busy_product(admin_client, busy_product):
    response = listed(admin_client)
    product = response.context["cl"].result_list[0]
    model_admin = response.context["cl"].model_admin
    assert model_admin.review_count(product) == 3
    assert model_admin.units_sold(product) == 6
    assert model_admin.revenue(product) == "62.47"
    assert model_admin.avg_rating(product).startswith("3.67 (")


SORTABLE = {
    "review_count": lambda f: f["review_count"],
    "units_sold": lambda f: f["units_sold"],
    "revenue": lambda f: f["revenue"],
    "avg_rating": lambda f: -1 if f["avg_rating"] is None else f["avg_rating"],
}


@pytest.mark.usefixtures("seed")
@pytest.mark.parametrize("column", ["review_count", "avg_rating", "units_sold", "revenue"])
@pytest.mark.parametrize("direction", ["", "-"])
def test_annotated_columns_sort_both_ways(admin_client, column, direction):
    index = 1 + COLUMNS.index(column)  # list_display position, action checkbox first
    response = listed(admin_client, o=f"{direction}{index}")
    figures = truth.product_figures()
    key = SORTABLE[column]
    got = [key(figures[p.pk]) for p in response.context["cl"].result_list]
    assert got == sorted(got, reverse=direction == "-")


@pytest.mark.usefixtures("seed")
def test_stock_status_sorts_by_level_and_price_band_by_price(admin_client):
    order = ["Out of stock", "Low stock", "Medium stock", "Well stocked"]
    cl = listed(admin_client, o=str(1 + COLUMNS.index("stock_and_status"))).context["cl"]
    levels = [order.index(p.stock_status) for p in cl.result_list]
    assert levels == sorted(levels)
    cl = listed(admin_client, o=f"-{1 + COLUMNS.index('price_and_band')}").context["cl"]
    bands = [["Cheap", "Medium", "Expensive"].index(p.price_band) for p in cl.result_list]
    assert bands == sorted(bands, reverse=True)


@pytest.mark.usefixtures("seed")
@pytest.mark.parametrize(
    ("query", "matches"),
    [
        ("MACBOOK", lambda r, c: "macbook" in r["name"].lower()),
        ("android", lambda r, c: "android" in r["description"].lower()),
        ("books", lambda r, c: c[r["category_id"]].lower() == "books"),
        ("garden", lambda r, c: "garden" in (r["name"] + c[r["category_id"]]).lower()),
    ],
)
def test_search_name_description_and_category_any_case(admin_client, query, matches):
    categories = {row["id"]: row["name"] for row in rows("categories")}
    expected = sorted(r["name"] for r in rows("products") if matches(r, categories))
    assert expected, "the case must match something"
    assert sorted(names(listed(admin_client, q=query))) == expected


@pytest.mark.django_db
def test_search_finds_a_sku_in_any_case(admin_client):
    from tests.factories import CategoryFactory, ProductFactory

    ProductFactory(
        name="Cable",
        sku="EL-12345",
        category=CategoryFactory(name="Electronics"),
        price=Decimal("120.00"),
    )
    ProductFactory(name="Other", sku="EL-1234", category=CategoryFactory(name="Electronics"))
    assert names(listed(admin_client, q="el-12345")) == ["Cable"]  # exact, in any case
    assert names(listed(admin_client, q="el-1234")) == ["Other"]  # not a part of EL-12345


def editable_post(client, products, **changes):
    """Post the list's editable columns as the list renders them, with ``changes`` applied."""
    page = client.get(URL)
    data = {
        "form-TOTAL_FORMS": str(len(products)),
        "form-INITIAL_FORMS": str(len(products)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "Save",
        "csrfmiddlewaretoken": csrf_token(page),
    }
    for i, product in enumerate(products):
        data[f"form-{i}-id"] = str(product.pk)
        data[f"form-{i}-price"] = str(product.price)
        data[f"form-{i}-stock_quantity"] = str(product.stock_quantity)
        if product.is_active:
            data[f"form-{i}-is_active"] = "on"
        # What the list showed (hidden "initial" inputs and version): the values above.
        data[f"initial-form-{i}-price"] = str(product.price)
        data[f"initial-form-{i}-stock_quantity"] = str(product.stock_quantity)
        data[f"initial-form-{i}-is_active"] = str(product.is_active)
        data[f"form-{i}-seen_version"] = str(product.edit_version)
    for key, value in changes.items():
        data[key.replace("__", "-")] = value
    return client.post(URL, data, follow=True)


def test_editable_columns_save_price_and_log_the_stock_change(editor, busy_product):
    product = busy_product.product
    client = csrf_client(editor)
    response = editable_post(
        client, [product], form__0__price="11.50", form__0__stock_quantity="12"
    )
    assert response.status_code == 200
    product.refresh_from_db()
    assert (product.price, product.stock_quantity) == (Decimal("11.50"), 12)
    log = InventoryLog.objects.get(product=product)
    assert (log.change, log.stock_after, log.reason, log.user) == (
        5,
        12,
        InventoryReason.ADJUSTMENT,
        editor,
    )


def test_editable_columns_apply_the_models_validation(editor, busy_product):
    product = busy_product.product
    Product.objects.filter(pk=product.pk).update(cost=Decimal("9.00"))
    product.refresh_from_db()
    client = csrf_client(editor)
    response = editable_post(client, [product], form__0__price="8.00", form__0__stock_quantity="-3")
    html = response.content.decode()
    assert "The price must be higher than the cost (9.00)." in html
    assert "Stock cannot be negative." in html
    product.refresh_from_db()
    assert (product.price, product.stock_quantity) == (Decimal("10.00"), 7)
    assert not InventoryLog.objects.exists()
    assert not any("successfully" in m for m in messages_of(response))


@pytest.mark.usefixtures("seed")
def test_the_summary_totals_the_filtered_rows(admin_client):
    """The guide's aggregate() and price-range counts, over the rows the filters leave."""
    response = listed(admin_client, supplier_rated="4.0+")
    suppliers = {row["id"]: row["rating"] for row in rows("suppliers")}
    shown = [r for r in rows("products") if suppliers[r["supplier_id"]] >= 4.0]
    prices = [Decimal(r["price"]) for r in shown]
    summary = response.context["catalog_summary"]
    assert summary["product_count"] == len(shown)
    assert (summary["min_price"], summary["max_price"]) == (min(prices), max(prices))
    assert summary["avg_price"] == truth.cents(sum(prices) / len(prices))
    assert summary["total_stock"] == sum(r["stock_quantity"] for r in shown)
    bands = {band: 0 for band in ("Cheap", "Medium", "Expensive")}
    for price in prices:
        bands[truth.price_band(price)] += 1
    assert summary["bands"] == bands
    html = response.content.decode()
    assert f"{len(shown)} products:" in html
    assert f"price from {min(prices):,.2f} to {max(prices):,.2f}" in html


def test_the_summary_of_an_empty_list(admin_client, db):
    response = listed(admin_client)
    assert response.context["catalog_summary"]["product_count"] == 0
    assert "0 products" in response.content.decode()


@pytest.mark.usefixtures("seed")
@pytest.mark.parametrize("direction", ["", "-"])
def test_the_list_sorts_by_created_newest_or_oldest_first(admin_client, direction):
    """The guide's Meta.ordering (newest first) and first()/last(), as a sortable column."""
    response = listed(admin_client, o=f"{direction}{1 + COLUMNS.index('created_at')}")
    shown = [p.created_at for p in response.context["cl"].result_list]
    assert len(shown) == len(rows("products"))
    assert shown == sorted(shown, reverse=direction == "-")


@pytest.mark.usefixtures("seed")
def test_the_tags_column_sorts_by_the_number_of_tags(admin_client):
    response = listed(admin_client, o=f"-{1 + COLUMNS.index('tag_names')}")
    figures = truth.product_figures()
    got = [figures[p.pk]["tag_count"] for p in response.context["cl"].result_list]
    assert got == sorted(got, reverse=True)


@pytest.mark.usefixtures("seed")
def test_the_rating_cell_shows_the_range_and_unreviewed_products_sort_lowest(admin_client):
    response = listed(admin_client, o=str(1 + COLUMNS.index("avg_rating")))
    figures = truth.product_figures()
    ratings = [figures[p.pk]["avg_rating"] for p in response.context["cl"].result_list]
    unreviewed = [r for r in ratings if r is None]
    assert ratings[: len(unreviewed)] == unreviewed  # first: no reviews
    assert ratings[len(unreviewed) :] == sorted(r for r in ratings if r is not None)
    html = response.content.decode()
    for product in response.context["cl"].result_list:
        f = figures[product.pk]
        if f["avg_rating"] is not None:
            assert f"{f['avg_rating']:.2f} ({f['min_rating']}–{f['max_rating']})" in html
