"""Product writes other than stock (services/inventory.py), prices (pricing.py), tags (tags.py)."""

from collections.abc import Iterable

from django.db.models.functions import Now

from backoffice.models import Product
from backoffice.reports.dashboard import dashboard_changed
from backoffice.services.edits import EDIT_BUMP


def products_set_active(*, product_ids: Iterable[int], active: bool) -> int:
    """Put products on sale (or take them off) in one UPDATE; the number that changed.

    Products already in the wanted state are left alone, so the count says what really changed.
    """
    changed = (
        Product.objects.filter(pk__in=set(product_ids))
        .exclude(is_active=active)
        .update(is_active=active, updated_at=Now(), edit_version=EDIT_BUMP)
    )
    if changed:
        dashboard_changed()
    return changed
