"""The Query Lab's catalogue of entries, one per example of the guide.

An entry is a plain function that runs the guide's ORM code and returns its result; the lab
shows that function's source as "the ORM code", so what staff read is exactly what ran.

Entries therefore spell their expressions (``F("quantity") * F("price")``, ``DecimalField()``,
``status="cancelled"``) as the guide prints them, minimally corrected, instead of using
``backoffice.querysets.expressions`` and ``counted()``: the guide's form, and how it differs
from the back office's own queries, is what an entry shows.
"""

import inspect
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# The guide's sections, in the guide's order (the lab groups entries by these).
SECTIONS = (
    "Basic Queries",
    "Filtering and Lookups",
    "Aggregation and Annotation",
    "Joins and Relationships",
    "Advanced Queries",
    "Database Functions",
    "Window Functions",
    "Performance Optimization",
    "Bulk Operations",
    "Transaction Management",
    "Custom Managers and QuerySets",
    "Advanced Model Validation",
    "Raw SQL and Custom Queries",
    "Common Query Examples",
    "Advanced Query Examples",
    "Testing Patterns",
)


@dataclass(frozen=True)
class Variant:
    """One way of running an example; N+1 demonstrations have two side by side."""

    label: str
    function: Callable[[], Any]

    @property
    def code(self) -> str:
        return function_body(self.function)


@dataclass(frozen=True)
class LabEntry:
    slug: str
    section: str
    title: str
    variants: tuple[Variant, ...]
    writes: bool = False
    errata: tuple[str, ...] = ()
    note: str = ""
    postgres_only: bool = False
    explain: Callable[[], Any] | None = None  # the queryset whose plan EXPLAIN shows
    tags: tuple[str, ...] = field(default_factory=tuple)
    # model permissions its output needs (backoffice.reports.permissions), beside use_query_lab
    requires: tuple[str, ...] = ()

    @property
    def is_comparison(self) -> bool:
        return len(self.variants) > 1


ENTRIES: dict[str, LabEntry] = {}

# The tag of comparisons whose variants return the same rows with fewer queries.
N_PLUS_ONE = "n+1"


def function_body(function: Callable) -> str:
    """The source of a function without its decorators and ``def`` line."""
    source = textwrap.dedent(inspect.getsource(function))
    lines = source.splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("def "))
    # skip a multi-line signature
    while not lines[start].rstrip().endswith(":"):
        start += 1
    body = lines[start + 1 :]
    if body and body[0].strip().startswith('"""'):
        # drop the docstring: it is shown as the entry's note
        end = 0 if body[0].strip().count('"""') >= 2 and len(body[0].strip()) > 3 else None
        if end is None:
            end = next(i for i, line in enumerate(body[1:], 1) if '"""' in line)
        body = body[end + 1 :]
    return textwrap.dedent("\n".join(body)).strip()


def register(entry: LabEntry) -> LabEntry:
    if entry.slug in ENTRIES:
        raise ValueError(f"duplicate Query Lab entry {entry.slug!r}")
    if entry.section not in SECTIONS:
        raise ValueError(f"unknown section {entry.section!r} for {entry.slug!r}")
    ENTRIES[entry.slug] = entry
    return entry


def example(
    section: str,
    title: str,
    *,
    slug: str | None = None,
    writes: bool = False,
    errata: tuple[str, ...] = (),
    postgres_only: bool = False,
    explain: Callable[[], Any] | None = None,
    requires: tuple[str, ...] = (),
):
    """Register the decorated function as one entry of the lab.

    ``requires``: the permissions to view what its result shows (e.g. ``CUSTOMER_DATA`` for
    customers' names or e-mails); staff without them see the entry as unavailable."""

    def decorator(function):
        register(
            LabEntry(
                slug=slug or function.__name__.replace("_", "-"),
                section=section,
                title=title,
                variants=(Variant("", function),),
                writes=writes,
                errata=errata,
                note=inspect.getdoc(function) or "",
                postgres_only=postgres_only,
                explain=explain,
                requires=requires,
            )
        )
        return function

    return decorator


def comparison(
    section: str,
    title: str,
    *,
    slug: str,
    variants: list[tuple[str, Callable[[], Any]]],
    note: str = "",
    errata: tuple[str, ...] = (),
    writes: bool = False,
    tags: tuple[str, ...] = (),
    requires: tuple[str, ...] = (),
):
    """Register a side-by-side demonstration: one example computed in several ways.

    N+1 demonstrations (the same rows, fewer queries; tag them ``N_PLUS_ONE``) and "as printed
    vs corrected" pairs (different results on purpose).
    """
    register(
        LabEntry(
            slug=slug,
            section=section,
            title=title,
            variants=tuple(Variant(label, function) for label, function in variants),
            note=note,
            errata=errata,
            writes=writes,
            tags=tags,
            requires=requires,
        )
    )


def entries_by_section() -> list[tuple[str, list[LabEntry]]]:
    load_entries()
    return [
        (section, [entry for entry in ENTRIES.values() if entry.section == section])
        for section in SECTIONS
        if any(entry.section == section for entry in ENTRIES.values())
    ]


def load_entries() -> dict[str, LabEntry]:
    """Import the entry modules (they register themselves) and return the catalogue."""
    from backoffice.reports.querylab import entries  # noqa: F401

    return ENTRIES
