"""Numbers, dates and yes/no values read the same way whatever the staff member's language.

django-import-export parses numbers with ``sanitize_separators``, which follows the active
language: ``1,299`` is 1299 for one user and 1.299 or an error for another. Its date widgets
try ``strptime`` formats from the settings, so ``01/03/2024`` is March or January depending on
configuration, and its boolean widget reads anything it does not know (``yes``, ``WAHR``) as
False. Here every input gives one agreed value or a ``ValueError`` whose message says how to
write it; the table of accepted forms is in docs/import-export.md and on the import page.
"""

import math
import re
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_datetime as django_parse_datetime

NUMBER_HINT = "write it like 1299.99 (a dot or a comma before the decimals, nothing else)"
DATE_HINT = "write it like 2024-03-01 (year-month-day)"
DATETIME_HINT = "write it like 2024-03-01T14:30:00Z or 2024-03-01 14:30"

# Separators that may group thousands in a number. A space (also the no-break spaces that
# spreadsheets insert) and the Swiss apostrophe are never decimal separators.
_GROUP_CHARS = " \u00a0\u202f'"
# Whole numbers and up to two decimals can't be ambiguous: no need for the full rules.
_PLAIN_NUMBER = re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{1,2})?")
_NUMBER_CHARS = re.compile(r"[0-9.,\u00a0\u202f' ]+")
_GROUPED = "[0-9]{{1,3}}(?:{sep}[0-9]{{3}})+"


def _grouped(text: str, sep: str) -> bool:
    """True when ``text`` is digits in thousands groups separated by ``sep`` (1,234,567)."""
    return bool(re.fullmatch(_GROUPED.format(sep=re.escape(sep)), text))


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_decimal(value) -> Decimal | None:
    """A Decimal, None for a blank cell, or ValueError (also for ambiguous forms like 1,299)."""
    if _is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number; {NUMBER_HINT}.")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not a number; {NUMBER_HINT}.")
        return Decimal(repr(value))  # 4.5 -> "4.5", never the binary expansion
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value!r} is not a number; {NUMBER_HINT}.")
        return value
    text = str(value).strip()
    if _PLAIN_NUMBER.fullmatch(text):  # the common case (1299.99, -5)
        return Decimal(text)
    sign = ""
    if text[:1] in "+-\u2212":
        sign = "-" if text[0] in "-\u2212" else ""
        text = text[1:].strip()
    if not text or not _NUMBER_CHARS.fullmatch(text) or not any(c.isdigit() for c in text):
        raise ValueError(f"{value!r} is not a number; {NUMBER_HINT}.")
    digits = _normalise_separators(text, original=value)
    try:
        return Decimal(sign + digits)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number; {NUMBER_HINT}.") from None


def _normalise_separators(text: str, *, original) -> str:
    """``text`` (digits and separators, no sign) as plain digits with an optional dot."""
    bad = ValueError(f"{original!r} is not a number; {NUMBER_HINT}.")
    group_char = next((c for c in _GROUP_CHARS if c in text), None)
    if group_char is not None:
        # Grouped by spaces or apostrophes: the only other separator may be the decimal one.
        integer, _, fraction = _split_decimal(text.replace(group_char, "\x00"), bad)
        if any(c in _GROUP_CHARS for c in integer) or not _grouped(integer, "\x00"):
            raise bad
        return integer.replace("\x00", "") + ("." + fraction if fraction else "")
    dots, commas = text.count("."), text.count(",")
    if dots and commas:
        decimal_sep = "." if text.rfind(".") > text.rfind(",") else ","
        group_sep = "," if decimal_sep == "." else "."
        integer, _, fraction = text.rpartition(decimal_sep)
        if text.count(decimal_sep) != 1 or not fraction.isdigit():
            raise bad
        if not _grouped(integer, group_sep):
            raise bad
        return integer.replace(group_sep, "") + "." + fraction
    sep = "." if dots else "," if commas else None
    if sep is None:
        return text
    if text.count(sep) > 1:
        # 1.000.000 or 1,000,000: only thousands groups can repeat.
        if not _grouped(text, sep):
            raise bad
        return text.replace(sep, "")
    integer, _, fraction = text.partition(sep)
    if not fraction.isdigit() or (integer and not integer.isdigit()):
        raise bad
    if len(fraction) == 3 and integer and integer != "0" and len(integer) <= 3:
        raise ValueError(
            f"{original!r} is ambiguous: it means {integer}{fraction} in some languages and "
            f"{integer}.{fraction} in others. Write {integer}{fraction} or {integer}.{fraction}."
        )
    return (integer or "0") + "." + fraction


def _split_decimal(text: str, bad: ValueError) -> tuple[str, str, str]:
    """Split space-grouped digits at their decimal separator (a dot or a comma, at most one)."""
    separators = [c for c in text if c in ".,"]
    if len(separators) > 1:
        raise bad
    if not separators:
        return text, "", ""
    integer, sep, fraction = text.partition(separators[0])
    if not fraction.isdigit():
        raise bad
    return integer, sep, fraction


