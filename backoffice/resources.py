"""django-import-export resources: column mapping and keys, one per model.

The same classes serve ``load_seed_data`` and the admin's Import/Export buttons, so a file that
loads from the command line loads the same way from the admin. Column names are the guide's
JSON keys (``category_id``, ``supplier_id``, ...).
"""

from django.contrib.auth import get_user_model
from import_export import fields, resources, widgets

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
from backoffice.widgets import (
    BlankAsNullCharWidget,
    IsoDateTimeWidget,
    LookupForeignKeyWidget,
    StrictDecimalWidget,
)

User = get_user_model()


def foreign_key(column_name, attribute, model):
    return fields.Field(
        attribute=attribute,
        column_name=column_name,
        widget=LookupForeignKeyWidget(model, field="pk"),
    )


class BackofficeResource(resources.ModelResource):
    """Shared behaviour: ids kept, model validation on every row, unchanged rows skipped.

    ``auto_now`` fields would be overwritten by ``save()``; ``preserved_timestamps`` names the
    ones whose imported value is written back after the save, so imports keep history exactly.
    """

    preserved_timestamps: tuple[str, ...] = ()

    class Meta:
        import_id_fields = ("id",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        if f.get_internal_type() == "DateTimeField":
            return IsoDateTimeWidget
        if f.get_internal_type() == "DecimalField":
            return StrictDecimalWidget
        return super().widget_from_django_field(f, default)

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        restored = {}
        for name in self.preserved_timestamps:
            field = self.fields.get(name)
            if field is not None and field.column_name in row and row[field.column_name]:
                restored[name] = field.clean(row)
        if restored:
            type(instance)._default_manager.filter(pk=instance.pk).update(**restored)
            for name, value in restored.items():
                setattr(instance, name, value)

    def column_for_attribute(self, attribute: str) -> str:
        """The file's column for a model attribute (error messages name columns)."""
        for field in self.fields.values():
            if field.attribute == attribute:
                return field.column_name
        return attribute


class CategoryResource(BackofficeResource):
    class Meta(BackofficeResource.Meta):
        model = Category
        fields = ("id", "name", "description", "created_at")


class SupplierResource(BackofficeResource):
    class Meta(BackofficeResource.Meta):
        model = Supplier
        fields = ("id", "name", "email", "phone", "address", "rating")


class TagResource(BackofficeResource):
    class Meta(BackofficeResource.Meta):
        model = Tag
        fields = ("id", "name")


class ProductResource(BackofficeResource):
    category_id = foreign_key("category_id", "category", Category)
    supplier_id = foreign_key("supplier_id", "supplier", Supplier)
    sku = fields.Field(attribute="sku", column_name="sku", widget=BlankAsNullCharWidget())
    preserved_timestamps = ("updated_at",)

    class Meta(BackofficeResource.Meta):
        model = Product
        fields = (
            "id",
            "name",
            "sku",
            "description",
            "price",
            "cost",
            "stock_quantity",
            "category_id",
            "supplier_id",
            "is_active",
            "created_at",
            "updated_at",
        )


class ProductTagResource(BackofficeResource):
    """The product-tag links (the many-to-many table), one row per link."""

    product_id = foreign_key("product_id", "product", Product)
    tag_id = foreign_key("tag_id", "tag", Tag)

    class Meta(BackofficeResource.Meta):
        model = Product.tags.through
        import_id_fields = ("product_id", "tag_id")
        fields = ("product_id", "tag_id")


class ProductMetaResource(BackofficeResource):
    product_id = foreign_key("product_id", "product", Product)
    metadata = fields.Field(
        attribute="metadata", column_name="metadata", widget=widgets.JSONWidget()
    )

    class Meta(BackofficeResource.Meta):
        model = ProductMeta
        fields = ("id", "product_id", "metadata")


class UserResource(BackofficeResource):
    """Accounts of customers. Passwords are never exported; imported accounts can't log in."""

    class Meta(BackofficeResource.Meta):
        model = User
        fields = ("id", "username", "email", "first_name", "last_name", "is_active", "date_joined")

    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        if new:
            instance.set_unusable_password()


class CustomerResource(BackofficeResource):
    user_id = foreign_key("user_id", "user", User)

    class Meta(BackofficeResource.Meta):
        model = Customer
        fields = ("id", "user_id", "phone", "address", "date_of_birth")


class OrderResource(BackofficeResource):
    customer_id = foreign_key("customer_id", "customer", Customer)

    class Meta(BackofficeResource.Meta):
        model = Order
        fields = ("id", "customer_id", "status", "total_amount", "order_date", "delivery_date")


class OrderItemResource(BackofficeResource):
    order_id = foreign_key("order_id", "order", Order)
    product_id = foreign_key("product_id", "product", Product)

    class Meta(BackofficeResource.Meta):
        model = OrderItem
        fields = ("id", "order_id", "product_id", "quantity", "price")


class ReviewResource(BackofficeResource):
    customer_id = foreign_key("customer_id", "customer", Customer)
    product_id = foreign_key("product_id", "product", Product)

    class Meta(BackofficeResource.Meta):
        model = Review
        fields = ("id", "customer_id", "product_id", "rating", "comment", "created_at")


class InventoryLogResource(BackofficeResource):
    """Export only in practice: the admin refuses imports into the audit log."""

    product_id = foreign_key("product_id", "product", Product)
    user_id = foreign_key("user_id", "user", User)

    class Meta(BackofficeResource.Meta):
        model = InventoryLog
        fields = (
            "id",
            "product_id",
            "user_id",
            "change",
            "stock_after",
            "reason",
            "note",
            "created_at",
        )
