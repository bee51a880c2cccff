"""The bad-file corpus (tests/data/bad/): each file gets a clear message and changes nothing.

Every case goes through the admin's Import page like a staff member's upload. The page must
say what is wrong in words (not an exception class), offer no confirm button, and every table
must be exactly as before; the attempt is recorded in the import history.
"""

from pathlib import Path

import pytest

from backoffice.models import DataJob, ImportRecord
from tests.importing.conftest import page_text, upload
from tests.importing.snapshots import table_snapshot

BAD = Path(__file__).resolve().parent.parent / "data" / "bad"

# file -> (admin page, format chosen, words the page must show)
CASES = {
    "wrong_encoding.csv": ("category", "csv", ["not UTF-8", "line 2", "Save it as UTF-8"]),
    "utf16_bom.csv": ("category", "csv", ["UTF-16", "Save it as UTF-8"]),
    "semicolon.csv": ("product", "csv", ["semicolons", "comma-separated"]),
    "wrong_headers.csv": ("product", "csv", ["Unknown column", "'prcie'", "price"]),
    "missing_headers.csv": ("product", "csv", ["Unknown column", "first line", "column names"]),
    "duplicate_rows.csv": ("product", "csv", ["Line 4 repeats line 2", "id 1"]),
    "unknown_category.csv": (
        "product",
        "csv",
        ["Line", "2", "category", "Gadgets", "There is no category with name 'Gadgets'"],
    ),
    "negative_price.csv": ("product", "csv", ["price", "-5.00", "more than zero"]),
    "negative_stock.csv": ("product", "csv", ["stock_quantity", "-3", "Stock cannot be negative"]),
    "sku_wrong_prefix.csv": ("product", "csv", ["sku", "CL-1234", "must start with EL-"]),
    "unknown_tag.csv": ("product", "csv", ["tags", "Unknown tag: 'best-seller'"]),
    "conflicting_keys.csv": ("product", "csv", ["category_id", "is 'Clothing'", "Electronics"]),
    "rating_0.csv": ("review", "csv", ["rating", "0", "at least 1 star"]),
    "rating_6.csv": ("review", "csv", ["rating", "6", "at most 5 stars"]),
    "dates_other_formats.csv": (
        "order",
        "csv",
        ["order_date", "01/03/2024", "ambiguous", "delivery_date", "next Tuesday", "not a date"],
    ),
    "empty.csv": ("category", "csv", ["The file is empty"]),
    "header_only.csv": ("product", "csv", ["header line but no rows"]),
    "csv_named.json": ("category", "json", ["not valid JSON", "is it a CSV file?"]),
    "not_a_workbook.xlsx": ("category", "xlsx", ["not an Excel workbook", "CSV"]),
    "ragged.csv": ("product", "csv", ["Line 3 has 4 cells", "3 columns"]),
    "formulas.xlsx": ("product", "xlsx", ["Cell B3 holds a formula", "=B2*2", "values"]),
    "zip_bomb.xlsx": ("category", "xlsx", ["zip bomb", "50 MB"]),
    "xml_bomb.xlsx": ("category", "xlsx", ["XML entity definitions", "refused"]),
}


def assert_refused(response, words, before):
    """A file refused whole (at upload or by its preview: the import history says failed), or
    a file whose rows have problems: its preview names them and offers no all-or-nothing
    confirm (only "apply the valid rows"), and nothing is written either way."""
    assert response.status_code == 200
    text = page_text(response)
    for word in words:
        assert word in text, (word, text[-3000:])
    assert "Traceback" not in text and "Error:" not in text.replace("Problem", "")
    assert table_snapshot() == before
    job = response.context.get("job")
    if job is not None and job.status == DataJob.Status.PREVIEWED:
        assert job.counts["error"] > 0
        assert 'value="all" disabled' in response.content.decode()
        assert not ImportRecord.objects.exists()  # nothing decided yet
        return
    record = ImportRecord.objects.get()
    assert record.outcome == ImportRecord.Outcome.FAILED


@pytest.mark.parametrize("file_name", CASES, ids=list(CASES))
def test_a_bad_file_is_refused_with_a_clear_message(seed, boss_client, file_name):
    model_name, fmt, words = CASES[file_name]
    before = table_snapshot()
    response = upload(boss_client, model_name, file_name, (BAD / file_name).read_bytes(), fmt)
    assert_refused(response, words, before)


def test_a_csv_named_json_cannot_be_imported_as_csv_either(seed, boss_client):
    before = table_snapshot()
    response = upload(boss_client, "category", "csv_named.json", b"id,name\n1,X\n", "csv")
    assert_refused(response, ["ends in .json", "format chosen is CSV"], before)


def test_a_workbook_uploaded_as_csv_is_named_as_a_workbook(seed, boss_client):
    before = table_snapshot()
    data = (BAD / "formulas.xlsx").read_bytes()
    response = upload(boss_client, "product", "prices.txt", data, "csv")
    assert_refused(
        response, ["zip archive", "Excel workbook (XLSX)", "Choose the XLSX format"], before
    )


def test_an_oversized_file_is_refused_before_it_is_read(seed, boss_client, settings):
    assert settings.IMPORT_MAX_UPLOAD_BYTES == 200_000_000  # the documented default
    settings.IMPORT_MAX_UPLOAD_BYTES = 2_000_000  # the same check, without a 200 MB upload
    before = table_snapshot()
    data = b"id,name\n" + b"1,x\n" * 500_001  # 2,000,012 bytes
    response = upload(boss_client, "category", "huge.csv", data, "csv")
    assert_refused(response, ["2.0 MB", "the most an import takes is 2 MB"], before)


def test_too_many_rows_are_refused(seed, boss_client, settings):
    settings.IMPORT_MAX_ROWS = 3
    before = table_snapshot()
    data = "id,name\n" + "".join(f"{i},Category {i}\n" for i in range(10, 14))
    response = upload(boss_client, "category", "many.csv", data, "csv")
    assert_refused(response, ["more than 3 rows", "Split it"], before)


def test_a_utf8_byte_order_mark_is_not_part_of_the_first_column(seed, boss_client):
    """Excel's "CSV UTF-8" starts with a BOM: the first column is still ``id``."""
    response = upload(boss_client, "product", "bom.csv", (BAD / "utf8_bom.csv").read_bytes())
    report = response.context["report"]
    assert report.ok, report.problems
    assert [(row.kind, row.changes) for row in report.rows] == [
        ("updated", [("price", "1299.99", "1199.99")])
    ]
