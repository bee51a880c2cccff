"""A running job's live state: rows done, a heartbeat, a cancel request.

They are written many times a second while the job's rows sit in an open transaction, so they
never go through the database (SQLite is locked by that transaction; PostgreSQL shows nothing
until the commit): they live in the "jobs" cache (``settings.JOBS_CACHE``: Redis, or files
beside the uploads), which the server and every worker share. The job's row
(``DataJob``) keeps what lasts: status, counts, outcome.

The heartbeat is beaten by a thread of the worker's process for as long as the job runs, not
by the rows: a phase that reads no row for minutes (a 200 MB file being parsed, a bulk write)
is alive; a killed worker stops beating, and after ``JOB_HEARTBEAT_TIMEOUT`` seconds its job
is taken for dead (``is_dead``).
"""

import os
import threading
import time
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.cache import caches

KEEP_FOR = 7 * 24 * 60 * 60  # seconds a job's live state outlives its last write
HEARTBEAT_EVERY = 2.0  # seconds between beats
WRITE_EVERY = 0.5  # seconds between writes of rows done (at most)


class JobCancelled(BaseException):
    """Raised inside a job's work when staff asked to cancel it: its transaction rolls back.
    Not an ``Exception``: the import library turns those into row errors and goes on."""


def _cache():
    return caches[settings.JOBS_CACHE]


def _key(job_id: int, part: str) -> str:
    return f"backoffice:job:{job_id}:{part}"


@dataclass
class Progress:
    phase: str = ""  # "reading", "validating", "applying", "writing"
    done: int = 0
    total: int | None = None
    phase_started: float = 0.0  # time.time() of the phase's start
    pid: int = 0  # the process doing the work (a worker, or RQ's forked child of one)

    @property
    def rate(self) -> float | None:
        """Rows a second in this phase so far."""
        elapsed = time.time() - self.phase_started
        if not self.phase_started or elapsed <= 0 or not self.done:
            return None
        return self.done / elapsed

    @property
    def seconds_left(self) -> float | None:
        rate = self.rate
        if not rate or self.total is None:
            return None
        return max(self.total - self.done, 0) / rate


def read(job_id: int) -> Progress | None:
    data = _cache().get(_key(job_id, "progress"))
    return Progress(**data) if data else None


def last_beat(job_id: int) -> float | None:
    return _cache().get(_key(job_id, "beat"))


def is_dead(job_id: int, started: float) -> bool:
    """No heartbeat for ``JOB_HEARTBEAT_TIMEOUT`` seconds (counted from ``started`` if it never
    beat): its worker is gone."""
    beat = last_beat(job_id) or started
    return time.time() - beat > settings.JOB_HEARTBEAT_TIMEOUT


def request_cancel(job_id: int) -> None:
    _cache().set(_key(job_id, "cancel"), True, KEEP_FOR)


def cancel_requested(job_id: int) -> bool:
    return bool(_cache().get(_key(job_id, "cancel")))


def forget(job_id: int) -> None:
    _cache().delete_many([_key(job_id, part) for part in ("progress", "beat", "cancel")])


class Reporter:
    """What a job's work calls as it goes: ``phase()`` when a phase starts, ``advance()`` per
    row (cheap: it writes at most every WRITE_EVERY seconds, and checks for a cancel request
    at the same moments, raising ``JobCancelled``)."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.state = Progress()
        self._written = 0.0

    def phase(self, name: str, total: int | None = None) -> None:
        self.state = Progress(phase=name, total=total, phase_started=time.time(), pid=os.getpid())
        self._write()

    def advance(self, rows: int = 1) -> None:
        self.state.done += rows
        if time.monotonic() - self._written >= WRITE_EVERY:
            self._write()

    def flush(self) -> None:
        """Write the rows done now (the job's step ended: its last count stays shown)."""
        _cache().set(_key(self.job_id, "progress"), asdict(self.state), KEEP_FOR)

    def _write(self) -> None:
        self._written = time.monotonic()
        self.flush()
        if cancel_requested(self.job_id):
            raise JobCancelled


class Heartbeat:
    """``with Heartbeat(job_id):`` beats from a daemon thread until the block ends."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"job-{job_id}-beat")

    def _beat(self) -> None:
        _cache().set(_key(self.job_id, "beat"), time.time(), KEEP_FOR)

    def _run(self) -> None:
        while not self._stop.wait(HEARTBEAT_EVERY):
            self._beat()

    def __enter__(self):
        self._beat()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        return False
