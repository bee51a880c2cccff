"""Exports a spreadsheet can't run: text starting with = + - @ tab or CR is made inert in CSV,
TSV and XLSX; numbers (negative ones too) stay numbers.

The library's ``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT`` strips a leading ``=`` only, leaves
``+``, ``-``, ``@``, tab and CR alone, and turns every cell - numbers too - into text.
"""

import csv
import io

import openpyxl
import pytest
import tablib
from import_export.formats import base_formats

from backoffice.models import InventoryLog, Product
from backoffice.resources import InventoryLogResource
from tests.importing.conftest import export_form_data, import_url, streamed_text

DANGEROUS = [
    '=HYPERLINK("http://evil.example","click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.fixture
def log_entries(seed, boss):
    product = Product.objects.get(pk=1)
    return [
        InventoryLog.objects.create(
            product=product, user=boss, change=-3, stock_after=22, reason="sale", note=note
        )
        for note in DANGEROUS
    ]


def export(client, fmt):
    response = client.post(
        import_url("inventorylog", "export"), export_form_data(InventoryLogResource, fmt)
    )
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(("fmt", "delimiter"), [("csv", ","), ("tsv", "\t")])
def test_csv_and_tsv_cells_are_inert_and_numbers_stay_numbers(
    log_entries, boss_client, fmt, delimiter
):
    response = export(boss_client, fmt)
    assert response.streaming  # large exports never sit in memory whole
    rows = list(csv.DictReader(io.StringIO(streamed_text(response)), delimiter=delimiter))
    by_id = {int(row["id"]): row for row in rows}
    for entry, note in zip(log_entries, DANGEROUS, strict=True):
        row = by_id[entry.pk]
        assert row["note"] == "'" + note
        assert row["change"] == "-3"  # a number: never prefixed
        assert row["stock_after"] == "22"


def test_xlsx_cells_are_text_not_formulas_and_numbers_stay_numbers(log_entries, boss_client):
    response = export(boss_client, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    headers = [cell.value for cell in sheet[1]]
    note, change = headers.index("note"), headers.index("change")
    notes = []
    for row in sheet.iter_rows(min_row=2):
        assert row[change].data_type == "n" and row[change].value == -3
        assert row[note].data_type == "s"
        notes.append(row[note].value)
    # XLSX stores a carriage return as a line feed; the apostrophe is what matters
    assert sorted(notes) == sorted("'" + n.replace("\r", "\n") for n in DANGEROUS)


def test_json_is_not_escaped(log_entries, boss_client):
    """JSON isn't opened by spreadsheets; it keeps the text exactly (and imports back as is)."""
    response = export(boss_client, "json")
    notes = {row["note"] for row in tablib.Dataset().load(response.content.decode(), "json").dict}
    assert notes == set(DANGEROUS)


def test_the_library_escaping_misses_most_triggers_and_turns_numbers_into_text(settings):
    settings.IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
    dataset = tablib.Dataset(["+1+1", "@SUM(A1)", "-2+3", -3], headers=["a", "b", "c", "d"])
    sheet = openpyxl.load_workbook(io.BytesIO(base_formats.XLSX().export_data(dataset))).active
    assert [cell.value for cell in sheet[2]] == ["+1+1", "@SUM(A1)", "-2+3", "-3"]
    assert sheet["D2"].data_type == "s"  # the number became text


def test_the_export_of_the_filtered_list_keeps_the_filter(log_entries, boss_client):
    InventoryLog.objects.create(
        product_id=2, change=5, stock_after=55, reason="restock", note="restocked"
    )
    response = boss_client.post(
        import_url("inventorylog", "export") + "?q=restocked",
        export_form_data(InventoryLogResource, "csv"),
    )
    rows = list(csv.DictReader(io.StringIO(streamed_text(response))))
    assert [row["note"] for row in rows] == ["restocked"]
