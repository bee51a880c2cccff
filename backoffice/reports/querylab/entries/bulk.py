"""The guide's "Bulk Operations": bulk_create, bulk_update, delete() of a queryset, and a
bulk UPDATE in SQL. All of them write; the lab rolls them back."""

from decimal import Decimal

from django.db import connection, transaction

from backoffice.models import Category, Product
from backoffice.reports.querylab.registry import example

SECTION = "Bulk Operations"


@example(SECTION, "bulk_create() of 1000 products in batches of 100", writes=True)
def bulk_create_thousand():
    """Ten INSERT queries of 100 rows each, instead of 1000 queries. bulk_create() skips
    save() and the model's signals."""
    products = [
        Product(name=f"Product {i}", price=Decimal(f"{i * 10}.99"), category_id=1, supplier_id=1)
        for i in range(1000)
    ]
    created = Product.objects.bulk_create(products, batch_size=100)
    return {
        "created": len(created),
        "first": f"{created[0].name} at {created[0].price}",
        "last": f"{created[-1].name} at {created[-1].price}",
        "products now": Product.objects.count(),
    }


@example(SECTION, "bulk_update(): +10% on Electronics", writes=True)
def bulk_update_electronics():
    """One UPDATE with a CASE per batch. The price column keeps two decimals, so 1299.99 × 1.1
    = 1429.989 is stored as 1429.99."""
    products = Product.objects.filter(category__name="Electronics")
    old_prices = {product.id: product.price for product in products}
    for product in products:
        product.price *= Decimal("1.1")  # 10% price increase

    Product.objects.bulk_update(products, ["price"], batch_size=100)
    stored = dict(Product.objects.filter(id__in=old_prices).values_list("id", "price"))
    return [
        {"name": product.name, "old price": old_prices[product.id], "new price": stored[product.id]}
        for product in products
    ]


@example(SECTION, "delete() of a queryset", writes=True)
def bulk_delete():
    """One DELETE (after Django collects related rows for cascades). Products that were sold
    are protected by OrderItem's PROTECT and would make it raise ProtectedError."""
    deleted, by_model = Product.objects.filter(stock_quantity=0).delete()
    return {"deleted": deleted, "by model": by_model}


@example(SECTION, "Bulk UPDATE in SQL inside @transaction.atomic", writes=True)
def bulk_price_update_sql():
    """Changed: the guide's `myapp_product`/`myapp_category` are this project's
    `Product._meta.db_table` and `Category._meta.db_table`, and the category name is a query
    parameter instead of a literal in the SQL. SQL bypasses the ORM: no save(), no signals,
    no `updated_at`."""
    product_table = connection.ops.quote_name(Product._meta.db_table)
    category_table = connection.ops.quote_name(Category._meta.db_table)

    @transaction.atomic
    def bulk_price_update(category_name):
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                UPDATE {product_table}
                SET price = price * 1.1
                WHERE category_id = (
                    SELECT id FROM {category_table} WHERE name = %s
                )
                """,
                [category_name],
            )
            return cursor.rowcount

    updated = bulk_price_update("Electronics")
    return {
        "rows updated": updated,
        "new prices": dict(
            Product.objects.filter(category__name="Electronics").values_list("name", "price")
        ),
    }
