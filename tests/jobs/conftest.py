"""Fixtures for the job tests: files to import, and a real task worker in its own process."""

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from backoffice.models import DataJob

ROOT = Path(__file__).resolve().parents[2]


def categories_csv(count: int, prefix: str = "Job category") -> str:
    lines = ["name,description"] + [f"{prefix} {i:06d},Made by a job test" for i in range(count)]
    return "\n".join(lines) + "\n"


def wait_for(condition, timeout: float = 60.0, every: float = 0.1, what: str = "the job"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"waited {timeout:.0f} s for {what}")


def job_status(job_id: int) -> str:
    status, message = DataJob.objects.filter(pk=job_id).values_list("status", "message").get()
    if status == DataJob.Status.FAILED and "stopped" not in message:
        print(f"job {job_id} failed: {message}")
    return status


# Redis database of the job tests (not the one a developer's cache may use)
TEST_REDIS_URL = os.environ.get("BACKOFFICE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

WORKER_COMMANDS = {
    "db": ["db_worker", "--interval", "0.1", "--no-startup-delay"],
    "rq": ["rqworker", "--job-class", "django_tasks_rq.Job", "default"],
}


class Worker:
    """A real task worker on the test database, in its own process group (``kill`` sends
    SIGKILL to all of it: RQ runs each job in a forked child)."""

    def __init__(self, backend: str):
        self.backend = backend
        self.process = None
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (read after the worker stops)

    def start(self):
        database = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "BACKOFFICE_TEST_TASKS": self.backend,
            "DJANGO_IMPORT_TEMP_DIR": str(settings.IMPORT_TEMP_DIR),  # this test's uploads
            "DATABASE_URL": (
                f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
                f"{database['NAME']}"
            ),
        }
        if self.backend == "rq":
            env["REDIS_URL"] = TEST_REDIS_URL
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", *WORKER_COMMANDS[self.backend]],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        return self

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def kill(self, running_job_pid: int | None = None):
        """SIGKILL the worker, and first the process running the job if that is another one
        (RQ's work horse leaves the worker's process group)."""
        if running_job_pid and running_job_pid != self.process.pid:
            os.kill(running_job_pid, signal.SIGKILL)
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture(params=["db", "rq"])
def task_backend(request, settings):
    """This process enqueues on the backend the worker reads: the database's, or RQ's on the
    test Redis database (emptied first)."""
    queue = settings.TASK_QUEUE
    if request.param == "db":
        settings.TASKS = {
            "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": [queue]}
        }
        return "db"
    import django_rq
    import redis

    redis.Redis.from_url(TEST_REDIS_URL).flushdb()
    settings.RQ_QUEUES = {queue: {"URL": TEST_REDIS_URL}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [queue]}}
    django_rq.queues.get_redis_connection.cache_clear() if hasattr(
        django_rq.queues.get_redis_connection, "cache_clear"
    ) else None
    return "rq"


@pytest.fixture
def worker(task_backend):
    started = []

    def start():
        started.append(Worker(task_backend).start())
        return started[-1]

    yield start
    for one in started:
        one.stop()
        print(f"--- worker {one.process.pid} ---\n{one.output()}")  # shown when a test fails


@pytest.fixture(autouse=True)
def _fresh_progress():
    """Each test's jobs start with no live state left by another test's job of the same id."""
    from django.core.cache import caches

    caches[settings.JOBS_CACHE].clear()
