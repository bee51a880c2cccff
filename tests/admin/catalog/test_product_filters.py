"""Product list filters: true results on the sample data, exact bounds, junk handled."""

from decimal import Decimal

import pytest
from django.urls import reverse

from backoffice.models import ProductMeta
from tests.admin.helpers import messages_of
from tests.factories import (
    CategoryFactory,
    ProductFactory,
    ReviewFactory,
    SupplierFactory,
    TagFactory,
)
from tests.seed import dec, rows
from tests.truth import catalog as truth

URL = reverse("admin:backoffice_product_changelist")
PRODUCTS = rows("products")
REVIEWS = rows("reviews")
SUPPLIER_RATING = {row["id"]: row["rating"] for row in rows("suppliers")}
TAGS = {row["name"]: row["id"] for row in rows("tags")}
TAGGED = {(link["product_id"], link["tag_id"]) for link in rows("product_tags")}


def ids(client, params) -> set[int]:
    response = client.get(URL, params)
    assert response.status_code == 200
    assert not [m for m in messages_of(response) if "ignored" in m or "removed" in m]
    return {product.pk for product in response.context["cl"].result_list}


def where(predicate) -> set[int]:
    return {row["id"] for row in PRODUCTS if predicate(row)}


def reviewed_ids(min_rating=1) -> set[int]:
    return {r["product_id"] for r in REVIEWS if r["rating"] >= min_rating}


SEED_CASES = {
    "category": ({"category__id__exact": "3"}, lambda r: r["category_id"] == 3),
    "supplier": ({"supplier__id__exact": "2"}, lambda r: r["supplier_id"] == 2),
    "active": ({"is_active__exact": "1"}, lambda r: r["is_active"]),
    "tag": (
        {"tags__id__exact": str(TAGS["bestseller"])},
        lambda r: (r["id"], TAGS["bestseller"]) in TAGGED,
    ),
    "cheap": ({"price_band": "Cheap"}, lambda r: truth.price_band(dec(r["price"])) == "Cheap"),
    "medium band": (
        {"price_band": "Medium"},
        lambda r: truth.price_band(dec(r["price"])) == "Medium",
    ),
    "expensive": (
        {"price_band": "Expensive"},
        lambda r: truth.price_band(dec(r["price"])) == "Expensive",
    ),
    "medium stock": (
        {"stock_status": "Medium stock"},
        lambda r: truth.stock_status(r["stock_quantity"]) == "Medium stock",
    ),
    "well stocked": (
        {"stock_status": "Well stocked"},
        lambda r: truth.stock_status(r["stock_quantity"]) == "Well stocked",
    ),
    "2 or more tags": (
        {"tag_count": "2+"},
        lambda r: sum(1 for product, _ in TAGGED if product == r["id"]) >= 2,
    ),
    "no tags": ({"tag_count": "0"}, lambda r: all(product != r["id"] for product, _ in TAGGED)),
    "has reviews": ({"has_reviews": "yes"}, lambda r: r["id"] in reviewed_ids()),
    "no reviews": ({"has_reviews": "no"}, lambda r: r["id"] not in reviewed_ids()),
    "4+ stars": ({"review_4_plus": "yes"}, lambda r: r["id"] in reviewed_ids(4)),
    "supplier 4.0+": (
        {"supplier_rated": "4.0+"},
        lambda r: SUPPLIER_RATING[r["supplier_id"]] >= 4.0,
    ),
    "created 2 to 3 February": (
        {"created_at__range__gte": "2024-02-02", "created_at__range__lte": "2024-02-03"},
        lambda r: "2024-02-02" <= r["created_at"][:10] <= "2024-02-03",
    ),
    "price 49.99 to 50": (
        {"price__range__gte": "49.99", "price__range__lte": "50"},
        lambda r: Decimal("49.99") <= dec(r["price"]) <= Decimal("50"),
    ),
    "price from 100": ({"price__range__gte": "100"}, lambda r: dec(r["price"]) >= 100),
    "combined": (
        {"price_band": "Medium", "has_reviews": "yes", "supplier_rated": "4.0+"},
        lambda r: (
            truth.price_band(dec(r["price"])) == "Medium"
            and r["id"] in reviewed_ids()
            and SUPPLIER_RATING[r["supplier_id"]] >= 4.0
        ),
    ),
}


@pytest.mark.usefixtures("seed")
@pytest.mark.parametrize("case", SEED_CASES)
def test_filter_on_the_sample_data(admin_client, case):
    params, predicate = SEED_CASES[case]
    expected = where(predicate)
    assert expected, "each case must select something"
    assert ids(admin_client, params) == expected


