"""Refusing saves from stale pages (``EditVersioned`` rows: products and orders).

A page sends back the ``edit_version`` it was opened with. Saving claims the row with one
conditional ``UPDATE … SET edit_version = edit_version + 1 WHERE id = … AND edit_version =
<seen>``: the database takes the row lock and checks the number in one statement, and the lock
is held until the save's transaction ends, so of two saves opened at the same version exactly
one goes through and the other raises ``EditConflict`` (nothing written: the caller's
transaction rolls back). Writes that edit fields without a page (actions, imports, status
moves) add one with ``EDIT_BUMP`` in the UPDATE they already make.
"""

from django.db import transaction
from django.db.models import F

#: the expression every field-editing UPDATE sets ``edit_version`` to
EDIT_BUMP = F("edit_version") + 1


class EditConflict(Exception):
    """A save was refused because the row changed since the page was opened.

    ``field`` is the form field the message belongs on (None: the whole form); the admin shows
    the page again with the message and the current values (``admin/edits.py``).
    """

    def __init__(self, model, pk: int, message: str = "", field: str | None = None):
        self.model, self.pk, self.field = model, pk, field
        super().__init__(message or f"{model._meta.verbose_name} #{pk} changed meanwhile.")


def edit_version_claim(*, model, pk: int, seen: int | None) -> int:
    """Take the row for a save from a page opened at version ``seen``; the new version.

    Must run inside the transaction that then writes the fields. ``seen`` None (a form that
    did not send a version, e.g. an old page) is treated as stale.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("edit_version_claim must run inside the save's transaction")
    claimed = (
        model._default_manager.filter(pk=pk, edit_version=seen).update(edit_version=EDIT_BUMP)
        if seen is not None
        else 0
    )
    if not claimed:
        raise EditConflict(model, pk)
    return seen + 1


def edit_version_check(*, current: int, seen: int | None, model, pk: int) -> int:
    """For a service that already holds the row lock: refuse unless ``seen`` is ``current``;
    the version to write."""
    if seen is None or seen != current:
        raise EditConflict(model, pk)
    return current + 1
