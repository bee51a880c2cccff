"""Settings read from the environment (the README's "Configuration" and "Deploying" tables).

Every value that differs between a laptop, CI and production comes from a ``DJANGO_*`` variable,
``DATABASE_URL`` or ``REDIS_URL``; nothing else needs editing to deploy.
"""

import os
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# ------------------------------------------------------------------------------
# Security
# ------------------------------------------------------------------------------
DEBUG = env_bool("DJANGO_DEBUG", default=False)

_DEV_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")


def secret_key_problem(key: str) -> str | None:
    """Why ``key`` is not fit for production, or None when it is."""
    if not key:
        return "DJANGO_SECRET_KEY is not set"
    if key.startswith("django-insecure") or len(key) < 50 or len(set(key)) < 5:
        return "DJANGO_SECRET_KEY is too weak (use at least 50 random characters)"
    return None


if not SECRET_KEY and DEBUG:
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (problem := secret_key_problem(SECRET_KEY)):
    raise ImproperlyConfigured(
        f"{problem}. With DJANGO_DEBUG off the back office refuses to start without a real "
        "secret key; generate one with: python -c 'import secrets; print(secrets.token_urlsafe(64))'"
    )

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# ------------------------------------------------------------------------------
# Content-Security-Policy (django-csp 4; docs/security.md)
# ------------------------------------------------------------------------------
# Templates escape every staff-written value; this policy is the second wall, so that one
# missed escape is not enough to run a script in a superuser's browser.
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        # Scripts only from our own static files: no inline script, no event-handler
        # attribute, no eval. The nonce admits only the inline scripts that a template
        # marks with {{ request.csp_nonce }} (django-admin-rangefilter's filters do); an
        # injected script can't know it. The nonce is in the header only on the pages
        # that use it.
        "script-src": [SELF, NONCE],
        # Styles may be inline: Django admin's and import-export's templates, and ours, use
        # style attributes and <style> blocks. CSS can't run script.
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# ------------------------------------------------------------------------------
# Applications
# ------------------------------------------------------------------------------
INSTALLED_APPS = [
    "backoffice.apps.BackofficeAdminConfig",  # django.contrib.admin with our site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # GinIndex with OpClass (the search indexes) and the search lookups; inert on SQLite
    "django.contrib.postgres",
    "import_export",
    "rangefilter",
    "csp",
    "axes",
    # Django's Tasks framework (DEP 14): the django-tasks backport on 5.2, django.tasks from
    # Django 6.0; its database backend and worker (``manage.py db_worker``) by default
    "django_tasks",
    "django_tasks_db",
    "backoffice",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
# Django's form renderer, with plain <input> widgets written without the template engine
# (an editable list renders hundreds of them): backoffice/admin/common/renderer.py.
FORM_RENDERER = "backoffice.admin.common.renderer.FastInputRenderer"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# ------------------------------------------------------------------------------
# Database: DATABASE_URL, or a SQLite file in the project folder for a first run.
# ------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "0")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ------------------------------------------------------------------------------
# Cache: Redis when REDIS_URL is set, the database otherwise. Never process memory: with
# several server processes (gunicorn workers, the task worker) a per-process cache would keep
# showing figures another process has already dropped. The database cache needs its table:
# `manage.py createcachetable` (make run does it; see README "Deploying").
# ------------------------------------------------------------------------------
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "backoffice_cache",
        }
    }

# ------------------------------------------------------------------------------
# Background work (imports, big exports) through Django's Tasks framework API.
# Default: the database backend, whose worker (`manage.py db_worker`) needs nothing else
# installed; `make run` starts one beside the server. With REDIS_URL: RQ (django-tasks-rq),
# whose workers (`manage.py rqworker --job-class django_tasks_rq.Job default`) run on any
# number of machines. RQ rather than Celery: the backport's RQ backend covers what the jobs
# use (enqueue, results, a real process per job that may be killed), with one broker the
# project already runs for its cache. Either way a job's live progress and its cancel
# request travel through the "jobs" cache (below), its outcome through its DataJob row.
# ------------------------------------------------------------------------------
TASK_QUEUE = "default"
if os.environ.get("REDIS_URL"):
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {TASK_QUEUE: {"URL": os.environ["REDIS_URL"], "DEFAULT_TIMEOUT": 6 * 60 * 60}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [TASK_QUEUE]}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": [TASK_QUEUE]}}

