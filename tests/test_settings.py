"""Settings come from the environment; production refuses to start without a real key."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_check(**env):
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean_env.update(env)
    clean_env["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "short"},
        {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "django-insecure-" + "x" * 60},
    ],
    ids=["no key", "short key", "django-insecure key"],
)
def test_debug_off_refuses_to_start_without_a_real_secret_key(env):
    result = run_check(**env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_debug_off_starts_with_a_real_key():
    result = run_check(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="a8f5f167f44f4964e6c998dee827110c-0b2c6a3d9e1f47a8b5c4d3e2f1a0b9c8",
        DJANGO_ALLOWED_HOSTS="shop.example.com",
    )
    assert result.returncode == 0, result.stderr


def test_debug_on_starts_without_a_key():
    assert run_check(DJANGO_DEBUG="1").returncode == 0


def test_time_zone_and_database_url(settings):
    from django.conf import settings as django_settings

    assert django_settings.USE_TZ is True
    assert django_settings.TIME_ZONE == "UTC"
    expected_vendor = (
        "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite3"
    )
    assert django_settings.DATABASES["default"]["ENGINE"].endswith(expected_vendor)


def run_manage(*args, **env):
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_manage_py_works_on_a_developer_machine_without_a_key():
    """`manage.py` defaults to the local settings (debug on), so a fresh checkout can run
    commands such as the migrations check with nothing set."""
    result = run_manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr


def test_manage_py_with_debug_off_still_needs_a_real_key():
    result = run_manage("check", DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_entry_points_default_to_the_production_settings():
    for entry in ("config/wsgi.py", "config/asgi.py"):
        assert '"config.settings.production"' in (ROOT / entry).read_text(), entry


PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "a8f5f167f44f4964e6c998dee827110c-0b2c6a3d9e1f47a8b5c4d3e2f1a0b9c8",
    "DJANGO_ALLOWED_HOSTS": "shop.example.com",
}


def test_check_deploy_is_clean_with_the_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("variable", "warning"),
    [
        ("DJANGO_SECURE_SSL_REDIRECT", "security.W008"),
        ("DJANGO_SESSION_COOKIE_SECURE", "security.W012"),
        ("DJANGO_CSRF_COOKIE_SECURE", "security.W016"),
        ("DJANGO_SECURE_HSTS_SECONDS", "security.W004"),
        ("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", "security.W005"),
        ("DJANGO_SECURE_HSTS_PRELOAD", "security.W021"),
    ],
)
def test_each_https_setting_can_be_turned_off_from_the_environment(variable, warning):
    result = run_manage("check", "--deploy", **PRODUCTION_ENV, **{variable: "0"})
    assert warning in result.stderr, result.stdout + result.stderr


def settings_value(expression, **env):
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean_env.pop("REDIS_URL", None)
    clean_env.update(env)
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_trusts_the_proxy_https_header_unless_told_not_to():
    assert settings_value("settings.SECURE_PROXY_SSL_HEADER", **PRODUCTION_ENV) == (
        "('HTTP_X_FORWARDED_PROTO', 'https')"
    )
    off = {**PRODUCTION_ENV, "DJANGO_SECURE_PROXY_SSL_HEADER": "0"}
    assert settings_value("settings.SECURE_PROXY_SSL_HEADER", **off) == "None"


def test_csrf_trusted_origins_come_from_the_environment():
    env = {
        **PRODUCTION_ENV,
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://shop.example.com,https://b.example",
    }
    assert settings_value("settings.CSRF_TRUSTED_ORIGINS", **env) == (
        "['https://shop.example.com', 'https://b.example']"
    )


@pytest.mark.parametrize("module", ["config.settings.local", "config.settings.production"])
def test_the_cache_is_shared_between_processes_by_default(module):
    """Several workers must see one cache: the database's unless REDIS_URL names Redis."""
    env = {**PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": module}
    backend = settings_value("settings.CACHES['default']['BACKEND']", **env)
    assert backend == "django.core.cache.backends.db.DatabaseCache"
