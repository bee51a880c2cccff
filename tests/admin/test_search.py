"""The admin's search by id sets (``backoffice/admin/common/search.py``): the rows Django's own
search finds, without its joins, DISTINCT or EXISTS; the autocomplete through the same search;
the trigram indexes behind it on PostgreSQL."""

import re

import pytest
from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backoffice.admin.common.base import BackofficeAdmin
from backoffice.admin.common.search import search, search_terms
from backoffice.models import Customer, Order, OrderItem, Product, Tag
from tests.factories import CustomerFactory, OrderFactory, OrderItemFactory, ProductFactory

ORDER_SEARCH = admin.site._registry[Order].search_fields

pytestmark = pytest.mark.django_db

# Words of the sample data, phrases, numbers in every spelling, prefixes' edge cases
TERMS = [
    "smith",
    "jane smith",  # two terms: both must match, each in some field
    '"jane smith"',  # one phrase: no single field holds it
    "'Garden Tools'",
    "tools garden",
    "iphone",
    "IPHONE jane",
    "jan",
    "ane",  # in a name, not at its start: "^" fields refuse it
    "bob@example.com",
    "BOB@EXAMPLE.COM",
    "bob@",
    "555-0104",
    "3",
    "admin",
    "03",  # not the text of any number
    "-3",
    "1e3",
    "99999999999999999999999",  # past any id
    "electronics",
    "phone",
    "nothing-like-this",
    "a e",
    "premium",
]


@pytest.fixture
def history(seed, admin_user):
    """A row for each history list the sample data leaves empty."""
    from backoffice.models import InventoryLog, InventoryReason, OrderStatusChange, ProductMeta

    garden = Product.objects.get(name="Garden Tools Set")
    InventoryLog.objects.create(
        product=garden, change=3, stock_after=13, reason="restock", note="smith delivery"
    )
    InventoryLog.objects.create(
        product=Product.objects.get(name="iPhone 15"),
        change=-1,
        stock_after=9,
        reason=InventoryReason.ADJUSTMENT,
    )
    ProductMeta.objects.create(product=garden, metadata={"color": "green"})
    for order in Order.objects.filter(pk__in=[3, 5]):
        OrderStatusChange.objects.create(order=order, to_status="processing", user=admin_user)


def backoffice_admins():
    return [
        (model, model_admin)
        for model, model_admin in sorted(
            admin.site._registry.items(), key=lambda item: item[0]._meta.label
        )
        if isinstance(model_admin, BackofficeAdmin) and model_admin.search_fields
    ]


def found_by_django(model, search_fields, term) -> list:
    """Django's own ``ModelAdmin.get_search_results``, de-duplicated as its change list does."""
    stock = ModelAdmin(model, admin.site)
    stock.search_fields = search_fields
    queryset, may_have_duplicates = stock.get_search_results(
        None, model._default_manager.all(), term
    )
    if may_have_duplicates:
        queryset = queryset.distinct()
    return sorted(queryset.values_list("pk", flat=True))


def found(model, search_fields, term) -> list:
    pks = list(
        search(model._default_manager.all(), search_fields, term).values_list("pk", flat=True)
    )
    assert len(pks) == len(set(pks)), "a row listed twice"
    return sorted(pks)


@pytest.mark.parametrize(
    ("model", "model_admin"),
    backoffice_admins(),
    ids=lambda value: value._meta.label if hasattr(value, "_meta") else "",
)
def test_every_list_finds_the_rows_djangos_search_finds(history, model, model_admin):
    if not model._default_manager.exists():
        pytest.skip(f"no {model._meta.verbose_name_plural} to search here")
    fields = model_admin.search_fields
    matched = 0
    for term in TERMS:
        expected = found_by_django(model, fields, term)
        assert found(model, fields, term) == expected, term
        matched += bool(expected)
    assert matched, "the terms must match some rows of this list"


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (Product, ["tags__name"]),  # a many-to-many field, through its table
        (Tag, ["products__name"]),  # its reverse side
        (Customer, ["orders__items__product__category__name", "^user__last_name"]),
        (OrderItem, ["order__customer__user__email", "order__pk__exact"]),
        (Product, ["=reviews__rating", "reviews__customer__phone"]),  # "=" on a number
    ],
)
def test_paths_through_every_kind_of_relation(seed, model, fields):
    for term in ["premium", "new", "electronics", "smith", "bob@example.com", "5", "0101", "s"]:
        assert found(model, fields, term) == found_by_django(model, fields, term), term


