"""Settings for the test suite: the base settings with a fast hasher and a fixed key."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-" + "k3y-for-the-test-suite-only-" * 3)

from config.settings.base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
