"""django-import-export resources: column mapping and keys, one per model.

The same classes serve ``load_seed_data`` and the admin's Import/Export buttons, so a file that
loads from the command line loads the same way from the admin. Column names are the guide's
JSON keys (``category_id``, ``supplier_id``, ...); each foreign key also has a readable column
next to its id (``category``: the name, ``product``: the SKU or name, ``customer``: the
username), and either may be used on import (``backoffice.importing.keys``). The shared
behaviour (validation, natural keys, partial saves, change tracking) is in
``backoffice.importing.resource_base``.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model
from import_export import fields, widgets

from backoffice.importing.domain_rules import OrderFacts, order_item_rules, order_rules
from backoffice.importing.keys import _is_id, readable_foreign_key
from backoffice.importing.resource_base import NOT_LOADED, BackofficeResource, row_error
from backoffice.importing.widgets import (
    BlankAsNullCharWidget,
    IsoDateTimeWidget,
    StrictBooleanWidget,
    StrictDecimalWidget,
    StrictIntegerWidget,
    TagListWidget,
)
from backoffice.models import (
    Category,
    Customer,
    ImportRecord,
    InventoryLog,
    InventoryReason,
    Order,
    OrderItem,
    Product,
    ProductMeta,
    Review,
    Supplier,
    Tag,
)
from backoffice.querysets.catalog import CATALOG_FIGURES
from backoffice.querysets.sales import CUSTOMER_FIGURES, ORDER_FIGURES
from backoffice.services.inventory import StockChange, stock_apply_changes, stock_set

User = get_user_model()

__all__ = [
    "BackofficeResource",
    "CategoryResource",
    "CustomerFiguresResource",
    "CustomerResource",
    "InventoryLogResource",
    "OrderFiguresResource",
    "OrderItemResource",
    "OrderResource",
    "ProductMetaResource",
    "ProductResource",
    "ProductTagResource",
    "ReviewResource",
    "SupplierResource",
    "TagResource",
    "UserResource",
]

PRODUCT_KEYS = ("sku", "name")
CUSTOMER_KEYS = ("user__username", "user__email")
# The source system's id of a row (docs/import-export.md, "How a row finds its object"): a row
# naming an object's external_ref is that object, whatever its id or natural key.
EXTERNAL_KEYS = ("external_ref",)


class CategoryResource(BackofficeResource):
    natural_id_fields = ("name",)

    class Meta(BackofficeResource.Meta):
        model = Category
        fields = ("id", "name", "description", "created_at")


class SupplierResource(BackofficeResource):
    natural_id_fields = ("name",)
    leading_key_fields = EXTERNAL_KEYS

    class Meta(BackofficeResource.Meta):
        model = Supplier
        fields = ("id", "external_ref", "name", "email", "phone", "address", "rating")


class TagResource(BackofficeResource):
    natural_id_fields = ("name",)

    class Meta(BackofficeResource.Meta):
        model = Tag
        fields = ("id", "name")


class ProductResource(BackofficeResource):
    category_id, category = readable_foreign_key("category", Category, ("name",))
    supplier_id, supplier = readable_foreign_key("supplier", Supplier, ("name",))
    sku = fields.Field(attribute="sku", column_name="sku", widget=BlankAsNullCharWidget())
    tags = fields.Field(attribute="tags", column_name="tags", widget=TagListWidget(Tag))
    preserved_timestamps = ("updated_at",)
    natural_id_fields = ("sku",)
    leading_key_fields = EXTERNAL_KEYS
    export_select_related = ("category", "supplier")
    export_prefetch_related = ("tags",)
    #: columns that change only through the stock ledger (bulk mode refuses to change them)
    ledger_fields = ("stock_quantity",)

    class Meta(BackofficeResource.Meta):
        model = Product
        fields = (
            "id",
            "external_ref",
            "name",
            "sku",
            "description",
            "price",
            "cost",
            "stock_quantity",
            "category_id",
            "category",
            "supplier_id",
            "supplier",
            "tags",
            "is_active",
            "created_at",
            "updated_at",
        )

    def _stock_note(self, opening: bool = False) -> str:
        source = f" from {self.import_file_name}" if self.import_file_name else ""
        return f"Opening stock, imported{source}." if opening else f"Imported{source}."

    def bulk_update_existing(self, manager, updated):
        """The chunked engine's update: every column but stock in bulk; stock through the
        ledger, in bulk too (one log row per product whose count the file changes)."""
        names = [n for n in updated[0][2].get("update_fields") or () if n != "id"]
        columns = [n for n in names if n != "stock_quantity"]
        if columns:
            manager.bulk_update([instance for instance, _, _ in updated], columns, batch_size=1000)
        if "stock_quantity" not in names:
            return
        changes = [
            StockChange(
                instance.pk,
                instance.stock_quantity - state["stored"]["stock_quantity"],
                InventoryReason.IMPORT,
                self._stock_note(),
            )
            for instance, _, state in updated
            if instance.stock_quantity != state["stored"]["stock_quantity"]
        ]
        stock_apply_changes(changes, user=self.import_user, import_record=self.import_record)

    def after_chunk_written(self, created, updated):
        """A product created with stock gets its opening-stock row in the inventory log
        (reason "import", linked to the import record), as the add page writes one."""
        InventoryLog.objects.bulk_create(
            [
                InventoryLog(
                    product_id=instance.pk,
                    user=self.import_user,
                    change=instance.stock_quantity,
                    stock_after=instance.stock_quantity,
                    reason=InventoryReason.IMPORT,
                    note=self._stock_note(opening=True),
                    import_record=self.import_record,
                )
                for instance, _, _ in created
                if instance.stock_quantity
            ],
            batch_size=2000,
        )

    def do_instance_save(self, instance, is_create):
        """Stock of an existing product moves through the ledger: the difference between the
        stock now (read under the row lock) and the file's, logged with reason "import", the
        user and the import record, in the import's transaction. A new product's stock is its
        opening stock, logged as such (the per-row path of ``load_seed_data``)."""
        if is_create:
            super().do_instance_save(instance, is_create)
            self.after_chunk_written([(instance, None, None)], [])  # its opening-stock row
            return None
        fields = self._row_state.get("update_fields") or []
        wanted = instance.stock_quantity
        instance.save(update_fields=[name for name in fields if name != "stock_quantity"])
        if "stock_quantity" in fields and wanted != self._row_state["stored"]["stock_quantity"]:
            stock_set(
                product_id=instance.pk,
                quantity=wanted,
                reason=InventoryReason.IMPORT,
                note=f"Imported from {self.import_file_name}." if self.import_file_name else "",
                user=self.import_user,
                import_record=self.import_record,
            )
        return None


class ProductTagResource(BackofficeResource):
    """The product-tag links (the many-to-many table), one row per link."""

    product_id, product = readable_foreign_key("product", Product, PRODUCT_KEYS)
    tag_id, tag = readable_foreign_key("tag", Tag, ("name",))
    export_select_related = ("product", "tag")

    class Meta(BackofficeResource.Meta):
        model = Product.tags.through
        name = "Product tags (one row per product and tag)"
        import_id_fields = ("product_id", "tag_id")
        fields = ("product_id", "product", "tag_id", "tag")


class ProductMetaResource(BackofficeResource):
    product_id, product = readable_foreign_key("product", Product, PRODUCT_KEYS)
    metadata = fields.Field(
        attribute="metadata", column_name="metadata", widget=widgets.JSONWidget()
    )
    export_select_related = ("product",)

    class Meta(BackofficeResource.Meta):
        model = ProductMeta
        fields = ("id", "product_id", "product", "metadata")


class UserResource(BackofficeResource):
    """Accounts of customers. Passwords are never exported; imported accounts can't log in.

    Staff accounts are never changed by an import: a file that renamed an administrator or
    changed their email (the address a password reset goes to) would be a way in.
    """

    natural_id_fields = ("username",)
    bulk_safe = False  # the staff-account check and unusable passwords are per row

    class Meta(BackofficeResource.Meta):
        model = User
        fields = ("id", "username", "email", "first_name", "last_name", "is_active", "date_joined")

    def get_instance(self, instance_loader, row):
        """The account of the row's username; else the row's id, unless that id is a staff
        account (a customer renamed in a file is still matched; a file's john_doe is never
        the administrator who happens to hold id 1); else a new account."""
        username = str(row.get("username") or "").strip()
        if username:
            natural = getattr(instance_loader, "natural", None)  # the chunked engine's
            by_name = natural("username", username) if natural is not None else NOT_LOADED
            if by_name is NOT_LOADED:
                by_name = self.get_queryset().filter(username=username).first()
            if by_name is not None:
                return by_name
        by_id = super().get_instance(instance_loader, row)
        if by_id is None or by_id.is_staff or by_id.is_superuser:
            return None
        return by_id

    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        if new:
            instance.set_unusable_password()

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._file_ids = (
            {int(v) for v in dataset["id"] if str(v or "").isdigit()}
            if ("id" in dataset.headers)
            else set()
        )
        self._spare_id = None
        self._id_remaps = {}

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        taken = type(instance)._default_manager.filter(pk=instance.pk)
        if self._row_state.get("new") and instance.pk is not None and taken.exists():
            # The file's id belongs to another account: the guide's ids are kept where they are
            # free, and this account gets one past every id of the table and of the file (the
            # next id could be one a later row of the file keeps).
            if self._spare_id is None:
                stored = (
                    type(instance)._default_manager.order_by("-pk").values_list("pk", flat=True)
                )
                self._spare_id = max([*self._file_ids, stored.first() or 0]) + 1
            self._id_remaps[instance.pk] = self._spare_id
            instance.pk = self._spare_id
            self._spare_id += 1

    def after_import(self, dataset, result, **kwargs):
        """The moved ids are remembered on the import's record: the guide's customers file
        names its accounts by id only, and is read with them (``CustomerResource``)."""
        super().after_import(dataset, result, **kwargs)
        self._note_remaps(dry_run=kwargs.get("dry_run"))

    def after_chunks(self, outcome, dry_run):
        self._note_remaps(dry_run)
        outcome.id_remaps = {str(old): new for old, new in self._id_remaps.items()}

    def _note_remaps(self, dry_run) -> None:
        if not self._id_remaps:
            return
        moved = ", ".join(f"{old} → {new}" for old, new in self._id_remaps.items())
        self.import_notes.append(
            f"These ids of the file belong to other accounts here, so those rows get new ids: "
            f"{moved}. A customers file that names accounts by these user_ids is read with "
            "the new ids."
        )
        if self.import_record is not None and not dry_run:
            self.import_record.id_remaps = {str(old): new for old, new in self._id_remaps.items()}

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # Runs only for rows that would change something: an export that lists the staff
        # accounts still imports back as "unchanged".
        stored = self._row_state.get("stored")
        # the flags as the object was read (no column of the file sets them)
        if (
            instance.pk is not None
            and self._row_state.get("new") is False
            and stored
            and (stored["is_staff"] or stored["is_superuser"])
        ):
            raise row_error(
                f"User {instance.username!r} is a staff account; staff accounts can't be "
                "changed by an import (change them on the user's page)."
            )
        super().validate_instance(instance, import_validation_errors, validate_unique)


class CustomerResource(BackofficeResource):
    user_id, user = readable_foreign_key("user", User, ("username", "email"))
    export_select_related = ("user",)
    leading_key_fields = EXTERNAL_KEYS

    class Meta(BackofficeResource.Meta):
        model = Customer
        fields = ("id", "external_ref", "user_id", "user", "phone", "address", "date_of_birth")

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._user_id_remaps = ImportRecord.objects.id_remaps(User._meta.label)
        self._remapped_user_ids = {}

    def before_import_row(self, row, **kwargs):
        """A row that names its account only by ``user_id``, an id an earlier users import
        moved (the guide's users.json after an administrator took id 1), points at the
        account that import made; the preview says so."""
        super().before_import_row(row, **kwargs)
        if str(row.get("user") or "").strip() or not self._user_id_remaps:
            return
        file_id = str(row.get("user_id") or "").strip()
        if file_id in self._user_id_remaps:
            row["user_id"] = self._user_id_remaps[file_id]
            self._remapped_user_ids[file_id] = row["user_id"]

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        self.after_chunks(None, kwargs.get("dry_run"))

    def after_chunks(self, outcome, dry_run):
        if self._remapped_user_ids:
            moved = ", ".join(f"{old} → {new}" for old, new in self._remapped_user_ids.items())
            self.import_notes.append(
                f"These user_ids were moved by an earlier users import and are read as the "
                f"accounts it made: {moved}."
            )

    def row_rules(self, instance, stored):
        """A customer profile is never hung on a staff account by an import: a file's
        ``user_id`` 1 may mean the guide's john_doe while id 1 is this shop's administrator."""
        if stored is not None and stored["user_id"] == instance.user_id:
            return []
        user = instance.user if instance.user_id else None
        if user is None or not (user.is_staff or user.is_superuser):
            return []
        return [
            (
                "user",
                f"User {user.username!r} (id {user.pk}) is a staff account, not a customer's; "
                "name the customer's account in the 'user' column (username or e-mail).",
            )
        ]


class OrderResource(BackofficeResource):
    customer_id, customer = readable_foreign_key(
        "customer", Customer, CUSTOMER_KEYS, select_related=("user",)
    )
    export_select_related = ("customer__user",)
    leading_key_fields = EXTERNAL_KEYS

    class Meta(BackofficeResource.Meta):
        model = Order
        fields = (
            "id",
            "external_ref",
            "customer_id",
            "customer",
            "status",
            "total_amount",
            "shipping_amount",
            "tax_amount",
            "discount_amount",
            "order_date",
            "delivery_date",
        )

    def row_rules(self, instance, stored):
        return order_rules(instance, stored)


class OrderItemResource(BackofficeResource):
    order_id, _ = readable_foreign_key("order", Order)
    product_id, product = readable_foreign_key("product", Product, PRODUCT_KEYS)
    export_select_related = ("product",)
    edits_versioned_parent = "order"  # a line imported is an edit of its order

    class Meta(BackofficeResource.Meta):
        model = OrderItem
        fields = ("id", "order_id", "product_id", "product", "quantity", "price")

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.order_facts = OrderFacts()
        self._facts_of: set[int] = set()  # the orders whose facts are read
        self._line_cents: dict[int, int] = {}  # per order: the sum of the lines the file adds
        self._load_facts(dataset)

    def before_chunk(self, dataset, **kwargs):
        self._load_facts(dataset)

    def _load_facts(self, dataset) -> None:
        """The facts of the orders a chunk names, read once per order: facts read after an
        earlier chunk was written would count that chunk's lines as the order's own."""
        headers = dataset.headers or []

        def ids(column):
            return [int(v) for v in dataset[column] if _is_id(v)] if column in headers else []

        # a line id appears once in a file (repeats are refused): only orders are remembered
        orders = [pk for pk in ids("order_id") if pk not in self._facts_of]
        self.order_facts.load(orders, ids("id"))
        self._facts_of.update(orders)

    def row_rules(self, instance, stored):
        return order_item_rules(instance, stored, self.order_facts)

    def chunk_read(self, created, updated):
        for instance, _, _ in created:
            if instance.quantity is not None and instance.price is not None:
                so_far = self._line_cents.get(instance.order_id, 0)
                self._line_cents[instance.order_id] = so_far + round(
                    instance.quantity * instance.price * 100
                )

    def after_chunks(self, outcome, dry_run):
        """Say how many orders the file's lines leave differing from their charged totals,
        before confirm: the order list flags them afterwards."""
        if not self._line_cents:
            return
        differing = 0
        ids = sorted(self._line_cents)
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            for order in Order.objects.filter(pk__in=chunk).only(
                "pk", "total_amount", "shipping_amount", "tax_amount", "discount_amount"
            ):
                items = Decimal(self._line_cents[order.pk]) / 100
                if order.charged_for(items) != order.total_amount:
                    differing += 1
        orders = len(ids)
        if differing:
            verb = "will differ" if dry_run else "differ"
            self.import_notes.append(
                f"{differing:,} of the {orders:,} orders this file gives lines {verb} from their "
                "lines: their charged total is not the lines plus shipping and tax less the "
                "discount. The order list flags "
                "them (Differs), and “Recalculate totals from items” corrects a total."
            )
        else:
            self.import_notes.append(
                f"The lines of each of the {orders:,} orders, with its shipping, tax and "
                "discount, add up to its charged total."
            )


class ReviewResource(BackofficeResource):
    customer_id, customer = readable_foreign_key(
        "customer", Customer, CUSTOMER_KEYS, select_related=("user",)
    )
    product_id, product = readable_foreign_key("product", Product, PRODUCT_KEYS)
    export_select_related = ("customer__user", "product")

    class Meta(BackofficeResource.Meta):
        model = Review
        fields = (
            "id",
            "customer_id",
            "customer",
            "product_id",
            "product",
            "rating",
            "comment",
            "created_at",
        )


class InventoryLogResource(BackofficeResource):
    """Export only in practice: the admin refuses imports into the audit log."""

    product_id, product = readable_foreign_key("product", Product, PRODUCT_KEYS)
    user_id, user = readable_foreign_key("user", User, ("username",))
    export_select_related = ("product", "user")

    class Meta(BackofficeResource.Meta):
        model = InventoryLog
        fields = (
            "id",
            "product_id",
            "product",
            "user_id",
            "user",
            "change",
            "stock_after",
            "reason",
            "note",
            "created_at",
        )


# --- export-only figures -------------------------------------------------------------------


def figure(name: str, widget=None):
    """An export-only column read from a queryset annotation (never imported)."""
    return fields.Field(attribute=name, column_name=name, readonly=True, widget=widget)


class _FiguresMixin:
    """Rows come from the list's own QuerySet method (``figures_method``), the one home of
    these figures; an export queryset without the annotations gets them added."""

    figures_method = ""
    figure_names: tuple[str, ...] = ()

    def get_queryset(self):
        return getattr(super().get_queryset(), self.figures_method)()

    def filter_export(self, queryset, **kwargs):
        if not set(self.figure_names) <= set(queryset.query.annotations):
            queryset = getattr(queryset, self.figures_method)()
        return super().filter_export(queryset, **kwargs)


class ProductFiguresResource(_FiguresMixin, ProductResource):
    """Products with the list's figures (``Product.objects.with_catalog_stats``): review count,
    average rating, units sold, revenue, stock status and price band."""

    figures_method = "with_catalog_stats"
    figure_names = CATALOG_FIGURES
    review_count = figure("review_count")
    avg_rating = figure("avg_rating")
    units_sold = figure("units_sold")
    revenue = figure("revenue")
    stock_status = figure("stock_status")
    price_band = figure("price_band")

    class Meta(ProductResource.Meta):
        name = "Products with sales and review figures (export only)"
        fields = ProductResource.Meta.fields + CATALOG_FIGURES


class CustomerFiguresResource(_FiguresMixin, CustomerResource):
    """Customers with their order figures and segment (``Customer.objects.with_order_stats``)."""

    figures_method = "with_order_stats"
    figure_names = CUSTOMER_FIGURES
    order_count = figure("order_count", StrictIntegerWidget())
    total_spent = figure("total_spent", StrictDecimalWidget())
    avg_order_value = figure("avg_order_value", StrictDecimalWidget())
    first_order_date = figure("first_order_date", IsoDateTimeWidget())
    last_order_date = figure("last_order_date", IsoDateTimeWidget())
    latest_order_total = figure("latest_order_total", StrictDecimalWidget())
    has_order_over_500 = figure("has_order_over_500", StrictBooleanWidget())
    segment = figure("segment")

    class Meta(CustomerResource.Meta):
        name = "Customers with order figures and segment (export only)"
        fields = CustomerResource.Meta.fields + CUSTOMER_FIGURES


class OrderFiguresResource(_FiguresMixin, OrderResource):
    """Orders with their line totals (``Order.objects.with_item_totals``)."""

    figures_method = "with_item_totals"
    figure_names = ORDER_FIGURES
    items_total = figure("items_total", StrictDecimalWidget())
    item_count = figure("item_count", StrictIntegerWidget())
    total_differs = figure("total_differs", StrictBooleanWidget())

    class Meta(OrderResource.Meta):
        name = "Orders with line totals (export only)"
        fields = OrderResource.Meta.fields + ORDER_FIGURES


def extra_export_resources(model) -> list[type[BackofficeResource]]:
    """Export-only resources offered on a model's export page besides its own (figures)."""
    return {
        Product: [ProductFiguresResource],
        Customer: [CustomerFiguresResource],
        Order: [OrderFiguresResource],
    }.get(model, [])


def extra_import_resources(model) -> list[type[BackofficeResource]]:
    """Resources offered on a model's import page besides its own (the links of a relation)."""
    return {Tag: [ProductTagResource]}.get(model, [])