def test_a_term_is_split_as_django_splits_it():
    assert search_terms("  jane   'smith jr' \"o'neil\" ") == ["jane", "smith jr", "o'neil"]
    assert search_terms("   ") == []


def test_each_relation_is_an_id_set_of_its_own_table(seed):
    """No join in the listed table's query: the names are matched on ``auth_user`` alone and
    the products on theirs, each in a subquery that an index of its table can answer."""
    queryset = search(Order.objects.all(), admin.site._registry[Order].search_fields, "smith")
    sql = str(queryset.query)
    assert " JOIN " not in sql
    assert re.search(r'FROM "auth_user" \w+ WHERE', sql)
    assert re.search(r'FROM "backoffice_product" \w+ WHERE', sql)
    assert " UNION ALL " in sql


def test_an_order_with_two_matching_lines_is_listed_once(admin_client):
    order = OrderFactory()
    OrderItemFactory(order=order, product=ProductFactory(name="Blue Widget"))
    OrderItemFactory(order=order, product=ProductFactory(name="Red Widget"))
    OrderItemFactory(product=ProductFactory(name="Gadget"))
    response = admin_client.get(reverse("admin:backoffice_order_changelist"), {"q": "widget"})
    assert [row.pk for row in response.context["cl"].result_list] == [order.pk]
    assert response.context["cl"].result_count == 1


def test_the_search_needs_no_distinct_nor_exists(admin_client, seed):
    model_admin = admin.site._registry[Order]
    _, may_have_duplicates = model_admin.get_search_results(None, Order.objects.all(), "iphone")
    assert may_have_duplicates is False
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(reverse("admin:backoffice_order_changelist"), {"q": "iphone"})
    assert [o.pk for o in response.context["cl"].result_list] == [7, 3]
    page_ids = next(q["sql"] for q in captured if re.search(r'AS "pk" FROM', q["sql"]))
    assert "EXISTS" not in page_ids and "DISTINCT" not in page_ids


def _order_list_queries(admin_client, term) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(reverse("admin:backoffice_order_changelist"), {"q": term})
    assert response.status_code == 200
    return len(captured), response.context["cl"].result_count


def test_a_search_runs_the_same_queries_whatever_the_number_of_matches(admin_client):
    def orders_of_zed(count):
        for _ in range(count):
            OrderItemFactory(order=OrderFactory(customer=CustomerFactory(user__first_name="Zed")))

    orders_of_zed(2)
    few, listed = _order_list_queries(admin_client, "zed")
    assert listed == 2
    orders_of_zed(60)
    many, listed = _order_list_queries(admin_client, "zed")
    assert listed == 62
    assert many == few


def test_the_autocompletes_search_like_their_lists(admin_client, seed):
    url = reverse("admin:autocomplete")

    def texts(model_name, field_name, term):
        params = {"app_label": "backoffice", "model_name": model_name, "field_name": field_name}
        with CaptureQueriesContext(connection) as captured:
            response = admin_client.get(url, {**params, "term": term})
        assert response.status_code == 200
        return sorted(r["text"] for r in response.json()["results"]), captured

    customers, _ = texts("order", "customer", "smi")  # the start of a last name
    assert customers == ["Jane Smith"]
    assert texts("order", "customer", "555-0103")[0] == ["Bob Johnson"]  # a phone
    assert texts("order", "customer", "mith")[0] == []  # names are searched from their start
    products, captured = texts("orderitem", "product", "phone")
    expected = found_by_django(Product, admin.site._registry[Product].search_fields, "phone")
    assert products == sorted(
        Product.objects.filter(pk__in=expected).values_list("name", flat=True)
    )
    assert products  # "phone" is in the description of both phones
    # the names only: the list's figures are not read for the choices
    assert not any("productfigures" in q["sql"] for q in captured)


