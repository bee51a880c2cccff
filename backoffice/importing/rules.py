"""The number and date forms an import accepts, as shown on the import page and in the docs.

These are examples of ``backoffice.importing.parsing``; tests/importing/test_parsing.py checks
the full table independently.
"""

NUMBER_RULES = [
    ("1299.99", "1299.99", "a dot before the decimals"),
    ("1299,99", "1299.99", "a comma before the decimals"),
    ("1,299.99", "1299.99", "commas between thousands, a dot before the decimals"),
    ("1.299,99", "1299.99", "dots between thousands, a comma before the decimals"),
    ("1 299,99", "1299.99", "spaces (or apostrophes) between thousands"),
    ("1,000,000", "1000000", "thousands groups without decimals"),
    ("-5", "-5", "a minus sign for negative numbers"),
    ("1,299", "error", "ambiguous: 1299 or 1.299? Write 1299, 1,299.00 or 1.2990"),
    ("1.299", "error", "ambiguous for the same reason"),
    ("$12.50", "error", "no currency signs, no units, no 1e3"),
]

DATE_RULES = [
    ("2024-03-01", "1 March 2024", "ISO 8601 (year-month-day): always safe"),
    ("2024-03-01T14:30:00Z", "1 March 2024, 14:30 UTC", "ISO 8601 with a time; Z or +01:00"),
    ("2024-03-01 14:30", "1 March 2024, 14:30 UTC", "a time without an offset is UTC"),
    ("2024/03/01", "1 March 2024", "year first, slashes"),
    ("01.03.2024", "1 March 2024", "day.month.year with dots"),
    ("25/12/2024", "25 December 2024", "slashes when the day is over 12"),
    ("12/25/2024", "25 December 2024", "... either way round"),
    ("01/03/2024", "error", "ambiguous: 1 March or 3 January? Use 2024-03-01"),
    ("1 Mar 2024, Mar 1, 2024", "1 March 2024", "English month names"),
    ("45352", "error", "spreadsheet serial numbers: format the cells as dates"),
]
