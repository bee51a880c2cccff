"""Uploaded files between preview and confirm: a private folder, names we choose.

The library's default temporary storage writes to the system temp folder and, at confirm time,
opens whatever file name the browser posts back (only ``basename``-ed: any file in /tmp is
reachable). Here:

* files live in ``IMPORT_TEMP_DIR`` (mode 0700, never under MEDIA_ROOT or a served folder);
* a file is named by a random 32-hex-digit token and nothing else is ever opened: a token that
  isn't exactly that shape is refused before any path is built;
* the browser never holds even the token: an upload belongs to its import job
  (``DataJob.file_token``), confirmed on the job's page by its owner only, so one staff member
  can't confirm another's upload and no posted name is ever opened;
* each upload has a JSON sidecar (who, what, the preview's rows) and both are removed on
  confirm or cancel; leftovers older than ``IMPORT_PREVIEW_MAX_AGE`` are swept away.
"""

import contextlib
import json
import os
import re
import secrets
import time
from pathlib import Path

from django.conf import settings
from import_export.tmp_storages import BaseStorage

TOKEN_PATTERN = re.compile(r"[0-9a-f]{32}")
# the files an upload may keep beside it, by the suffix they are stored under
EXTRA_FILES = ("errors.csv", "rejected.csv", "preview.bin", "preview.json")


class InvalidToken(ValueError):
    """The posted confirmation doesn't name an upload of this user (forged, stale or reused)."""


class PrivateImportStorage:
    def __init__(self, directory=None):
        self.directory = Path(directory or settings.IMPORT_TEMP_DIR)

    def _ready(self) -> Path:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)
        return self.directory

    def _paths(self, token: str) -> tuple[Path, Path]:
        if not isinstance(token, str) or not TOKEN_PATTERN.fullmatch(token):
            raise InvalidToken("This confirmation doesn't name an upload.")
        return self.directory / f"{token}.upload", self.directory / f"{token}.json"

    def save(self, data, meta: dict) -> str:
        """Keep an upload (bytes, or the chunks of an uploaded file: a 200 MB upload is
        written as it arrives, not joined in memory first); returns its token."""
        directory = self._ready()
        token = secrets.token_hex(16)
        data_path, meta_path = self._paths(token)
        assert data_path.parent == directory
        _write_private(data_path, data)
        _write_private(meta_path, json.dumps(meta).encode())
        return token

    def read(self, token: str) -> tuple[bytes, dict]:
        return self.read_data(token), self.read_meta(token)

    def read_data(self, token: str) -> bytes:
        return _read_upload(self._paths(token)[0])

    def open_data(self, token: str):
        """The upload as a binary file, read as it is needed (a 200 MB file never sits in a
        worker's memory whole)."""
        try:
            return open(self._paths(token)[0], "rb")  # noqa: SIM115 - the caller closes it
        except FileNotFoundError:
            raise InvalidToken(
                "This upload is no longer available (already imported, cancelled or expired)."
            ) from None

    def open_extra(self, token: str, name: str):
        """A file that belongs to the upload, written as it is made (replaced if there)."""
        path = self._extra_path(token, name)
        path.unlink(missing_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        return os.fdopen(descriptor, "w", encoding="utf-8-sig", newline="")

    def remove_extra(self, token: str, name: str) -> None:
        self._extra_path(token, name).unlink(missing_ok=True)

    def has_extra(self, token: str, name: str) -> bool:
        return self._extra_path(token, name).exists()

    def read_meta(self, token: str) -> dict:
        return json.loads(_read_upload(self._paths(token)[1]))

    def write_meta(self, token: str, meta: dict) -> None:
        """Replace an upload's metadata (a job adds its preview once it has one)."""
        _, meta_path = self._paths(token)
        partial = meta_path.with_suffix(".json.partial")
        partial.unlink(missing_ok=True)
        _write_private(partial, json.dumps(meta).encode())
        os.replace(partial, meta_path)

    def write_extra(self, token: str, name: str, data: bytes) -> None:
        """A file that belongs to the upload (its error report, its rejected rows)."""
        path = self._extra_path(token, name)
        path.unlink(missing_ok=True)
        _write_private(path, data)

    def read_extra(self, token: str, name: str) -> bytes:
        return _read_upload(self._extra_path(token, name))

    def _extra_path(self, token: str, name: str) -> Path:
        if name not in EXTRA_FILES:
            raise ValueError(f"not a file an upload keeps: {name!r}")
        return self._paths(token)[0].with_suffix(f".{name}")

    def remove(self, token: str) -> None:
        for path in self._paths(token):
            path.unlink(missing_ok=True)
        for name in EXTRA_FILES:
            self._extra_path(token, name).unlink(missing_ok=True)

    def remove_stale(self, max_age: int | None = None) -> list[dict]:
        """Delete uploads older than ``max_age`` seconds; returns their metadata."""
        max_age = settings.IMPORT_PREVIEW_MAX_AGE if max_age is None else max_age
        if not self.directory.is_dir():
            return []
        cutoff = time.time() - max_age
        removed = []
        for meta_path in self.directory.glob("*.json"):
            token = meta_path.stem
            if not TOKEN_PATTERN.fullmatch(token) or meta_path.stat().st_mtime > cutoff:
                continue
            with contextlib.suppress(OSError, ValueError):
                removed.append({**json.loads(meta_path.read_text()), "token": token})
            self.remove(token)
        return removed


def _read_upload(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InvalidToken(
            "This upload is no longer available (already imported, cancelled or expired)."
        ) from None


def _write_private(path: Path, data) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        if isinstance(data, bytes | bytearray | memoryview):
            file.write(data)
        else:
            for chunk in data:
                file.write(chunk)


class LibraryTempStorage(BaseStorage):
    """``IMPORT_EXPORT_TMP_STORAGE_CLASS`` for any library code path we don't override.

    Same folder and token rule as ``PrivateImportStorage``: a posted name that isn't a token
    we created can't be opened.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._storage = PrivateImportStorage()

    def save(self, data):
        if isinstance(data, str):
            data = data.encode(self.encoding or "utf-8")
        self.name = self._storage.save(data, {})

    def read(self):
        data = self._storage.read_data(self.name)
        if "b" in self.read_mode:
            return data
        return data.decode(self.encoding or "utf-8")

    def remove(self):
        self._storage.remove(self.name)
