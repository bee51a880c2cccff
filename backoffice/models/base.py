"""Shared model plumbing."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models


class ConstraintErrorsOnFieldsMixin:
    """Report database-constraint violations on the field a staff member has to fix.

    Django reports a failed multi-field ``UniqueConstraint`` or a ``CheckConstraint`` as a
    form-wide error. Each of our constraints carries its own ``violation_error_code``; this
    mixin moves the error under the field named for that code in ``constraint_error_fields``,
    so the admin shows it next to the input (and import rows name the field).
    """

    constraint_error_fields: dict[str, str] = {}

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as exc:
            raise ValidationError(self._errors_moved_to_fields(exc.error_dict)) from exc

    def _errors_moved_to_fields(self, error_dict):
        moved: dict[str, list[ValidationError]] = {}
        for field, errors in error_dict.items():
            for error in errors:
                target = field
                if field == NON_FIELD_ERRORS:
                    target = self.constraint_error_fields.get(error.code, field)
                moved.setdefault(target, []).append(error)
        return moved


# Each constraint's error code is its name: the key ``constraint_error_fields`` maps to the field
# the staff member has to fix, and the one name a test or an import error report refers to.


def check_constraint(name: str, condition: models.Q, message: str) -> models.CheckConstraint:
    """A CHECK constraint whose violation carries its own name as the error code."""
    return models.CheckConstraint(
        condition=condition, name=name, violation_error_code=name, violation_error_message=message
    )


def unique_constraint(name: str, fields: list[str], message: str) -> models.UniqueConstraint:
    """A multi-field UNIQUE constraint whose violation carries its own name as the error code."""
    return models.UniqueConstraint(
        fields=fields, name=name, violation_error_code=name, violation_error_message=message
    )


class EditVersioned(models.Model):
    """A counter of the edits made to a row's fields, to refuse saves from a stale page.

    Every write that edits fields (a change page, the list's editable columns, an action, an
    import, an order's lines or status) adds one, in the same transaction; a page remembers the
    number it was opened with and its save is refused when the number moved (see
    ``backoffice.services.edits`` and docs/editing.md). Stock moved by a sale or a restock is
    not a field edit and leaves the counter alone: stock edits are checked against the stock
    the editor saw instead, so a sale never makes an open product page stale.
    """

    edit_version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Edits made to this row; refuses stale saves."
    )

    class Meta:
        abstract = True


# --- external references ----------------------------------------------------------------------
# The source system's own id of a record (an order, customer, product or supplier exported by
# another shop system: often a hex string). Blank when there is none; unique when given; the
# import's first key (docs/import-export.md, "How a row finds its object").

EXTERNAL_REF_MAX_LENGTH = 64


def external_ref_field() -> models.CharField:
    # db_default too: the shop generator and other set-wise writers name their columns
    return models.CharField(
        "external reference",
        max_length=EXTERNAL_REF_MAX_LENGTH,
        blank=True,
        default="",
        db_default="",
        help_text="The record's id in the system it came from (optional; unique when given).",
    )


def external_ref_unique(prefix: str) -> models.UniqueConstraint:
    """Unique when not blank: the many records without a reference don't collide."""
    name = f"{prefix}_external_ref_unique"
    return models.UniqueConstraint(
        fields=["external_ref"],
        condition=~models.Q(external_ref=""),
        name=name,
        violation_error_code=name,
        violation_error_message="Another record already has this external reference.",
    )


def external_ref_indexes(prefix: str) -> list[models.Index]:
    """``UPPER(external_ref)``: the admin's search compares a reference whole, whatever its
    case (``=external_ref``: Django's ``iexact``, ``UPPER(col) = UPPER(%s)``)."""
    from django.db.models.functions import Upper

    return [models.Index(Upper("external_ref"), name=f"{prefix}_external_ref_upper")]
