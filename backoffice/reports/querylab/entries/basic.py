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


@example(SECTION, "all() and count()", errata=("E41",), explain=lambda: Product.objects.all())
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


@example(SECTION, "get() of one object", explain=lambda: Product.objects.filter(id=1))
def get_one():
    try:
        product = Product.objects.get(id=1)
        return {"id": product.id, "name": product.name, "price": product.price}
    except Product.DoesNotExist:
        return {"product": None, "message": "Product not found"}


@example(SECTION, "filter().first(): get or None", explain=lambda: Product.objects.filter(id=999))
def filter_first_or_none():
    product = Product.objects.filter(id=999).first()
    return {"product": product}


@example(SECTION, "exists()", explain=lambda: Product.objects.filter(price__gt=500))
def exists_expensive():
    exists = Product.objects.filter(price__gt=500).exists()
    return {"expensive_products_exist": exists}


@example(SECTION, "save() of one object", writes=True)
def update_single():
    product = Product.objects.get(id=1)
    old_price = product.price
    product.price = Decimal("1099.99")
    product.save()
    return {"name": product.name, "old_price": old_price, "new_price": product.price}


@example(SECTION, "update_or_create()", writes=True)
def update_or_create_product():
    product, created = Product.objects.update_or_create(
        name="Special Laptop",
        defaults={
            "price": Decimal("1299.99"),
            "stock_quantity": 10,
            "category_id": 1,
            "supplier_id": 1,
        },
    )
    return {"created": created, "id": product.id, "name": product.name, "price": product.price}


@example(SECTION, "bulk_update(): 10% off the books", writes=True)
def bulk_update_discount():
    books = Product.objects.filter(category__name="Books")
    original_prices = {book.id: book.price for book in books}

    for book in books:
        book.price *= Decimal("0.9")  # 10% discount

    Product.objects.bulk_update(books, ["price"])
    # read the prices back: the column keeps two decimals (39.99 * 0.9 = 35.991 is stored 35.99)
    stored = dict(Product.objects.filter(id__in=original_prices).values_list("id", "price"))
    return [
        {
            "id": book.id,
            "name": book.name,
            "old_price": original_prices[book.id],
            "new_price": stored[book.id],
        }
        for book in books
    ]


@example(SECTION, "delete() of one object", writes=True)
def delete_single():
    """The guide deletes `Product.objects.get(id=13)`, the "Special Laptop" that its
    update_or_create example created earlier. Every lab entry starts from the real data (the
    previous example was rolled back), so this one creates the laptop first, then looks it up by
    name: id 13 does not exist here."""
    Product.objects.update_or_create(
        name="Special Laptop",
        defaults={"price": Decimal("1299.99"), "category_id": 1, "supplier_id": 1},
    )
    product = Product.objects.get(name="Special Laptop")
    product_name = product.name
    deleted = product.delete()
    return {"deleted_product": product_name, "deleted": deleted}


@example(SECTION, "delete() of many objects", writes=True)
def delete_out_of_stock():
    """Products that were ever sold cannot be deleted (`OrderItem.product` is PROTECT): if one
    of them matched, delete() would raise ProtectedError and delete nothing."""
    out_of_stock = Product.objects.filter(stock_quantity=0)
    count = out_of_stock.count()
    result = out_of_stock.delete()
    return {"count_before": count, "deleted_count": result[0], "by_model": result[1]}


@example(SECTION, "count() before delete()", writes=True)
def delete_inactive_after_count():
    inactive_products = Product.objects.filter(is_active=False)
    count = inactive_products.count()
    if count > 0:
        result = inactive_products.delete()
        return {"message": f"Deleted {result[0]} inactive products"}
    else:
        return {"message": "No inactive products to delete", "inactive_products_count": count}
