"""With REDIS_URL set the dashboard's figures live in Redis, and changes still show up."""

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import caches
from django.test import override_settings

from backoffice.cache import DASHBOARD_CACHE_KEY as CACHE_KEY
from backoffice.models import Order, OrderItem
from backoffice.reports.dashboard import dashboard_figures

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REDIS_CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
}


def redis_reachable() -> bool:
    try:
        import redis

        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception:
        return False


needs_redis = pytest.mark.skipif(not redis_reachable(), reason=f"needs Redis at {REDIS_URL}")


def test_redis_url_selects_the_redis_cache():
    root = Path(__file__).resolve().parents[2]
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    env = {**os.environ, "REDIS_URL": REDIS_URL, "DJANGO_DEBUG": "1"}
    env.pop("DJANGO_SECRET_KEY", None)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings.base'; django.setup(); {code}",
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "django.core.cache.backends.redis.RedisCache", result.stderr


@needs_redis
@override_settings(CACHES=REDIS_CACHES)
def test_dashboard_figures_are_cached_in_redis_and_refreshed(seed):
    cache = caches["default"]
    cache.delete(CACHE_KEY)
    try:
        before = dashboard_figures()["kpis"]
        assert cache.get(CACHE_KEY)["kpis"] == before
        OrderItem.objects.create(
            order=Order.objects.get(pk=5), product_id=4, quantity=1, price=Decimal("5.00")
        )
        assert cache.get(CACHE_KEY) is None
        assert dashboard_figures()["kpis"]["revenue"] == before["revenue"] + Decimal("5.00")
    finally:
        cache.delete(CACHE_KEY)
