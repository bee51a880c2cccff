"""Product writes other than stock (services/inventory.py), prices (pricing.py), tags (tags.py)."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models.functions import Now

from backoffice.cache import dashboard_changed
from backoffice.models import Product
from backoffice.services.edits import EDIT_BUMP
from backoffice.services.history import history_record_product_changes


def products_set_active(*, product_ids: Iterable[int], active: bool, user=None) -> int:
    """Put products on sale (or take them off); the number that changed.

    Products already in the wanted state are left alone, so the count says what really changed;
    each changed product gets an entry in its history by ``user``.
    """
    with transaction.atomic():
        ids = list(
            Product.objects.select_for_update()
            .filter(pk__in=set(product_ids))
            .exclude(is_active=active)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        changed = Product.objects.filter(pk__in=ids).update(
            is_active=active, updated_at=Now(), edit_version=EDIT_BUMP
        )
        history_record_product_changes(
            user=user,
            product_ids=ids,
            message="Put on sale (bulk action)." if active else "Taken off sale (bulk action).",
        )
    if changed:
        dashboard_changed()
    return changed
