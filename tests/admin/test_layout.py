"""The admin's layout rules (issue 10, point 2): registrations in plain sight, one filter
contract, one date-range filter."""

import ast
import importlib
from pathlib import Path

from django.contrib import admin
from rangefilter.filters import DateRangeFilter, NumericRangeFilter

import backoffice.admin
from backoffice.admin.catalog.filters import MetadataFilter
from backoffice.admin.common.autocomplete_filters import AutocompleteFilter
from backoffice.admin.common.filters import (
    CheckedDateRangeFilter,
    DecimalRangeFilter,
    KnownChoiceFilter,
)

ADMIN_DIR = Path(backoffice.admin.__file__).parent
# The product autocomplete offers every product, and the metadata filter takes any key=value
# typed in: not lists of choices, their own kind.
# filters chosen another way (an autocomplete, a typed key=value), and their subclasses
NOT_A_CHOICE_LIST = (AutocompleteFilter, MetadataFilter)


def registering_modules() -> set[str]:
    """Dotted names of the admin modules that call ``admin.register`` / ``admin.site.register``."""
    found = set()
    for path in ADMIN_DIR.rglob("*.py"):
        text = path.read_text()
        if "admin.register(" in text or "admin.site.register(" in text:
            relative = path.relative_to(ADMIN_DIR.parent.parent).with_suffix("")
            found.add(".".join(relative.parts))
    return found


def imported_by_package(package: str) -> set[str]:
    """Modules a package's ``__init__`` imports by name (``from pkg import a, b``)."""
    init = Path(importlib.import_module(package).__file__)
    names = set()
    for node in ast.walk(ast.parse(init.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module == package:
            names |= {f"{package}.{alias.name}" for alias in node.names}
    return names


def test_every_registering_module_is_imported_by_its_package_up_to_backoffice_admin():
    modules = registering_modules()
    assert len(modules) >= 8
    for module in modules:
        parts = module.split(".")
        for depth in range(len(parts) - 1, 2, -1):  # each parent package below backoffice.admin
            package, child = ".".join(parts[:depth]), ".".join(parts[: depth + 1])
            assert child in imported_by_package(package), f"{package} does not import {child}"
        assert ".".join(parts[:3]) in imported_by_package("backoffice.admin"), module


def test_common_registers_nothing():
    assert not [m for m in registering_modules() if m.startswith("backoffice.admin.common")]


def list_filters():
    for model_admin in admin.site._registry.values():
        for entry in model_admin.list_filter:
            yield model_admin, entry[1] if isinstance(entry, tuple) else entry


def test_every_choice_filter_follows_the_one_contract():
    custom = [
        (type(model_admin).__name__, flt)
        for model_admin, flt in list_filters()
        if isinstance(flt, type) and issubclass(flt, admin.SimpleListFilter)
    ]
    assert len(custom) > 10
    stray = [
        (name, flt.__name__)
        for name, flt in custom
        if not issubclass(flt, (KnownChoiceFilter, *NOT_A_CHOICE_LIST))
    ]
    assert not stray


def test_every_range_filter_is_the_strict_one():
    ranges = [
        flt
        for _, flt in list_filters()
        if isinstance(flt, type) and issubclass(flt, DateRangeFilter | NumericRangeFilter)
    ]
    assert ranges
    assert set(ranges) <= {CheckedDateRangeFilter, DecimalRangeFilter}


def test_one_class_of_each_filter_name():
    """Two filters of one name that behave differently (as CheckedDateRangeFilter once was)."""
    names = {}
    for path in ADMIN_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and node.name.endswith("Filter"):
                names.setdefault(node.name, []).append(str(path.relative_to(ADMIN_DIR)))
    assert {name: paths for name, paths in names.items() if len(paths) > 1} == {}