def parse_integer(value) -> int | None:
    """A whole number by the rules of ``parse_decimal`` (12.0 is 12; 12.5 is an error)."""
    number = parse_decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValueError(f"{value!r} is not a whole number.")
    if abs(number) >= 10**18:
        raise ValueError(f"{value!r} is too large.")
    return int(number)


# --- dates -----------------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        1,
    )
    for name in names
}
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_YMD_SLASH = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})")
_DMY_DOT = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_XY_YEAR = re.compile(r"(\d{1,2})([/-])(\d{1,2})\2(\d{4})")
_D_MONTH_Y = re.compile(r"(\d{1,2})[ -]([A-Za-z]+)\.?[ -](\d{4})")
_MONTH_D_Y = re.compile(r"([A-Za-z]+)\.? (\d{1,2}),? (\d{4})")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp][Mm]))?")


def _make_date(year: int, month: int, day: int, original) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{original!r} is not a real date; {DATE_HINT}.") from None


def _parse_date_text(text: str, original) -> date:
    if match := _ISO_DATE.fullmatch(text) or _YMD_SLASH.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
        return _make_date(year, month, day, original)
    if match := _DMY_DOT.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
        return _make_date(year, month, day, original)
    if match := _XY_YEAR.fullmatch(text):
        first, _, second, year = match.groups()
        first, second, year = int(first), int(second), int(year)
        if first > 12 >= second:
            return _make_date(year, second, first, original)  # day/month/year
        if second > 12 >= first:
            return _make_date(year, first, second, original)  # month/day/year
        if first == second:
            return _make_date(year, first, first, original)
        raise ValueError(
            f"{original!r} is ambiguous: day/month or month/day? {DATE_HINT[0].upper()}"
            f"{DATE_HINT[1:]}."
        )
    if match := _D_MONTH_Y.fullmatch(text):
        day, month_name, year = match.groups()
        if month_name.lower() in _MONTHS:
            return _make_date(int(year), _MONTHS[month_name.lower()], int(day), original)
    if match := _MONTH_D_Y.fullmatch(text):
        month_name, day, year = match.groups()
        if month_name.lower() in _MONTHS:
            return _make_date(int(year), _MONTHS[month_name.lower()], int(day), original)
    raise ValueError(f"{original!r} is not a date; {DATE_HINT}.")


def parse_date(value) -> date | None:
    """A date from ISO 8601 or a common spreadsheet form; ambiguous forms are errors."""
    if _is_blank(value):
        return None
    if isinstance(value, datetime):
        if value.time() != time(0):
            raise ValueError(f"{value!r} has a time of day; a date is expected here.")
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        raise ValueError(
            f"{value!r} is a number, not a date (a spreadsheet cell formatted as a number?); "
            f"{DATE_HINT}."
        )
    text = str(value).strip()
    if "T" in text and _ISO_DATE.fullmatch(text.split("T", 1)[0]):
        return parse_date(parse_datetime(text))
    return _parse_date_text(text, value)


def parse_datetime(value) -> datetime | None:
    """An aware datetime. ISO 8601 (with Z or an offset) or a date and a time; naive is UTC."""
    if _is_blank(value):
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time(0))
    elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        raise ValueError(f"{value!r} is a number, not a date and time; {DATETIME_HINT}.")
    else:
        text = str(value).strip()
        try:
            parsed = django_parse_datetime(text)
        except ValueError:  # well formed but impossible, like 2024-02-30T10:00
            raise ValueError(f"{value!r} is not a real date and time; {DATETIME_HINT}.") from None
        if parsed is None:
            parsed = _parse_date_and_time(text, value)
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _parse_date_and_time(text: str, original) -> datetime:
    date_part, time_part = text, ""
    if match := _TIME.search(text):
        if match.end() != len(text):
            raise ValueError(f"{original!r} is not a date and time; {DATETIME_HINT}.")
        date_part, time_part = text[: match.start()].strip().rstrip(","), match.group(0)
    try:
        day = _parse_date_text(date_part, original)
    except ValueError as exc:
        if "ambiguous" in str(exc) or "real date" in str(exc):
            raise
        raise ValueError(f"{original!r} is not a date and time; {DATETIME_HINT}.") from None
    if not time_part:
        return datetime.combine(day, time(0))
    hours, minutes, seconds, meridiem = _TIME.fullmatch(time_part).groups()
    hours, minutes, seconds = int(hours), int(minutes), int(seconds or 0)
    if meridiem:
        if not 1 <= hours <= 12:
            raise ValueError(f"{original!r} has an impossible time; {DATETIME_HINT}.")
        hours = hours % 12 + (12 if meridiem.lower() == "pm" else 0)
    try:
        return datetime.combine(day, time(hours, minutes, seconds))
    except ValueError:
        raise ValueError(f"{original!r} has an impossible time; {DATETIME_HINT}.") from None


# --- yes / no --------------------------------------------------------------------------------

_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}


def parse_bool(value) -> bool | None:
    """True/False from true/false, yes/no or 1/0 (any case); anything else is an error."""
    if _is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{value!r} is not a yes/no value; write true or false.")