def test_the_order_number_forms_are_kept(admin_client, seed):
    url = reverse("admin:backoffice_order_changelist")
    for term, expected in [("#5", [5]), ("6", [6]), ("06", []), ("# 6", [])]:
        response = admin_client.get(url, {"q": term})
        assert [o.pk for o in response.context["cl"].result_list] == expected, term


def test_the_search_indexes_are_made_on_every_database():
    """On SQLite a plain index of the same name (``SearchIndex``), so that every schema change
    Django makes later finds the index it expects."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "backoffice_product")
    for name in ["product_name_search", "product_sku_search", "product_description_search"]:
        assert constraints[name]["index"], name


SEARCH_INDEXES = {
    "backoffice_product": ["name", "sku", "description"],
    "backoffice_customer": ["phone"],
    "backoffice_review": ["comment"],
    "backoffice_inventorylog": ["note"],
    "auth_user": ["first_name", "last_name", "email", "username"],
}


@pytest.mark.postgres_only
def test_the_searched_columns_have_trigram_indexes_on_upper():
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, indexname, indexdef FROM pg_indexes")
        definitions = {(table, name): definition for table, name, definition in cursor.fetchall()}
    for table, columns in SEARCH_INDEXES.items():
        for column in columns:
            name = f"{table.removeprefix('backoffice_')}_{column}_search"
            definition = definitions[(table, name)]
            assert "USING gin" in definition and "gin_trgm_ops" in definition, definition
            assert re.search(rf"upper\(\(?{column}\)?(::text)?\)", definition), definition


def _plan_with_indexes_preferred(queryset) -> str:
    """The plan once scans are discouraged: the test tables hold a handful of rows, where a
    scan rightly wins, of the table or of a whole primary key index. What can break at any size
    is whether an index's expression still matches the one Django's lookup writes; a GIN index
    is read by a bitmap scan, the one kind left."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    return queryset.explain()


@pytest.mark.postgres_only
def test_a_product_name_search_uses_its_trigram_index(seed):
    fields = admin.site._registry[Product].search_fields
    plan = _plan_with_indexes_preferred(search(Product.objects.all(), fields, "garden"))
    assert "product_name_search" in plan, plan
    assert "product_description_search" in plan and "product_sku_search" in plan, plan


@pytest.mark.postgres_only
def test_a_customer_search_uses_the_trigram_indexes_of_its_tables(seed):
    fields = admin.site._registry[Customer].search_fields
    plan = _plan_with_indexes_preferred(search(Customer.objects.all(), fields, "jan"))
    for index in ["customer_phone_search", "auth_user_first_name_search", "auth_user_email_search"]:
        assert index in plan, plan


@pytest.mark.postgres_only
def test_the_full_text_prefix_searches_on_postgresql(seed):
    assert found(Product, ["@description"], "camera") == found_by_django(
        Product, ["@description"], "camera"
    )
    assert found(Product, ["@description"], "camera")


@pytest.mark.postgres_only
def test_the_order_list_reads_a_searchs_id_sets_once_and_passes_the_ids_on(admin_client, seed):
    """The list asks its queryset several times (count and status summary, page, drill-down):
    the names' and products' id sets are computed once, then the ids go as one array."""
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(reverse("admin:backoffice_order_changelist"), {"q": "smith"})
    expected = {row.pk for row in search(Order.objects.all(), ORDER_SEARCH, "smith")}
    assert {row.pk for row in response.context["cl"].result_list} == expected
    assert expected  # the sample data has a Smith
    id_set_queries = [
        q["sql"] for q in captured.captured_queries if 'FROM "auth_user" U0' in q["sql"]
    ]
    assert len(id_set_queries) == 1, id_set_queries
    assert any("= ANY(" in q["sql"] for q in captured.captured_queries)


def test_on_sqlite_or_in_a_plain_search_the_id_sets_stay_subqueries(seed):
    queryset = search(Order.objects.all(), ORDER_SEARCH, "smith")
    assert "ANY(" not in str(queryset.query)
