"""The model signals that report touched figures: saves and deletes of order lines, orders,
reviews and tag links, new products, customers, categories and suppliers (each gets its figures
row), every product save and delete (its category's and supplier's figures: price, stock,
counts), and a product moved to another category (the day category sales). A tag's
delete takes its links without signals: ``Tag.delete`` and ``TagQuerySet.delete`` report."""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from backoffice.figures.tracking import mark_deleting, touched, unmark_deleting
from backoffice.querysets.days import utc_day

# Fields whose stored value a save may move away from: the figures of the old value are
# recomputed too (an order line moved to another product, an order to another customer).
KEY_FIELDS = {
    "OrderItem": ("product_id", "order_id"),
    "Order": ("customer_id", "status", "order_date"),
    "Review": ("product_id",),
    "Product": ("category_id", "supplier_id"),
}


def _stored(sender, instance) -> dict:
    if instance._state.adding or instance.pk is None:
        return {}
    fields = KEY_FIELDS[sender.__name__]
    return sender._base_manager.filter(pk=instance.pk).values(*fields).first() or {}


def _remember(sender, instance, **kwargs):
    instance._figures_stored = _stored(sender, instance)


def _remember_deleted(sender, instance, origin=None, **kwargs):
    """A deleted instance's owners are read from its stored row, not its attributes: the
    instance in hand may be stale (a set-based update moved the product to another category
    since it was loaded). Only the instance ``delete()`` was called on can be stale; the rows a
    queryset delete or a cascade collects were fetched just now, so they cost no query."""
    if origin is instance:
        instance._figures_stored = _stored(sender, instance)


def _item_changed(sender, instance, **kwargs):
    old = getattr(instance, "_figures_stored", {})
    touched(
        products={instance.product_id, old.get("product_id")},
        orders={instance.order_id, old.get("order_id")},
    )


def _order_saved(sender, instance, created, **kwargs):
    old = getattr(instance, "_figures_stored", {})
    products = ()
    if not created and old.get("status") != instance.status:
        # counted or not: every line's product figures move
        products = instance.items.values_list("product_id", flat=True)
    touched(
        orders={instance.pk},
        customers={instance.customer_id, old.get("customer_id")},
        products=set(products),
        days={utc_day(old.get("order_date"))},  # an order moved to another day leaves its old one
    )


def _order_deleted(sender, instance, **kwargs):
    unmark_deleting("orders", instance.pk)
    old = getattr(instance, "_figures_stored", {})
    touched(
        customers={instance.customer_id, old.get("customer_id")},
        days={utc_day(instance.order_date), utc_day(old.get("order_date"))},
    )


def _review_changed(sender, instance, **kwargs):
    old = getattr(instance, "_figures_stored", {})
    touched(products={instance.product_id, old.get("product_id")}, reviews={instance.pk})


def _product_saved(sender, instance, created, **kwargs):
    if created:
        touched(products={instance.pk})  # its figures row, and its category's and supplier's
        return
    old = getattr(instance, "_figures_stored", {})
    days = set()
    if old and old.get("category_id") != instance.category_id:
        # its sales of every day now count in another category
        from backoffice.querysets.catalog import sale_days

        days = sale_days([instance.pk])
    # price, stock, active or owner may have changed: both owners' figures, old and new
    touched(
        categories={instance.category_id, old.get("category_id")},
        suppliers={instance.supplier_id, old.get("supplier_id")},
        days=days,
    )


def _product_deleted(sender, instance, **kwargs):
    unmark_deleting("products", instance.pk)
    old = getattr(instance, "_figures_stored", {})
    touched(
        categories={instance.category_id, old.get("category_id")},
        suppliers={instance.supplier_id, old.get("supplier_id")},
    )


def _owner_created(kind):
    def created_owner(sender, instance, created, **kwargs):
        if created:
            touched(**{kind: {instance.pk}})

    return created_owner


def _customer_saved(sender, instance, created, **kwargs):
    if created:
        touched(customers={instance.pk})


def _tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        if action == "pre_clear" and reverse:
            instance._figures_cleared = list(instance.products.values_list("pk", flat=True))
        return
    if not reverse:  # product.tags.add/remove/set/clear
        touched(products={instance.pk})
    elif action == "post_clear":  # tag.products.clear()
        touched(products=set(getattr(instance, "_figures_cleared", ())))
    else:  # tag.products.add/remove(...)
        touched(products=set(pk_set or ()))


def _tag_link_changed(sender, instance, **kwargs):
    """A link saved or deleted as a row (the product-tag import saves them one by one)."""
    touched(products={instance.product_id})


def connect() -> None:
    from backoffice.models import Category, Customer, Order, OrderItem, Product, Review, Supplier

    for model in (OrderItem, Review, Order, Product):
        name = model.__name__
        pre_delete.connect(_remember_deleted, sender=model, dispatch_uid=f"figures-stale-{name}")
    for model, changed in ((OrderItem, _item_changed), (Review, _review_changed)):
        name = model.__name__
        pre_save.connect(_remember, sender=model, dispatch_uid=f"figures-pre-{name}")
        post_save.connect(changed, sender=model, dispatch_uid=f"figures-save-{name}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"figures-del-{name}")
    pre_save.connect(_remember, sender=Order, dispatch_uid="figures-pre-Order")
    post_save.connect(_order_saved, sender=Order, dispatch_uid="figures-save-Order")
    pre_delete.connect(
        lambda sender, instance, **kw: mark_deleting("orders", instance.pk),
        sender=Order,
        dispatch_uid="figures-predel-Order",
        weak=False,
    )
    post_delete.connect(_order_deleted, sender=Order, dispatch_uid="figures-del-Order")
    for model, kind in ((Product, "products"), (Customer, "customers")):
        pre_delete.connect(
            lambda sender, instance, kind=kind, **kw: mark_deleting(kind, instance.pk),
            sender=model,
            dispatch_uid=f"figures-predel-{model.__name__}",
            weak=False,
        )
    post_delete.connect(
        lambda sender, instance, **kw: unmark_deleting("customers", instance.pk),
        sender=Customer,
        dispatch_uid="figures-del-Customer",
        weak=False,
    )
    post_delete.connect(_product_deleted, sender=Product, dispatch_uid="figures-del-Product")
    for model, kind in ((Category, "categories"), (Supplier, "suppliers")):
        post_save.connect(
            _owner_created(kind),
            sender=model,
            dispatch_uid=f"figures-save-{model.__name__}",
            weak=False,
        )
    pre_save.connect(_remember, sender=Product, dispatch_uid="figures-pre-Product")
    post_save.connect(_product_saved, sender=Product, dispatch_uid="figures-save-Product")
    post_save.connect(_customer_saved, sender=Customer, dispatch_uid="figures-save-Customer")
    links = Product.tags.through
    m2m_changed.connect(_tags_changed, sender=links, dispatch_uid="figures-tags")
    post_save.connect(_tag_link_changed, sender=links, dispatch_uid="figures-link-save")
    post_delete.connect(_tag_link_changed, sender=links, dispatch_uid="figures-link-del")
