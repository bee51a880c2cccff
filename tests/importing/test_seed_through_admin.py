"""The guide's JSON files imported through the admin's Import pages give exactly the database
that ``manage.py load_seed_data`` gives (both use the same resources)."""

from django.contrib.auth import get_user_model

from backoffice.models import (
    Category,
    Customer,
    InventoryLog,
    Order,
    OrderItem,
    Product,
    ProductMeta,
    Review,
    Supplier,
    Tag,
)
from backoffice.services.seed import seed_data_load
from tests.importing.seed_files import import_every_seed_file
from tests.importing.snapshots import table_snapshot

User = get_user_model()


def wipe_shop_data():
    InventoryLog.objects.all().delete()  # opening stock the imports wrote
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
    for table, report in import_every_seed_file(boss_client):
        assert report.counts["new"] == len(report.rows), table.file_name
    through_admin = shop_state()

    wipe_shop_data()
    seed_data_load()
    assert shop_state() == through_admin


def shop_state() -> dict:
    """The shop's rows; of the inventory log, what moved (who imported it, when and from which
    file differ between the two loads by design)."""
    snapshot = table_snapshot(with_history=False)
    snapshot["inventory_log"] = [
        (row["product_id"], row["change"], row["stock_after"], row["reason"])
        for row in snapshot["inventory_log"]
    ]
    assert snapshot["inventory_log"], "every seed product has opening stock"
    return snapshot
