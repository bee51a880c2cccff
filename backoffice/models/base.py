"""Shared model plumbing."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


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
