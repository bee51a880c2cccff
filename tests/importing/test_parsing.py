"""Numbers, dates and yes/no cells: one agreed value per input, or a row error, in any language.

The tables here are the contract (docs/import-export.md shows them to staff). Each is run under
several active languages: the library's widgets read ``1,299`` as 1299, 1.299 or an error
depending on the language (``sanitize_separators``), so these tests fail on the unconfigured
library.
"""

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from django.utils import translation
from import_export import widgets as library_widgets

from backoffice.resources import CustomerResource, OrderResource, ProductResource, SupplierResource

ERROR = "error"
LANGUAGES = ["en", "de", "fr", "de-ch"]

DECIMALS = [
    ("1299.99", "1299.99"),
    ("1299,99", "1299.99"),
    ("1,299.99", "1299.99"),
    ("1.299,99", "1299.99"),
    ("1 299,99", "1299.99"),
    ("1\u00a0299.99", "1299.99"),
    ("1\u202f299,99", "1299.99"),
    ("1'299.99", "1299.99"),
    ("12,345,678.90", "12345678.90"),
    ("12.345.678,90", "12345678.90"),
    ("1,000,000", "1000000"),
    ("1.000.000", "1000000"),
    ("1.000.000,5", "1000000.5"),
    ("-5", "-5"),
    ("\u22125.50", "-5.50"),
    ("+5.5", "5.5"),
    (" 12.30 ", "12.30"),
    ("0.5", "0.5"),
    ("0,5", "0.5"),
    (".5", "0.5"),
    ("0.125", "0.125"),
    ("1.2345", "1.2345"),
    ("1,2345", "1.2345"),
    (12.5, "12.5"),
    (7, "7"),
    ("", None),
    ("   ", None),
    (None, None),
    ("1,299", ERROR),  # 1299 in English, 1.299 in German: ambiguous
    ("1.299", ERROR),
    ("12.5.3", ERROR),
    ("1,29,99", ERROR),
    ("1.23,4", ERROR),
    ("1,234.5,6", ERROR),
    ("$12.50", ERROR),
    ("12,50 \u20ac", ERROR),
    ("1e3", ERROR),
    ("NaN", ERROR),
    ("inf", ERROR),
    ("abc", ERROR),
    ("(5.00)", ERROR),
    ("--5", ERROR),
    ("1 2", ERROR),
    (True, ERROR),
]

DATES = [
    ("2024-03-01", date(2024, 3, 1)),
    ("2024-3-1", date(2024, 3, 1)),
    ("2024/03/01", date(2024, 3, 1)),
    ("01.03.2024", date(2024, 3, 1)),
    ("25/12/2024", date(2024, 12, 25)),
    ("12/25/2024", date(2024, 12, 25)),
    ("25-12-2024", date(2024, 12, 25)),
    ("05/05/2024", date(2024, 5, 5)),
    ("1 Mar 2024", date(2024, 3, 1)),
    ("1 March 2024", date(2024, 3, 1)),
    ("Mar 1, 2024", date(2024, 3, 1)),
    ("March 1 2024", date(2024, 3, 1)),
    ("01-Mar-2024", date(2024, 3, 1)),
    ("2024-03-01T00:00:00Z", date(2024, 3, 1)),
    (datetime(2024, 3, 1), date(2024, 3, 1)),  # an XLSX date cell
    (date(2024, 3, 1), date(2024, 3, 1)),
    ("", None),
    ("01/03/2024", ERROR),  # 1 March or 3 January?
    ("03-01-2024", ERROR),
    ("2024-02-30", ERROR),
    ("31.02.2024", ERROR),
    ("1/3/24", ERROR),  # two-digit year
    ("20240301", ERROR),
    (45352, ERROR),  # a spreadsheet serial number
    ("yesterday", ERROR),
    ("1 Foo 2024", ERROR),
    (datetime(2024, 3, 1, 14, 30), ERROR),  # a time where a date is expected
]

UTC_2024_03_01_1430 = datetime(2024, 3, 1, 14, 30, tzinfo=UTC)
DATETIMES = [
    ("2024-03-01T14:30:00Z", UTC_2024_03_01_1430),
    ("2024-03-01T14:30:00+00:00", UTC_2024_03_01_1430),
    ("2024-03-01T15:30:00+01:00", UTC_2024_03_01_1430),
    ("2024-03-01 14:30:00", UTC_2024_03_01_1430),
    ("2024-03-01 14:30", UTC_2024_03_01_1430),
    ("2024-03-01T14:30", UTC_2024_03_01_1430),
    ("01.03.2024 14:30", UTC_2024_03_01_1430),
    ("2024/03/01 14:30", UTC_2024_03_01_1430),
    ("12/25/2024 2:30 PM", datetime(2024, 12, 25, 14, 30, tzinfo=UTC)),
    ("25/12/2024 14:30:15", datetime(2024, 12, 25, 14, 30, 15, tzinfo=UTC)),
    ("2024-03-01", datetime(2024, 3, 1, tzinfo=UTC)),
    (datetime(2024, 3, 1, 14, 30), UTC_2024_03_01_1430),  # an XLSX cell: naive is UTC
    ("2024-03-01T14:30:00.250Z", datetime(2024, 3, 1, 14, 30, 0, 250000, tzinfo=UTC)),
    ("", None),
    ("01/03/2024 14:30", ERROR),
    ("2024-03-01 25:00", ERROR),
    ("2024-02-30T10:00:00Z", ERROR),
    ("13/13/2024 10:00", ERROR),
    ("2024-03-01 14:30 tomorrow", ERROR),
    (45352.5, ERROR),
]

