"""Drop cached dashboard figures whenever the data behind them changes."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from backoffice.cache import dashboard_changed
from backoffice.models import InventoryLog, Order, OrderItem, Product, ProductMeta, Review

WATCHED = (Product, ProductMeta, Order, OrderItem, Review, InventoryLog)


def _invalidate_after_commit(**kwargs):
    dashboard_changed()


def connect() -> None:
    for model in WATCHED:
        post_save.connect(
            _invalidate_after_commit, sender=model, dispatch_uid=f"dash-save-{model.__name__}"
        )
        post_delete.connect(
            _invalidate_after_commit, sender=model, dispatch_uid=f"dash-del-{model.__name__}"
        )
    m2m_changed.connect(
        _invalidate_after_commit, sender=Product.tags.through, dispatch_uid="dash-tags"
    )
