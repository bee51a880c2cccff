"""The seed files read as plain Python: the independent source of truth for expected values.

Tests compute what a query should return from these rows, never from numbers printed in the
guide (which contain mistakes, see docs/seed-errata.md).
"""

import json
from datetime import datetime
from decimal import Decimal
from functools import cache

from backoffice.services.seed import SEED_DIR


@cache
def _rows(name: str) -> tuple[dict, ...]:
    return tuple(json.loads((SEED_DIR / f"{name}.json").read_text()))


def rows(name: str) -> list[dict]:
    """Fresh copies of the rows of seed_data/<name>.json."""
    return [dict(row) for row in _rows(name)]


def by_id(name: str) -> dict[int, dict]:
    return {row["id"]: row for row in rows(name)}


def dec(value) -> Decimal:
    return Decimal(str(value))


def when(value: str) -> datetime:
    return datetime.fromisoformat(value)
