"""Settings for the test suite: the base settings with a fast hasher and a fixed key."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-" + "k3y-for-the-test-suite-only-" * 3)

from config.settings.base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# A job's live progress: files, shared with the worker processes a test may start (they read
# the same environment, so the same folder).
os.environ.setdefault(
    "DJANGO_JOB_PROGRESS_DIR",
    str(JOB_PROGRESS_DIR.with_name(f"{JOB_PROGRESS_DIR.name}-test")),  # noqa: F405
)
CACHES[JOBS_CACHE] = {  # noqa: F405
    "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
    "LOCATION": os.environ["DJANGO_JOB_PROGRESS_DIR"],
}
# Tasks run where they are enqueued (a test sees the outcome at once), unless a test starts a
# real worker: then it and the worker use the backend BACKOFFICE_TEST_TASKS names ("db", "rq").
_TEST_TASK_BACKENDS = {
    "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "db": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": [TASK_QUEUE]},  # noqa: F405
    "rq": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [TASK_QUEUE]},  # noqa: F405
}
TASKS = {"default": _TEST_TASK_BACKENDS[os.environ.get("BACKOFFICE_TEST_TASKS", "immediate")]}