BOOLEANS = [
    ("true", True),
    ("TRUE", True),
    ("True", True),
    ("yes", True),
    ("1", True),
    (1, True),
    (True, True),
    ("false", False),
    ("No", False),
    ("0", False),
    (0, False),
    ("WAHR", ERROR),  # the library reads anything unknown as False
    ("y", ERROR),
    ("2", ERROR),
    ("maybe", ERROR),
]


def widget(resource_class, column):
    resource = resource_class()
    return next(f for f in resource.fields.values() if f.column_name == column).widget


def outcome(w, value):
    try:
        return w.clean(value)
    except ValueError as exc:
        assert str(exc), "an error must say what is wrong"
        return ERROR


@pytest.mark.parametrize("language", LANGUAGES)
def test_decimal_table_is_the_same_in_every_language(language):
    w = widget(ProductResource, "cost")  # nullable: blank reads as "no value"
    w.decimal_places = None  # the raw parse (padding to 2 places is tested below)
    with translation.override(language):
        for value, expected in DECIMALS:
            want = ERROR if expected == ERROR else (None if expected is None else Decimal(expected))
            got = outcome(w, value)
            assert got == want, (language, value, got)
            if isinstance(got, Decimal):
                assert str(got) == expected, (value, got)


def test_the_library_decimal_widget_reads_by_language():
    """The gap: the same cell is 1.5 in German and an error in English."""
    library = library_widgets.DecimalWidget()
    with translation.override("de"):
        assert library.clean("1,5") == Decimal("1.5")
    with translation.override("en"), pytest.raises(ArithmeticError):
        library.clean("1,5")
    ours = widget(ProductResource, "price")
    for language in ("de", "en"):
        with translation.override(language):
            assert ours.clean("1,5") == Decimal("1.50")


def test_prices_are_padded_to_their_places_but_never_rounded():
    w = widget(ProductResource, "price")
    assert str(w.clean("12.5")) == "12.50"
    assert str(w.clean("12")) == "12.00"
    assert str(w.clean("12.5051")) == "12.5051"  # model validation says "2 decimal places"


def test_integers_and_floats_follow_the_same_table():
    stock = widget(ProductResource, "stock_quantity")
    assert stock.clean("1.000.000") == 1000000
    assert stock.clean("12.0") == 12
    assert stock.clean(12.0) == 12
    assert outcome(stock, "12.5") == ERROR
    assert outcome(stock, "1,000") == ERROR  # ambiguous as a decimal, so as an integer too
    rating = widget(SupplierResource, "rating")
    with translation.override("de"):
        assert rating.clean("4,5") == 4.5
        assert rating.clean("4.5") == 4.5


@pytest.mark.parametrize("language", LANGUAGES)
def test_date_table(language):
    w = widget(CustomerResource, "date_of_birth")
    with translation.override(language):
        for value, expected in DATES:
            assert outcome(w, value) == expected, (language, value)


@pytest.mark.parametrize("language", LANGUAGES)
def test_datetime_table(language):
    w = widget(OrderResource, "delivery_date")
    with translation.override(language):
        for value, expected in DATETIMES:
            got = outcome(w, value)
            assert got == expected, (language, value, got)
            if isinstance(got, datetime):
                assert got.utcoffset() is not None


def test_an_offset_is_kept_as_the_same_instant():
    w = widget(OrderResource, "order_date")
    parsed = w.clean("2024-03-01T09:30:00-05:00")
    assert parsed == UTC_2024_03_01_1430
    assert parsed.utcoffset() == timedelta(hours=-5)
    assert w.render(parsed) == "2024-03-01T14:30:00Z"
    assert w.render(parsed.astimezone(timezone(timedelta(hours=2)))) == "2024-03-01T14:30:00Z"


def test_the_library_date_widget_reads_only_its_configured_formats():
    """The gap: the library refuses the guide's own ISO timestamps (with Z)."""
    with pytest.raises(ValueError):
        library_widgets.DateTimeWidget().clean("2024-03-01T14:30:00Z")


def test_boolean_table():
    w = widget(ProductResource, "is_active")
    for value, expected in BOOLEANS:
        assert outcome(w, value) == expected, value
    assert library_widgets.BooleanWidget().clean("WAHR") is False  # the gap


def test_blank_in_a_required_column_is_an_error_not_the_default():
    """The library fills a blank cell with the model default: a blank stock resets it to 0."""
    resource = ProductResource()
    field = resource.fields["stock_quantity"]
    with pytest.raises(ValueError, match="can't be empty"):
        field.clean({"stock_quantity": ""})
    with pytest.raises(ValueError, match="can't be empty"):
        resource.fields["is_active"].clean({"is_active": ""})
    assert resource.fields["cost"].clean({"cost": ""}) is None  # nullable: blank is "no cost"


def test_exports_write_numbers_the_same_in_every_language(db):
    from backoffice.models import Product

    product = Product(price=Decimal("1299.99"), stock_quantity=1200)
    resource = ProductResource()
    for language in LANGUAGES:
        with translation.override(language):
            assert resource.fields["price"].export(product) == Decimal("1299.99")
            assert resource.fields["stock_quantity"].export(product) == 1200
    with translation.override("de"):  # the gap: the library writes "1299,99"
        assert library_widgets.DecimalWidget().render(Decimal("1299.99")) == "1299,99"
