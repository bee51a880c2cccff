"""The guide's "Basic Queries": create, retrieve, update, delete."""

from decimal import Decimal

from django.utils import timezone

from backoffice.models import Category, Product
from backoffice.reports.querylab.registry import example

SECTION = "Basic Queries"


@example(SECTION, "Create and save()", writes=True)
def create_and_save():
    category = Category(name="New Category", description="A new category")
    category.save()
    return {"id": category.id, "name": category.name, "created_at": category.created_at}


@example(SECTION, "create()", writes=True)
def create_method():
    category = Category.objects.create(
        name="Another Category", description="Another category description"
    )
    return {"id": category.id, "name": category.name}


@example(SECTION, "get_or_create() of an existing row")
def get_or_create_existing():
    category, created = Category.objects.get_or_create(
        name="Electronics", defaults={"description": "Default description"}
    )
    return {"created": created, "id": category.id, "description": category.description}


@example(SECTION, "bulk_create()", writes=True)
def bulk_create_products():
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
    return [{"id": p.id, "name": p.name, "price": p.price} for p in created]


@example(SECTION, "all() and count()", explain=lambda: Product.objects.all())
def all_products():
    all_products = Product.objects.all()
    return {"count": all_products.count(), "first rows": [p.name for p in all_products[:3]]}


@example(SECTION, "first() and last() follow Meta.ordering", errata=("E01",))
def first_and_last():
    first_product = Product.objects.first()
    last_product = Product.objects.last()
    return {"first": first_product.name, "last": last_product.name}


@example(SECTION, "update() of many rows", writes=True)
def update_many():
    updated_count = Product.objects.filter(category__name="Electronics").update(
        is_active=True, updated_at=timezone.now()
    )
    return {"updated_count": updated_count}