# A job's live progress, heartbeat and cancel request: written while its rows are still in an
# open transaction, so never through the database (SQLite would be locked by that very
# transaction; PostgreSQL would show nothing until the commit). Redis when REDIS_URL is set
# (workers on several machines), else files in a private folder beside the uploads (the
# server and its worker on one machine).
JOBS_CACHE = "jobs"
JOB_PROGRESS_DIR = Path(
    os.environ.get("DJANGO_JOB_PROGRESS_DIR")
    or Path(tempfile.gettempdir()) / f"backoffice-jobs-{os.getuid()}"
)
CACHES[JOBS_CACHE] = (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
    if os.environ.get("REDIS_URL")
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(JOB_PROGRESS_DIR),
    }
)
# Seconds without a heartbeat after which a running job is taken for dead (its worker was
# killed or lost): it is shown failed, nothing of it applied, and can be run again.
JOB_HEARTBEAT_TIMEOUT = int(os.environ.get("DJANGO_JOB_HEARTBEAT_TIMEOUT", 60))

# ------------------------------------------------------------------------------
# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one user from one
# address, that pair is locked out for AXES_COOLOFF_TIME hours, or until staff unlock it under
# Axes > Access attempts ("Unlock"). Other users and other addresses still log in, so one
# attacker cannot lock the shop out of its own admin.
# ------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out credentials
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("DJANGO_LOGIN_LOCKOUT_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"
# Behind a reverse proxy, the number of proxies in front of the server (their
# X-Forwarded-For entries are skipped); unset, the connecting address is the client's.
if os.environ.get("DJANGO_PROXY_COUNT"):
    AXES_IPWARE_PROXY_COUNT = int(os.environ["DJANGO_PROXY_COUNT"])
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# ------------------------------------------------------------------------------
# Passwords, language, time
# ------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# ------------------------------------------------------------------------------
# django-import-export (docs/import-export.md)
# ------------------------------------------------------------------------------
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_CHUNK_SIZE = 2000  # rows per database round trip when exporting
# Import needs "change" (checked by the library) and "add" (BackofficeAdmin adds that check:
# one code can't name two permissions); export needs "<app>.export_<model>".
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
# Formats: CSV, XLSX, TSV and JSON from backoffice/importing/formats.py (strict reading,
# formula-safe writing), set on BackofficeAdmin rather than here (settings import no app code).
# Library code paths we don't override still keep uploads in the private folder below.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "backoffice.importing.uploads.LibraryTempStorage"
# The largest file an import takes, in bytes (DJANGO_IMPORT_MAX_UPLOAD_BYTES; default 200 MB).
IMPORT_MAX_UPLOAD_BYTES = int(os.environ.get("DJANGO_IMPORT_MAX_UPLOAD_BYTES", 200_000_000))
# The most rows one import takes (DJANGO_IMPORT_MAX_ROWS); bigger files are refused whole.
IMPORT_MAX_ROWS = int(os.environ.get("DJANGO_IMPORT_MAX_ROWS", 1_000_000))
# Files of at most this many rows write one admin history entry per row they add or change;
# a bigger file's history is its import record (who, when, which file, the counts): a
# million history rows would cost as much as the import (DJANGO_IMPORT_ROW_HISTORY_MAX_ROWS).
IMPORT_ROW_HISTORY_MAX_ROWS = int(os.environ.get("DJANGO_IMPORT_ROW_HISTORY_MAX_ROWS", 10_000))
# An XLSX workbook may unpack to at most this many bytes (zip bombs are refused).
IMPORT_MAX_XLSX_UNPACKED_BYTES = int(
    os.environ.get("DJANGO_IMPORT_MAX_XLSX_UNPACKED_BYTES", 200_000_000)
)
# Uploads between preview and confirm: a private folder (0700), never under a served folder.
IMPORT_TEMP_DIR = Path(
    os.environ.get("DJANGO_IMPORT_TEMP_DIR")
    or Path(tempfile.gettempdir()) / f"backoffice-imports-{os.getuid()}"
)
# Seconds a preview stays confirmable; older uploads are deleted and recorded as abandoned.
IMPORT_PREVIEW_MAX_AGE = int(os.environ.get("DJANGO_IMPORT_PREVIEW_MAX_AGE", 2 * 60 * 60))
# An Export of more rows than this (DJANGO_EXPORT_IMMEDIATE_MAX_ROWS) runs as a job whose file
# is downloaded from the job's page; smaller ones are answered at once, as a download.
EXPORT_IMMEDIATE_MAX_ROWS = int(os.environ.get("DJANGO_EXPORT_IMMEDIATE_MAX_ROWS", 10_000))
# Seconds an export job's file is kept for its owner to download (DJANGO_EXPORT_KEEP_SECONDS).
# The files live in the "exports" folder of IMPORT_TEMP_DIR (private, shared with the workers).
EXPORT_KEEP_SECONDS = int(os.environ.get("DJANGO_EXPORT_KEEP_SECONDS", 24 * 60 * 60))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
