"""Import/export widgets that make spreadsheet values unambiguous.

django-import-export parses datetimes with ``strptime`` formats only, which rejects ISO 8601
with a ``Z`` (the guide's dataset) and renders in the server's local format; its foreign-key
widget raises ``DoesNotExist`` with no column name. These small subclasses fix both.
"""

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from import_export import widgets


class IsoDateTimeWidget(widgets.DateTimeWidget):
    """Reads ISO 8601 (``2024-03-01T14:30:00Z``, offsets allowed), writes UTC ISO 8601 with Z."""

    def clean(self, value, row=None, **kwargs):
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, datetime):
            parsed = value
        else:
            parsed = parse_datetime(str(value).strip())
            if parsed is None:
                try:
                    parsed = super().clean(value, row=row, **kwargs)
                except ValueError:
                    raise ValueError(
                        f"{value!r} is not a date and time; use ISO 8601, "
                        "like 2024-03-01T14:30:00Z."
                    ) from None
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed, UTC)
        return parsed

    def render(self, value, obj=None, **kwargs):
        if not isinstance(value, datetime):
            return ""
        utc = value.astimezone(UTC)
        text = utc.isoformat(timespec="microseconds" if utc.microsecond else "seconds")
        return text.replace("+00:00", "Z")


class LookupForeignKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key looked up by ``field``; a missing row is a row error naming the value."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row=row, **kwargs)
        except self.model.DoesNotExist:
            key = "id" if self.field == "pk" else self.field
            raise ValueError(
                f"There is no {self.model._meta.verbose_name} with {key} {value!r}."
            ) from None
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"{value!r} is not a valid {self.model._meta.verbose_name} {self.field} ({exc})."
            ) from None


class BlankAsNullCharWidget(widgets.CharWidget):
    """Blank cells mean "no value" for optional unique text such as a SKU (NULLs never collide)."""

    def clean(self, value, row=None, **kwargs):
        value = super().clean(value, row=row, **kwargs)
        if value is None or not str(value).strip():
            return None
        return str(value).strip()


class StrictDecimalWidget(widgets.DecimalWidget):
    """A decimal that is either exactly what the cell says or a row error naming the value."""

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        if isinstance(value, float):
            value = repr(value)  # 4.5 -> "4.5", never the binary expansion
        try:
            return Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a number; write it like 1299.99.") from None
