"""With several server processes the dashboard never shows figures another process dropped.

The reproduction: one process caches the dashboard, another places an order. With a
per-process cache the first kept showing the old order count; with the shared (database)
cache that is the default, the order drops the figures for every process.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from backoffice.cache import DASHBOARD_CACHE_KEY as CACHE_KEY
from backoffice.reports.dashboard import dashboard_figures

ROOT = Path(__file__).resolve().parents[2]
DATABASE_CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "backoffice_cache",
    }
}
PLACE_AN_ORDER = """
import django; django.setup()
from backoffice.models import Customer, Product
from backoffice.services.orders import OrderLine, order_create
product = Product.objects.filter(stock_quantity__gt=0).order_by("pk").first()
order_create(customer=Customer.objects.order_by("pk").first(), lines=[OrderLine(product.pk, 1)])
"""


def in_another_process(code: str) -> None:
    """Run ``code`` in a new Python process on this test's database, with the settings a real
    worker process gets (config.settings.local: no cache override)."""
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.pop("REDIS_URL", None)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    env["DATABASE_URL"] = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@override_settings(CACHES=DATABASE_CACHES)
def test_an_order_placed_by_another_process_shows_on_the_next_dashboard(seed):
    call_command("createcachetable", verbosity=0)
    caches["default"].delete(CACHE_KEY)
    before = dashboard_figures()["kpis"]
    assert caches["default"].get(CACHE_KEY) is not None  # this process has cached the figures

    in_another_process(PLACE_AN_ORDER)

    after = dashboard_figures()["kpis"]
    assert after["orders"] == before["orders"] + 1
