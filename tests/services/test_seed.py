"""load_seed_data: exact rows, idempotence, sequences, and all-or-nothing on broken files."""

import json
import shutil
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from backoffice.models import (
    Category,
    Customer,
    Order,
    OrderItem,
    Product,
    Review,
    Supplier,
    Tag,
)
from backoffice.services.seed import SEED_DIR, SEED_TABLES, seed_data_load
from tests.seed import by_id, dec, rows, when

User = get_user_model()

MODEL_BY_FILE = {
    "categories": Category,
    "suppliers": Supplier,
    "tags": Tag,
    "products": Product,
    "users": User,
    "customers": Customer,
    "orders": Order,
    "order_items": OrderItem,
    "reviews": Review,
}


@pytest.fixture
def seed(db):
    """Here the dataset always goes through the real import (the shared fixture may copy it)."""
    return seed_data_load()


def table_snapshot():
    """Every row of every table the seed touches, to prove that nothing changed."""
    snapshot = {
        name: list(model.objects.order_by("pk").values()) for name, model in MODEL_BY_FILE.items()
    }
    snapshot["product_tags"] = sorted(
        Product.tags.through.objects.values_list("product_id", "tag_id")
    )
    return snapshot


def test_every_table_has_exactly_the_files_rows(seed):
    for name, model in MODEL_BY_FILE.items():
        assert sorted(model.objects.values_list("pk", flat=True)) == sorted(by_id(name)), name


def test_products_keep_decimals_timestamps_and_references(seed):
    for product_id, row in by_id("products").items():
        product = Product.objects.get(pk=product_id)
        assert product.name == row["name"]
        assert product.price == dec(row["price"])
        assert str(product.price) == row["price"]
        assert product.stock_quantity == row["stock_quantity"]
        assert product.category_id == row["category_id"]
        assert product.supplier_id == row["supplier_id"]
        assert product.is_active is row["is_active"]
        assert product.created_at == when(row["created_at"])
        assert product.updated_at == when(row["updated_at"])


def test_orders_reviews_users_and_customers_keep_their_values(seed):
    for order_id, row in by_id("orders").items():
        order = Order.objects.get(pk=order_id)
        assert (order.customer_id, order.status) == (row["customer_id"], row["status"])
        assert order.total_amount == dec(row["total_amount"])
        assert order.order_date == when(row["order_date"])
        expected_delivery = when(row["delivery_date"]) if row["delivery_date"] else None
        assert order.delivery_date == expected_delivery
    for item_id, row in by_id("order_items").items():
        item = OrderItem.objects.get(pk=item_id)
        assert (item.order_id, item.product_id, item.quantity) == (
            row["order_id"],
            row["product_id"],
            row["quantity"],
        )
        assert item.price == dec(row["price"])
    for review_id, row in by_id("reviews").items():
        review = Review.objects.get(pk=review_id)
        assert (review.customer_id, review.product_id, review.rating) == (
            row["customer_id"],
            row["product_id"],
            row["rating"],
        )
        assert review.created_at == when(row["created_at"])
    for user_id, row in by_id("users").items():
        user = User.objects.get(pk=user_id)
        assert user.username == row["username"]
        assert user.date_joined == when(row["date_joined"])
        assert not user.has_usable_password()
    for customer_id, row in by_id("customers").items():
        customer = Customer.objects.get(pk=customer_id)
        assert customer.user_id == row["user_id"]
        assert customer.date_of_birth.isoformat() == row["date_of_birth"]
    for supplier_id, row in by_id("suppliers").items():
        assert Supplier.objects.get(pk=supplier_id).rating == row["rating"]


def test_product_tag_links_are_exactly_the_files(seed):
    expected = sorted((row["product_id"], row["tag_id"]) for row in rows("product_tags"))
    actual = sorted(Product.tags.through.objects.values_list("product_id", "tag_id"))
    assert actual == expected


def test_loading_twice_changes_nothing(seed):
    before = table_snapshot()
    out = StringIO()
    call_command("load_seed_data", stdout=out)
    assert table_snapshot() == before
    total_line = next(line for line in out.getvalue().splitlines() if line.startswith("total"))
    new, updated, skipped, errors = (int(n) for n in total_line.split()[1:])
    assert (new, updated, errors) == (0, 0, 0)
    assert skipped == sum(len(rows(t.file_name.removesuffix(".json"))) for t in SEED_TABLES)


