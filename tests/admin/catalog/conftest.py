"""Fixtures of the catalog admin tests: a catalog viewer and a catalog editor."""

import pytest

from tests.factories import staff_user

CATALOG_MODELS = ["product", "category", "supplier", "tag", "review", "productmeta"]


@pytest.fixture
def viewer(db):
    """Staff who may look at the catalog but change nothing."""
    return staff_user(*(f"view_{model}" for model in [*CATALOG_MODELS, "inventorylog"]))


@pytest.fixture
def editor(db):
    """A catalog editor: may view, add, change and delete catalog rows."""
    codenames = [
        f"{action}_{model}"
        for model in CATALOG_MODELS
        for action in ("view", "add", "change", "delete")
    ]
    return staff_user(*codenames, "view_inventorylog")
