"""Every row of every table an import can touch, to prove that nothing changed."""

from django.contrib.admin.models import LogEntry
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

MODELS = {
    "categories": Category,
    "suppliers": Supplier,
    "tags": Tag,
    "products": Product,
    "product_meta": ProductMeta,
    "customers": Customer,
    "orders": Order,
    "order_items": OrderItem,
    "reviews": Review,
    "inventory_log": InventoryLog,
}


def table_snapshot(*, with_history=True):
    snapshot = {name: list(model.objects.order_by("pk").values()) for name, model in MODELS.items()}
    snapshot["users"] = [
        # unusable passwords are random ("!" + 40 characters): compare what they are, not bytes
        {**user, "password": "unusable" if user["password"].startswith("!") else user["password"]}
        for user in get_user_model().objects.filter(is_staff=False).order_by("pk").values()
    ]
    snapshot["product_tags"] = sorted(
        Product.tags.through.objects.values_list("product_id", "tag_id")
    )
    if with_history:
        snapshot["admin_log"] = list(LogEntry.objects.order_by("pk").values())
    return snapshot
