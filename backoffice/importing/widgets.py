"""Import/export widgets that make spreadsheet values unambiguous.

The library's widgets parse numbers and dates by the active language and settings, read an
unknown yes/no value as False, raise ``DoesNotExist`` without naming the column, drop unknown
many-to-many names silently, and render numbers through ``number_format`` (a German user's
export says ``1299,99``). These subclasses parse with ``backoffice.importing.parsing`` (one
agreed value per input, or an error saying how to write it) and render native values, which
each format then writes in its own canonical way.
"""

from datetime import UTC, date, datetime
from decimal import Decimal

from django.utils.translation import ngettext
from import_export import widgets

from backoffice.importing import parsing


class _StrictWidget(widgets.Widget):
    """Blank cells are None; ``allow_empty=False`` (a NOT NULL column) makes them an error."""

    parse = None

    def __init__(self, *args, allow_empty=True, **kwargs):
        self.allow_empty = allow_empty
        super().__init__(*args, **kwargs)

    def clean(self, value, row=None, **kwargs):
        parsed = type(self).parse(value)
        if parsed is None and not self.allow_empty:
            raise ValueError("This column can't be empty here.")
        return parsed

    def render(self, value, obj=None, **kwargs):
        return value  # native: each format writes numbers, dates and booleans its own way


class StrictDecimalWidget(_StrictWidget, widgets.DecimalWidget):
    """A decimal whatever the language (see ``parsing.parse_decimal``), padded to its places.

    ``decimal_places`` makes 12.5 read as 12.50, so a file that restates a stored price is
    "unchanged" in the preview; more places than the column has stay as written and fail the
    model's validation rather than being rounded silently.
    """

    parse = staticmethod(parsing.parse_decimal)

    def __init__(self, *args, decimal_places=None, **kwargs):
        self.decimal_places = decimal_places
        super().__init__(*args, **kwargs)

    def clean(self, value, row=None, **kwargs):
        number = super().clean(value, row=row, **kwargs)
        places = self.decimal_places
        if number is not None and places is not None and -number.as_tuple().exponent <= places:
            number = number.quantize(Decimal(1).scaleb(-places))
        return number


class StrictIntegerWidget(_StrictWidget, widgets.IntegerWidget):
    parse = staticmethod(parsing.parse_integer)


class StrictFloatWidget(_StrictWidget, widgets.FloatWidget):
    @staticmethod
    def parse(value):
        number = parsing.parse_decimal(value)
        return None if number is None else float(number)


class StrictBooleanWidget(_StrictWidget, widgets.BooleanWidget):
    parse = staticmethod(parsing.parse_bool)


class StrictDateWidget(_StrictWidget, widgets.DateWidget):
    """ISO 8601 dates and unambiguous spreadsheet forms; written as 2024-03-01."""

    parse = staticmethod(parsing.parse_date)

    def render(self, value, obj=None, **kwargs):
        return value if isinstance(value, date) else None


class IsoDateTimeWidget(_StrictWidget, widgets.DateTimeWidget):
    """Reads ISO 8601 and spreadsheet forms (naive times are UTC); writes UTC ISO 8601 with Z."""

    parse = staticmethod(parsing.parse_datetime)

    def render(self, value, obj=None, **kwargs):
        if not isinstance(value, datetime):
            return ""
        utc = value.astimezone(UTC)
        text = utc.isoformat(timespec="microseconds" if utc.microsecond else "seconds")
        return text.replace("+00:00", "Z")


class BlankAsNullCharWidget(widgets.CharWidget):
    """Blank cells mean "no value" for optional unique text such as a SKU (NULLs never collide)."""

    def clean(self, value, row=None, **kwargs):
        value = super().clean(value, row=row, **kwargs)
        if value is None or not str(value).strip():
            return None
        return str(value).strip()


class TagListWidget(widgets.ManyToManyWidget):
    """Tags as a comma-separated list of names; an unknown name is an error, never dropped.

    The library's ``ManyToManyWidget`` filters by the names it is given, so a misspelt tag
    silently disappears and the product loses it. Here every name must exist.
    """

    def __init__(self, model, **kwargs):
        super().__init__(model, separator=",", field="name", **kwargs)
        self._known: dict = {}

    def forget(self) -> None:
        """Start a new import: tags found by the last one may have changed since."""
        self._known = {}

    def clean(self, value, row=None, **kwargs):
        if value is None or not str(value).strip():
            return []
        names = list(dict.fromkeys(n.strip() for n in str(value).split(",") if n.strip()))
        missing = [name for name in names if name not in self._known]
        if missing:  # a query for names not met yet in this import, not one a row
            if len(self._known) > 100_000:
                self._known = {}
            self._known.update(
                {tag.name: tag for tag in self.model._default_manager.filter(name__in=missing)}
            )
        found = {name: self._known[name] for name in names if name in self._known}
        unknown = [name for name in names if name not in found]
        if unknown:
            raise ValueError(
                ngettext("Unknown tag: ", "Unknown tags: ", len(unknown))
                + ", ".join(repr(name) for name in unknown)
                + ". Create them first (Tags page) or correct the spelling."
            )
        return [found[name] for name in names]

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return ", ".join(sorted(tag.name for tag in value.all()))