@pytest.mark.usefixtures("seed")
def test_price_range_includes_both_bounds_exactly(admin_client):
    """49.99 is inside 49.99-50 and inside 0-49.99; not inside 49.991-50 (refused: 3 places)."""
    handbook = next(r["id"] for r in PRODUCTS if r["price"] == "49.99")
    assert handbook in ids(admin_client, {"price__range__gte": "49.99", "price__range__lte": "50"})
    assert handbook in ids(admin_client, {"price__range__gte": "0", "price__range__lte": "49.99"})
    assert handbook not in ids(admin_client, {"price__range__gte": "50.00"})


@pytest.mark.django_db
def test_filters_do_not_multiply_rows_of_a_product_with_many_reviews(admin_client, busy_product):
    for params in ({"has_reviews": "yes"}, {"review_4_plus": "yes"}):
        response = admin_client.get(URL, params)
        assert [p.pk for p in response.context["cl"].result_list] == [busy_product.product.pk]
        assert response.context["cl"].result_count == 1


@pytest.mark.django_db
def test_supplier_rating_boundary_and_review_rating_boundary(admin_client):
    exactly_four = ProductFactory(supplier=SupplierFactory(rating=4.0))
    below = ProductFactory(supplier=SupplierFactory(rating=3.9))
    ReviewFactory(product=exactly_four, rating=4)
    ReviewFactory(product=below, rating=3)
    assert ids(admin_client, {"supplier_rated": "4.0+"}) == {exactly_four.pk}
    assert ids(admin_client, {"review_4_plus": "yes"}) == {exactly_four.pk}
    assert ids(admin_client, {"has_reviews": "yes"}) == {exactly_four.pk, below.pk}


@pytest.mark.django_db
def test_metadata_colour_filter(admin_client):
    red, blue, plain = ProductFactory(), ProductFactory(), ProductFactory()
    ProductMeta.objects.create(product=red, metadata={"color": "red", "size": "M"})
    ProductMeta.objects.create(product=blue, metadata={"color": "blue"})
    ProductMeta.objects.create(product=plain, metadata={"specs": {"weight": 1.5}})
    response = admin_client.get(URL)
    colour_filter = next(
        spec
        for spec in response.context["cl"].filter_specs
        if getattr(spec, "parameter_name", None) == "color"
    )
    assert [value for value, _ in colour_filter.lookup_choices] == ["blue", "red"]
    assert ids(admin_client, {"color": "red"}) == {red.pk}
    assert ids(admin_client, {"color": "blue"}) == {blue.pk}


@pytest.mark.django_db
def test_metadata_filter_takes_any_top_level_key_and_value(admin_client):
    cotton, wool, plain = ProductFactory(), ProductFactory(), ProductFactory()
    ProductMeta.objects.create(product=cotton, metadata={"material": "cotton", "size": "M"})
    ProductMeta.objects.create(product=wool, metadata={"material": "wool", "size": "M"})
    ProductMeta.objects.create(product=plain, metadata={"specs": {"weight": 1.5}})
    assert ids(admin_client, {"metadata": "material=cotton"}) == {cotton.pk}
    assert ids(admin_client, {"metadata": "size=M"}) == {cotton.pk, wool.pk}
    assert ids(admin_client, {"metadata": " material = wool "}) == {wool.pk}
    assert ids(admin_client, {"metadata": "material=silk"}) == set()
    # a key is a key, never a lookup: "material__contains" matches no product
    assert ids(admin_client, {"metadata": "material__contains=o"}) == set()
    # combined with another filter, and the form keeps the list's other parameters
    response = admin_client.get(URL, {"metadata": "size=M", "is_active__exact": "1", "o": "2"})
    assert {p.pk for p in response.context["cl"].result_list} == {cotton.pk, wool.pk}
    html = response.content.decode()
    assert 'name="is_active__exact" value="1"' in html and 'name="o" value="2"' in html
    assert 'name="metadata" value="size=M"' in html


@pytest.mark.django_db
def test_metadata_filter_without_a_pair_gives_the_list_and_a_message(admin_client):
    ProductFactory()
    response = admin_client.get(URL, {"metadata": "cotton"}, follow=True)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 1
    assert any("needs key=value" in str(m) for m in response.context["messages"])


