"""The guide's JSON files imported through the admin's Import pages give exactly the database
that ``manage.py load_seed_data`` gives (both use the same resources)."""

from django.contrib.auth import get_user_model

from backoffice.models import (
    Category,
    Customer,
    Order,
    OrderItem,
    Product,
    ProductMeta,
    Review,
    Supplier,
    Tag,
)
from backoffice.services.seed import SEED_DIR, SEED_TABLES, seed_data_load
from tests.importing.conftest import confirm, import_url, upload
from tests.importing.snapshots import table_snapshot

User = get_user_model()

# seed file -> (admin page, app label, resource index on that page)
PAGES = {
    "categories.json": ("category", "backoffice", 0),
    "suppliers.json": ("supplier", "backoffice", 0),
    "tags.json": ("tag", "backoffice", 0),
    "products.json": ("product", "backoffice", 0),
    "product_tags.json": ("tag", "backoffice", 1),  # "Product tags" on the Tags import page
    "users.json": ("user", "auth", 0),
    "customers.json": ("customer", "backoffice", 0),
    "orders.json": ("order", "backoffice", 0),
    "order_items.json": ("orderitem", "backoffice", 0),
    "reviews.json": ("review", "backoffice", 0),
}


def wipe_shop_data():
    OrderItem.objects.all().delete()
    Review.objects.all().delete()
    Order.objects.all().delete()
    Customer.objects.all().delete()
    User.objects.filter(is_staff=False).delete()
    ProductMeta.objects.all().delete()
    Product.tags.through.objects.all().delete()
    Product.objects.all().delete()
    Tag.objects.all().delete()
    Supplier.objects.all().delete()
    Category.objects.all().delete()


def test_every_seed_file_through_the_admin_equals_load_seed_data(db, boss_client):
    assert [table.file_name for table in SEED_TABLES] == list(PAGES)
    for table in SEED_TABLES:
        page, app_label, resource = PAGES[table.file_name]
        preview = upload(
            boss_client,
            page,
            table.file_name,
            (SEED_DIR / table.file_name).read_bytes(),
            "json",
            resource=resource,
            url=import_url(page, "import", app_label),
        )
        report = preview.context["report"]
        assert report.ok, (table.file_name, report.problems, report.error_rows[:3])
        assert report.counts["new"] == len(report.rows), table.file_name
        response = confirm(
            boss_client, page, preview, url=import_url(page, "process_import", app_label)
        )
        assert response.status_code == 302, table.file_name
    through_admin = table_snapshot(with_history=False)

    wipe_shop_data()
    seed_data_load()
    assert table_snapshot(with_history=False) == through_admin