def test_first_load_summary_counts_every_row_as_new(db):
    out = StringIO()
    call_command("load_seed_data", stdout=out)
    lines = out.getvalue().splitlines()
    for table in SEED_TABLES:
        line = next(
            line for line in lines if line.startswith(table.file_name) and "rows" not in line
        )
        new, updated, skipped, errors = (int(n) for n in line.split()[1:])
        assert new == len(rows(table.file_name.removesuffix(".json")))
        assert (updated, skipped, errors) == (0, 0, 0)
    # a progress line per table
    assert sum("rows ... done" in line for line in lines) == len(SEED_TABLES)


def test_dry_run_writes_nothing_but_reports_what_it_would_do(db):
    out = StringIO()
    call_command("load_seed_data", "--dry-run", stdout=out)
    assert Product.objects.count() == 0
    assert User.objects.count() == 0
    assert "Dry run" in out.getvalue()
    total_line = next(line for line in out.getvalue().splitlines() if line.startswith("total"))
    assert int(total_line.split()[1]) == sum(
        len(rows(t.file_name.removesuffix(".json"))) for t in SEED_TABLES
    )


def test_if_empty_leaves_staff_changes_alone(seed):
    Product.objects.filter(pk=1).update(price=dec("1.23"))
    out = StringIO()
    call_command("load_seed_data", "--if-empty", stdout=out)
    assert "already holds shop data" in out.getvalue()
    assert Product.objects.get(pk=1).price == dec("1.23")


def test_objects_created_after_loading_get_the_next_free_ids(seed):
    category = Category.objects.create(name="Garden Furniture")
    product = Product.objects.create(
        name="Deck chair", price=dec("89.00"), category=category, supplier_id=4
    )
    assert category.pk == max(by_id("categories")) + 1 == 6
    assert product.pk == max(by_id("products")) + 1 == 11


# --- broken files -------------------------------------------------------------------------


@pytest.fixture
def seed_copy(tmp_path):
    directory = tmp_path / "seed"
    shutil.copytree(SEED_DIR, directory)
    return directory


def rewrite(directory, name, mutate):
    path = directory / f"{name}.json"
    data = json.loads(path.read_text())
    mutate(data)
    path.write_text(json.dumps(data, indent=1))


def break_products_category(data):
    data[2]["category_id"] = 99


def rate_review_seven(data):
    data[4]["rating"] = 7


def duplicate_a_review(data):
    data.append(dict(data[0], id=9, comment="Again"))


BROKEN_FILES = {
    "invalid JSON": ("orders", None, ["orders.json", "line", "column"]),
    "unknown category": (
        "products",
        break_products_category,
        ["products.json", "row 3", "id 3", "'category_id'", "99"],
    ),
    "rating 7": ("reviews", rate_review_seven, ["reviews.json", "row 5", "id 5", "'rating'"]),
    "duplicate review": (
        "reviews",
        duplicate_a_review,
        ["reviews.json", "row 9", "id 9", "'product_id'", "already reviewed"],
    ),
}


@pytest.mark.parametrize("case", BROKEN_FILES, ids=list(BROKEN_FILES))
@pytest.mark.parametrize("preloaded", [False, True], ids=["empty-db", "loaded-db"])
def test_a_broken_file_writes_nothing_and_says_where(db, seed_copy, case, preloaded):
    if preloaded:
        seed_data_load()
        Product.objects.filter(pk=1).update(price=dec("1111.11"))  # a staff edit to keep
    name, mutate, expected_words = BROKEN_FILES[case]
    if mutate is None:
        path = seed_copy / f"{name}.json"
        path.write_text(path.read_text().replace('"status": "shipped",', '"status": "shipped"', 1))
    else:
        rewrite(seed_copy, name, mutate)
    if preloaded:
        # the broken file also carries a change to an earlier table: it must not land either
        rewrite(seed_copy, "categories", lambda data: data[0].update(description="changed"))
    before = table_snapshot()

    with pytest.raises(CommandError) as raised:
        call_command("load_seed_data", "--dir", str(seed_copy), stdout=StringIO())

    assert table_snapshot() == before
    message = str(raised.value)
    assert "nothing was written" in message
    for word in expected_words:
        assert word in message, (word, message)