@pytest.mark.django_db
def test_created_range_includes_the_whole_last_day(admin_client):
    from datetime import UTC, datetime

    late = ProductFactory(created_at=datetime(2024, 3, 10, 23, 59, 59, tzinfo=UTC))
    ProductFactory(created_at=datetime(2024, 3, 11, 0, 0, 0, tzinfo=UTC))
    params = {"created_at__range__gte": "2024-03-10", "created_at__range__lte": "2024-03-10"}
    assert ids(admin_client, params) == {late.pk}


JUNK = [
    ({"price_band": "Luxury"}, 'The filter "price band" has no choice "Luxury"'),
    ({"stock_status": "lots"}, 'The filter "stock status" has no choice "lots"'),
    ({"has_reviews": "maybe"}, 'The filter "reviews" has no choice "maybe"'),
    ({"review_4_plus": "1; DROP TABLE"}, 'The filter "4+ star reviews" has no choice'),
    ({"supplier_rated": "9"}, 'The filter "supplier rating" has no choice "9"'),
    ({"color": "octarine"}, 'The filter "colour (metadata)" has no choice "octarine"'),
    ({"price__range__gte": "cheap"}, 'The filter "price" was ignored: Enter a number.'),
    ({"price__range__gte": "1e400"}, 'The filter "price" was ignored'),
    ({"price__range__gte": "NaN"}, 'The filter "price" was ignored'),
    ({"price__range__gte": "49.991"}, 'The filter "price" was ignored'),
    ({"price__range__gte": "-5"}, 'The filter "price" was ignored'),
    (
        {"price__range__gte": "60", "price__range__lte": "50"},
        "the start (60) is after the end (50)",
    ),
    ({"category__id__exact": "abc"}, 'The filter "category" has no choice "abc"'),
    ({"category__id__exact": "99999"}, 'The filter "category" has no choice "99999"'),
    ({"supplier__id__exact": "1.5"}, 'The filter "supplier" has no choice "1.5"'),
    ({"supplier__id__exact": "99999"}, 'The filter "supplier" has no choice "99999"'),
    ({"tags__id__exact": "x"}, 'The filter "tag" has no choice "x"'),
    ({"created_at__range__gte": "2024-02-31"}, 'The filter "created at" was ignored'),
    ({"created_at__range__lte": "yesterday"}, 'The filter "created at" was ignored'),
    (
        {"created_at__range__gte": "2024-03-01", "created_at__range__lte": "2024-02-01"},
        "is after the end",
    ),
]


@pytest.mark.usefixtures("seed")
@pytest.mark.parametrize(("params", "message"), JUNK, ids=[str(p) for p, _ in JUNK])
def test_junk_in_our_filters_gives_the_whole_list_and_a_message(admin_client, params, message):
    response = admin_client.get(URL, params)
    assert response.status_code == 200
    assert response.context["cl"].result_count == len(PRODUCTS)
    shown = messages_of(response)
    assert any(message in m for m in shown), shown
    assert len(shown) == 1, "one message, not one per list build"


DJANGO_FIELD_JUNK = [
    {"is_active__exact": "maybe"},
]


@pytest.mark.usefixtures("seed")
@pytest.mark.parametrize("params", DJANGO_FIELD_JUNK, ids=str)
def test_junk_in_field_filters_gives_the_list_and_a_message(admin_client, params):
    response = admin_client.get(URL, params, follow=True)
    assert response.status_code == 200
    assert response.context["cl"].result_count == len(PRODUCTS)
    assert any("could not be applied" in m for m in messages_of(response))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("parameter", "make", "field"),
    [
        ("category__id__exact", CategoryFactory, "category"),
        ("supplier__id__exact", SupplierFactory, "supplier"),
        ("tags__id__exact", TagFactory, "tags"),
    ],
)
def test_category_supplier_and_tag_are_chosen_in_an_autocomplete_not_a_list_of_links(
    admin_client, parameter, make, field
):
    rows = [make() for _ in range(3)]
    product = ProductFactory(**({field: rows[1]} if field != "tags" else {}))
    if field == "tags":
        product.tags.add(rows[1])
    html = admin_client.get(URL).content.decode()
    assert f"?{parameter}={rows[0].pk}" not in html  # no link per row
    assert f'data-url-template="?{parameter}=CHOSEN_ID"' in html
    autocomplete = reverse("admin:autocomplete")
    assert f'data-ajax--url="{autocomplete}"' in html
    chosen = admin_client.get(URL, {parameter: rows[1].pk})
    assert [p.pk for p in chosen.context["cl"].result_list] == [product.pk]
    page = chosen.content.decode()
    assert f'<option value="{rows[1].pk}" selected>{rows[1]}</option>' in page
