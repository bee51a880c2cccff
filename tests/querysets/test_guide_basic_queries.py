"""The guide's "Basic Queries" examples, run as printed against the loaded dataset.

Expected values are computed from seed_data/*.json (tests/seed.py), never copied from the
guide's printed outputs; where those differ, docs/seed-errata.md says so.
"""

from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from django.utils import timezone

from backoffice.models import Category, Product
from tests.seed import by_id, dec, rows

pytestmark = pytest.mark.usefixtures("seed")

NEXT_CATEGORY_ID = max(by_id("categories")) + 1
NEXT_PRODUCT_ID = max(by_id("products")) + 1


def test_create_and_save():
    category = Category(name="New Category", description="A new category")
    category.save()
    assert category.id == NEXT_CATEGORY_ID
    assert category.created_at is not None


def test_create_method():
    Category.objects.create(name="New Category", description="A new category")
    category = Category.objects.create(
        name="Another Category", description="Another category description"
    )
    assert category.id == NEXT_CATEGORY_ID + 1


def test_get_or_create_finds_the_existing_category():
    category, created = Category.objects.get_or_create(
        name="Electronics", defaults={"description": "Default description"}
    )
    electronics = next(row for row in rows("categories") if row["name"] == "Electronics")
    assert created is False
    assert category.id == electronics["id"]
    assert category.description == electronics["description"]


def test_bulk_create():
    products = [
        Product(
            name="Tablet",
            description="Android tablet",
            price=Decimal("299.99"),
            stock_quantity=30,
            category_id=1,
            supplier_id=1,
        ),
        Product(
            name="Headphones",
            description="Wireless headphones",
            price=Decimal("199.99"),
            stock_quantity=50,
            category_id=1,
            supplier_id=1,
        ),
    ]
    created = Product.objects.bulk_create(products)
    assert len(created) == 2
    assert sorted(
        Product.objects.filter(name__in=["Tablet", "Headphones"]).values_list("id", flat=True)
    ) == [
        NEXT_PRODUCT_ID,
        NEXT_PRODUCT_ID + 1,
    ]


def test_all_get_and_missing():
    assert Product.objects.all().count() == len(rows("products"))
    product = Product.objects.get(id=1)
    assert (product.name, str(product.price)) == (
        by_id("products")[1]["name"],
        by_id("products")[1]["price"],
    )
    with pytest.raises(Product.DoesNotExist):
        Product.objects.get(id=999)
    assert Product.objects.filter(id=999).first() is None


def test_first_and_last_follow_the_default_ordering():
    """Meta.ordering is -created_at, so first() is the newest product (the guide says oldest)."""
    by_created = sorted(rows("products"), key=lambda row: row["created_at"])
    assert Product.objects.first().name == by_created[-1]["name"]
    assert Product.objects.last().name == by_created[0]["name"]


def test_exists():
    expected = [row for row in rows("products") if dec(row["price"]) > 500]
    assert Product.objects.filter(price__gt=500).exists() is bool(expected)
    assert Product.objects.filter(price__gt=500).count() == len(expected)


def test_update_single_object():
    product = Product.objects.get(id=1)
    old_updated_at = product.updated_at
    product.price = Decimal("1099.99")
    product.save()
    product.refresh_from_db()
    assert product.price == Decimal("1099.99")
    assert product.updated_at > old_updated_at


def test_update_multiple_objects():
    electronics_id = next(r["id"] for r in rows("categories") if r["name"] == "Electronics")
    expected = sum(1 for row in rows("products") if row["category_id"] == electronics_id)
    updated_count = Product.objects.filter(category__name="Electronics").update(
        is_active=True, updated_at=timezone.now()
    )
    assert updated_count == expected


def test_update_or_create_creates_special_laptop():
    product, created = Product.objects.update_or_create(
        name="Special Laptop",
        defaults={
            "price": Decimal("1299.99"),
            "stock_quantity": 10,
            "category_id": 1,
            "supplier_id": 1,
        },
    )
    assert created is True
    assert product.id == NEXT_PRODUCT_ID
    again, created_again = Product.objects.update_or_create(
        name="Special Laptop", defaults={"stock_quantity": 11}
    )
    assert (again.id, created_again, again.stock_quantity) == (product.id, False, 11)


def test_bulk_update_discounts_books_by_ten_percent():
    books_category = next(r["id"] for r in rows("categories") if r["name"] == "Books")
    expected = {
        row["id"]: (dec(row["price"]) * Decimal("0.9")).quantize(Decimal("0.01"), ROUND_HALF_EVEN)
        for row in rows("products")
        if row["category_id"] == books_category
    }
    books = Product.objects.filter(category__name="Books")
    for book in books:
        book.price *= Decimal("0.9")
    Product.objects.bulk_update(books, ["price"])
    assert dict(Product.objects.filter(id__in=expected).values_list("id", "price")) == expected
    assert expected[7] == Decimal("35.99")  # 39.99 less 10%


def test_delete_single_object():
    product = Product.objects.create(
        name="Special Laptop", price=Decimal("1299.99"), category_id=1, supplier_id=1
    )
    deleted, per_model = product.delete()
    # the product, and its kept figures row with it (backoffice.figures)
    assert per_model == {"backoffice.Product": 1, "backoffice.ProductFigures": 1}
    assert deleted == 2
    assert not Product.objects.filter(name="Special Laptop").exists()


def test_delete_out_of_stock_and_inactive():
    expected_out = sum(1 for row in rows("products") if row["stock_quantity"] == 0)
    expected_inactive = sum(1 for row in rows("products") if not row["is_active"])
    assert Product.objects.filter(stock_quantity=0).count() == expected_out
    assert Product.objects.filter(is_active=False).count() == expected_inactive
    result = Product.objects.filter(stock_quantity=0).delete()
    assert result[0] == expected_out
    assert Product.objects.count() == len(rows("products")) - expected_out
