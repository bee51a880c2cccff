"""The admin reaches django-import-export only through its public, supported hooks.

An override of a deprecated hook (``get_valid_export_item_pks``, removed in 5.0) or of a
private method (``_do_file_export``) keeps working until an upgrade, then silently stops being
called. These tests fail as soon as an admin class of ours defines such a name again.
"""

import warnings
from types import FunctionType

import pytest
from django.contrib import admin
from import_export import admin as library_admin
from import_export import mixins as library_mixins

from backoffice.importing.admin import ExportViewsMixin, ImportViewsMixin
from backoffice.models import Product
from backoffice.resources import ProductResource
from tests.importing.conftest import (
    export_form_data,
    import_url,
    streamed_text,
)

LIBRARY_BASES = [
    value
    for module in (library_admin, library_mixins)
    for value in vars(module).values()
    if isinstance(value, type) and value.__module__ == module.__name__
]

#: names the library warns about when a subclass defines them (``hasattr`` checks, 4.x)
DEPRECATED_BY_WARNING = {
    "get_resource_class",
    "get_import_resource_class",
    "get_export_resource_class",
    "resource_class",
}


def library_private_names() -> set[str]:
    """Leading-underscore names of the library's admin classes and mixins (not dunders)."""
    return {
        name
        for base in LIBRARY_BASES
        for name in vars(base)
        if name.startswith("_") and not name.startswith("__")
    }


def library_deprecated_names() -> set[str]:
    """Hooks whose docstring says they are deprecated, and names the library warns about."""
    documented = {
        name
        for base in LIBRARY_BASES
        for name, value in vars(base).items()
        if callable(value) and "deprecated" in (value.__doc__ or "").lower()
    }
    return documented | DEPRECATED_BY_WARNING


def our_classes(cls) -> list[type]:
    """The classes of ``cls``'s hierarchy that are ours (not Django's, not the library's)."""
    return [c for c in cls.__mro__ if c.__module__.split(".")[0] == "backoffice"]


def test_the_lists_of_forbidden_names_hold_the_known_ones():
    assert {"_do_file_export", "_log_actions", "_create_log_entries"} <= library_private_names()
    assert "get_valid_export_item_pks" in library_deprecated_names()


@pytest.mark.parametrize("kind", ["private", "deprecated"])
def test_no_admin_class_overrides_a_private_or_deprecated_library_name(kind):
    forbidden = library_private_names() if kind == "private" else library_deprecated_names()
    classes = {type(model_admin) for model_admin in admin.site._registry.values()}
    assert classes, "no admin registered"
    offenders = sorted(
        f"{cls.__module__}.{cls.__qualname__}.{name}"
        for admin_class in classes | {ImportViewsMixin, ExportViewsMixin}
        for cls in our_classes(admin_class)
        for name in vars(cls)
        if name in forbidden
    )
    assert offenders == []


def test_export_selected_never_calls_a_deprecated_hook(seed, admin_client):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        response = admin_client.post(
            import_url("product", "export"),
            export_form_data(ProductResource, export_items=["1", "3"]),
        )
        ids = sorted(line.split(",")[0] for line in streamed_text(response).splitlines()[1:])
    assert ids == ["1", "3"]
    assert Product.objects.count() > 2


def resource_classes() -> set[type]:
    """Every resource of ours: each subclass of the base, however deep."""
    from backoffice.importing.resource_base import BackofficeResource

    found, todo = set(), [BackofficeResource]
    while todo:
        cls = todo.pop()
        found.add(cls)
        todo += cls.__subclasses__()
    return found


def test_no_resource_overrides_a_private_library_method():
    from import_export import resources as library_resources

    private = {  # methods only: ``_meta`` is the options object every resource class gets
        name
        for base in (library_resources.Resource, library_resources.ModelResource)
        for name, value in vars(base).items()
        if name.startswith("_")
        and not name.startswith("__")
        and isinstance(value, FunctionType | classmethod | staticmethod)
    }
    assert "_check_import_id_fields" in private
    resources = resource_classes()
    assert len(resources) > 8
    offenders = sorted(
        f"{cls.__module__}.{cls.__qualname__}.{name}"
        for resource in resources
        for cls in our_classes(resource)
        for name in vars(cls)
        if name in private
    )
    assert offenders == []
