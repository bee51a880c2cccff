"""Issue 9, point 6: a small file with a huge header line is refused before its rows are read.

A 349 KB CSV of 40,000 columns took 269 s (the duplicate-column check was quadratic) and a
3.6 MB JSON didn't answer in 300 s. The formats now refuse a header wider than the resource's
columns plus a margin before reading any row, and the header checks are linear. The refusal
times are measured by benchmarks/bad_files.py (docs/performance.md), not asserted here.
"""

import io
import json
from unittest import mock

import openpyxl
import pytest

from backoffice.importing import formats
from backoffice.importing.bulk import import_in_bulk
from backoffice.importing.formats import CSV, JSON, ImportFileError, build_dataset
from backoffice.models import ImportRecord
from backoffice.resources import ProductResource
from tests.importing.conftest import page_text, upload
from tests.importing.snapshots import table_snapshot

WIDTH = 40_000


def wide_csv(width=WIDTH) -> bytes:
    header = ",".join(f"c{i}" for i in range(width))
    # the row after it is broken (too few cells): a refusal about it would mean rows were read
    return (header + "\n1,2\n").encode()


def wide_json_object(keys=WIDTH) -> bytes:
    return json.dumps([{f"key_{i:06d}_padding_padding": i for i in range(keys)}]).encode()


def json_with_different_keys(rows=WIDTH) -> bytes:
    return json.dumps([{f"k{i}": i, "id": i} for i in range(rows)]).encode()


def wide_workbook(width=2_000) -> bytes:
    book = openpyxl.Workbook()
    book.active.append([f"c{i}" for i in range(width)])
    book.active.append(list(range(width)))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def refusal_of(client, name, data, fmt) -> str:
    before = table_snapshot()
    response = upload(client, "product", name, data, fmt)
    assert response.status_code == 200
    assert 'name="confirmation"' not in response.content.decode()
    assert table_snapshot() == before
    assert ImportRecord.objects.get().outcome == ImportRecord.Outcome.FAILED
    return page_text(response)


@pytest.mark.parametrize(
    ("name", "make", "fmt", "count"),
    [
        ("wide.csv", wide_csv, "csv", WIDTH),
        ("wide.tsv", lambda: wide_csv().replace(b",", b"\t"), "tsv", WIDTH),
        ("one_wide_object.json", wide_json_object, "json", None),
        ("different_keys.json", json_with_different_keys, "json", None),
        ("wide.xlsx", wide_workbook, "xlsx", 2_000),
    ],
)
def test_a_file_wider_than_the_import_is_refused_naming_file_and_problem(
    seed, boss_client, name, make, fmt, count
):
    text = refusal_of(boss_client, name, make(), fmt)
    assert f"{name}: The file has" in text
    assert "columns; this import reads at most" in text
    if count is not None:
        assert f"The file has {count:,} columns" in text
    assert "Line 2 has 2 cells" not in text  # the row after the header was never read


def test_the_limit_is_the_resources_columns_plus_a_margin(seed, boss_client):
    resource = ProductResource()
    limit = resource.max_columns()
    assert limit == len(resource.fields) + resource.column_margin
    with pytest.raises(ImportFileError, match=f"at most {limit}"):
        CSV().create_dataset(wide_csv(limit + 1), max_columns=limit)
    # at the limit the header passes: the broken row is what gets refused
    with pytest.raises(ImportFileError, match="Line 2 has 2 cells"):
        CSV().create_dataset(wide_csv(limit), max_columns=limit)


def test_the_csv_refusal_happens_before_any_row_is_parsed(seed):
    row_read = mock.patch.object(formats, "unescape_formula", side_effect=AssertionError("row"))
    with row_read, pytest.raises(ImportFileError, match="40,000 columns"):
        CSV().create_dataset(wide_csv(), max_columns=50)


def test_the_json_refusal_happens_before_any_row_is_built(seed):
    with mock.patch.object(formats, "_json_cell", side_effect=AssertionError("row built")):
        with pytest.raises(ImportFileError, match="columns; this import reads at most 50"):
            JSON().create_dataset(json_with_different_keys(), max_columns=50)
        with pytest.raises(ImportFileError, match="columns; this import reads at most 50"):
            JSON().create_dataset(wide_json_object(), max_columns=50)


def test_bulk_mode_refuses_a_wide_file_too(seed):
    with pytest.raises(ImportFileError, match="40,000 columns"):
        import_in_bulk(ProductResource, CSV(), wide_csv())


def test_a_wide_header_within_the_default_limit_still_finds_a_repeated_column():
    with pytest.raises(ImportFileError, match="'c7' appears twice"):
        build_dataset([f"c{i}" for i in range(400)] + ["c7"], [])
