"""How long the import takes to refuse malformed files (issue 9, point 6: every refusal < 1 s).

    .venv/bin/python benchmarks/bad_files.py

Each file goes through ``import_preview`` (the admin's preview step, minus HTTP) for the
product resource: the same format checks, header checks and limits. The files are the
issue's: a 349 KB CSV of 40,000 columns (269 s before the fix), a 3.6 MB JSON of one object
with many keys and a JSON of many objects with different keys (no answer in 300 s before),
plus the same wide header as TSV and XLSX. Nothing here touches the database: a refused file
is refused before any row reaches it. Exits 1 when a refusal takes a second or more.
"""

import io
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Timer, machine, setup_django, table  # noqa: E402

WIDTH = 40_000


def files() -> dict[str, tuple[str, bytes]]:
    import openpyxl

    header = ",".join(f"c{i}" for i in range(WIDTH))
    wide_csv = (header + "\n" + ",".join("1" * WIDTH) + "\n").encode()
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append([f"c{i}" for i in range(WIDTH // 4)])
    sheet.append(list(range(WIDTH // 4)))
    xlsx = io.BytesIO()
    book.save(xlsx)
    one_object = [{f"key_{i:06d}_{'x' * 70}": i for i in range(WIDTH)}]
    different_keys = [{f"column_{i:06d}_{'x' * 140}": i, "id": i} for i in range(WIDTH // 2)]
    return {
        "wide.csv": ("csv", wide_csv),
        "wide.tsv": ("tsv", wide_csv.replace(b",", b"\t")),
        "wide.xlsx": ("xlsx", xlsx.getvalue()),
        "one_wide_object.json": ("json", json.dumps(one_object).encode()),
        "different_keys.json": ("json", json.dumps(different_keys).encode()),
    }


def main() -> int:
    setup_django()
    import django

    django.setup()
    from backoffice.importing.formats import CSV, JSON, TSV, XLSX
    from backoffice.importing.service import ImportJob, import_preview
    from backoffice.resources import ProductResource

    by_name = {"csv": CSV, "tsv": TSV, "xlsx": XLSX, "json": JSON}
    rows, slow = [], False
    for name, (fmt, data) in files().items():
        job = ImportJob(ProductResource, by_name[fmt](), data, name, user=None)
        with Timer() as timer:
            report = import_preview(job)
        assert report.problems and not report.rows, name
        slow |= timer.seconds >= 1
        rows.append(
            [name, f"{len(data) / 1e6:.1f} MB", f"{timer.seconds:.3f}", report.problems[0][:70]]
        )
    print(f"Refusal of malformed files ({machine()})\n")
    print(table(["file", "size", "seconds", "message"], rows))
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
