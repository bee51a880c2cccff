"""benchmarks/admin_pages.py runs, so that it cannot rot (issue 12: CI runs it at a small size).

It is run whole, in this process, on the test database holding a generated shop of 5,000
orders (the issue's "small size"): every list has a page 2 and a last page. Nothing here is about time: the
test checks that every admin was measured, that every page answered 200 (the script exits 2
otherwise) and that the lists carry the stock admin's figures beside ours.
"""

import importlib.util
from io import StringIO
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.management import call_command

from backoffice.models import Order

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "admin_pages.py"


def load_script():
    spec = importlib.util.spec_from_file_location("admin_pages_benchmark", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def table_rows(output: str) -> list[dict]:
    """The Markdown table's rows as dicts keyed by its header."""
    lines = [line for line in output.splitlines() if line.startswith("| ")]
    headers = [cell.strip() for cell in lines[0].strip("|").split("|")]
    return [
        dict(zip(headers, (cell.strip() for cell in line.strip("|").split("|")), strict=True))
        for line in lines[1:]
    ]


# The small size: enough for every list to have a page 2 and a last page, every filter
# a real value, every report rows (generate_shop makes customers, products... in proportion).
CI_ORDERS = 5_000


@pytest.fixture
def small_shop(db):
    """A generated shop of CI_ORDERS orders (about 15,000 lines), as the benchmark is run."""
    call_command(
        "generate_shop", "--orders", str(CI_ORDERS), "--seed", "1", "--until", "2026-12-01",
        stdout=StringIO(),
    )  # fmt: skip


def test_every_admin_page_is_measured_and_answers(small_shop, capsys):
    script = load_script()

    exit_code = script.main(["--repeat", "1", "--side-by-side-runs", "1", "--markdown"])
    output = capsys.readouterr().out

    assert exit_code == 0, output  # 2 would mean a page answered something other than 200
    rows = table_rows(output)
    assert "[HTTP" not in output
    measured = {row["area"] for row in rows}
    for model in admin.site._registry:
        area = f"{model._meta.app_label}.{model._meta.model_name}"
        assert area in measured, f"{area} missing from the table"
        changelist = next(r for r in rows if r["area"] == area and r["page"] == "changelist")
        assert changelist["stock p95"] and changelist["ratio"], changelist
    assert Order.objects.count() == CI_ORDERS
    orders = {row["page"]: row for row in rows if row["area"] == "backoffice.order"}
    assert orders["page 2"]["stock p95"]
    last_page = f"last page ({CI_ORDERS // 50})"
    assert orders[last_page]["stock p95"]
    assert any(page.startswith("filter ") for page in orders)
    assert any(page.startswith("search ") for page in orders)
    assert any(page.startswith("sort ") for page in orders)
    assert {"change", "add"} <= set(orders)
    assert any(row["page"].startswith("autocomplete ") for row in rows)
    assert any(row["page"] == "dashboard (cold cache)" for row in rows)
    reports = [row for row in rows if row["page"].startswith("report ")]
    from backoffice.reports.registry import REPORTS

    # every report, and the last page of each paged one
    assert len(reports) == len(REPORTS) + sum(spec.paged for spec in REPORTS.values())
    last_pages = {
        row["page"].split()[1].rstrip(",") for row in reports if row["page"].endswith("last page")
    }
    assert last_pages == {slug for slug, spec in REPORTS.items() if spec.paged}
    # only "queries" and the stock columns are figures the test can rely on: never a time
    assert all(int(row["queries"]) > 0 for row in rows), "\n".join(
        str(r) for r in rows if r["queries"] == "0"
    )


def test_generate_without_the_command_says_so(db, monkeypatch):
    script = load_script()
    monkeypatch.setattr("django.core.management.get_commands", dict)

    with pytest.raises(SystemExit, match="generate_shop"):
        script.generate(10, 1)
