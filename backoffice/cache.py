"""The shared cache's keys and their invalidation, in a module that imports no report.

The dashboard's figures are cached in the shared cache (Redis when REDIS_URL is set, the
database otherwise, so every server process sees one copy). Services and ``backoffice.signals``
drop them here whenever products, their metadata, orders, order items, reviews or stock change
(and after every import); the dashboard reads through ``dashboard_cached``, the product list's
colour filter through ``metadata_colors_cached``. Bump the key's version when the figures' shape changes, so
no process reads an older shape.
"""

from django.core.cache import cache
from django.db import transaction

DASHBOARD_CACHE_KEY = "backoffice:dashboard:v1"
DASHBOARD_CACHE_SECONDS = 300  # only a safety net: every write drops the figures
# The product list's colour filter choices: the distinct colours of every product's metadata
# (a DISTINCT over all of it on every page of the list). Dropped with the dashboard's figures.
METADATA_COLORS_CACHE_KEY = "backoffice:metadata-colors:v1"


def dashboard_cached(compute):
    """The cached dashboard figures, computed by ``compute()`` when there are none."""
    return cache.get_or_set(DASHBOARD_CACHE_KEY, compute, DASHBOARD_CACHE_SECONDS)


def metadata_colors_cached(compute):
    """The cached colour filter choices, computed by ``compute()`` when there are none."""
    return cache.get_or_set(METADATA_COLORS_CACHE_KEY, compute, DASHBOARD_CACHE_SECONDS)


def dashboard_invalidate(**kwargs) -> None:
    """Drop every cached read of the shop's data: the dashboard's figures, the colours."""
    cache.delete_many([DASHBOARD_CACHE_KEY, METADATA_COLORS_CACHE_KEY])


def dashboard_changed() -> None:
    """For set-based writes (``update()``, ``bulk_create``) that send no model signals: drop
    the figures now and again once the transaction commits."""
    dashboard_invalidate()
    transaction.on_commit(dashboard_invalidate)
