"""Import at scale through the admin's job path, beside the library's default and COPY.

    .venv/bin/python benchmarks/import.py --products 100000 --items 1000000
    BENCH_DATABASE_URL=postgres://... .venv/bin/python benchmarks/import.py --items 300000

Two deterministic CSV files - products with category, supplier and tags **by name** (readable
keys), order lines with order and product ids (historical orders, made first without lines) -
are imported three ways from the same database state (every row new):

* "library default": ``resource.import_data()`` as django-import-export runs it by default:
  per row a savepoint, an instance lookup, a query per foreign key, a diff, ``full_clean``,
  a ``save()``; the first ``--default-rows`` rows only (its cost per row is constant);
* "ours (job)": what the admin's Import button runs (``backoffice.jobs.imports``): the upload
  kept privately, the preview job (every row read, cleaned, validated, counted), then the
  apply job (the same rows checked against the preview and written in bulk, ledgers and kept
  figures, all in one transaction). Seconds are from the upload to the apply's commit;
* "COPY (ceiling)": PostgreSQL's ``COPY`` of the same file into a bare table of the same
  columns (no keys, no checks): what the disk and the database can take at best.

Each run is a fresh process; peak MB is its maximum resident set. ``--memory-rows`` runs the
job path again on the first N order lines, so the table shows whether a worker's memory grows
with the file (it should not). Targets (issue 13): order lines >= 20,000 rows/s end to end,
products with tags >= 5,000 rows/s. Exits 1 when a target is missed.
"""

import argparse
import csv
import os
import random
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    Timer,
    database_url,
    machine,
    max_rss_mb,
    report,
    reset_peak,
    rss_mb,
    run_worker,
    setup_django,
    table,
)

FIRST_ID = 100_001
DATA = Path("/tmp") / "bo_bench_import"
PRODUCT_COLUMNS = [
    "id",
    "name",
    "sku",
    "description",
    "price",
    "cost",
    "stock_quantity",
    "category",
    "supplier",
    "tags",
    "is_active",
]
ITEM_COLUMNS = ["id", "order_id", "product_id", "quantity", "price"]


def orders_for(items: int) -> int:
    return max(1, items // 3)  # about three lines an order, as a real shop's history


def write_files(products: int, items: int) -> None:
    """The two CSV files, deterministic (same rows on every run)."""
    from backoffice.models import Category, Supplier, Tag

    rng = random.Random(42)
    DATA.mkdir(exist_ok=True)
    categories = list(Category.objects.values_list("name", flat=True))
    suppliers = list(Supplier.objects.values_list("name", flat=True))
    tags = list(Tag.objects.values_list("name", flat=True))
    prefixes = {"Clothing": "CL-", "Books": "BK-", "Sports": "SP-", "Electronics": "EL-"}
    with open(DATA / "products.csv", "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(PRODUCT_COLUMNS)
        for n in range(products):
            category = categories[n % len(categories)]
            sku = f"{prefixes.get(category, 'HG-')}{n + 100000:06d}"
            price = Decimal(rng.randrange(10000, 99999)) / 100 + 100
            writer.writerow(
                [
                    FIRST_ID + n,
                    f"Product {n:06d}",
                    sku,
                    "Generated for the import benchmark",
                    price,
                    (price * Decimal("0.6")).quantize(Decimal("0.01")),
                    rng.randrange(0, 500),
                    category,
                    suppliers[n % len(suppliers)],
                    ", ".join(rng.sample(tags, rng.randrange(0, 3))),
                    "true",
                ]
            )
    orders = orders_for(items)
    with open(DATA / "order_items.csv", "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(ITEM_COLUMNS)
        for n in range(items):
            writer.writerow(
                [
                    FIRST_ID + n,
                    FIRST_ID + n % orders,
                    FIRST_ID + rng.randrange(products),
                    rng.randrange(1, 5),
                    f"{rng.randrange(500, 50000) / 100:.2f}",
                ]
            )


def prepare(products: int, items: int) -> None:
    """Seed data, historical orders without lines (as many as the lines need), the files."""
    from django.utils import timezone

    from backoffice.figures import collecting
    from backoffice.models import Order, OrderItem, Product
    from backoffice.services.seed import database_has_shop_data, seed_data_load

    with collecting():
        OrderItem.objects.filter(pk__gte=FIRST_ID).delete()
    if not database_has_shop_data():
        seed_data_load()
    wanted = orders_for(items)
    have = Order.objects.filter(pk__gte=FIRST_ID).count()
    if have < wanted:
        now = timezone.now()
        for start in range(FIRST_ID + have, FIRST_ID + wanted, 5000):
            Order.objects.bulk_create(
                [
                    Order(
                        pk=pk,
                        customer_id=1 + pk % 5,
                        status="delivered",
                        total_amount=Decimal("10.00"),
                        order_date=now,
                    )
                    for pk in range(start, min(start + 5000, FIRST_ID + wanted))
                ]
            )
    del Product
    write_files(products, items)


def clear(kind: str) -> None:
    """The benchmark's rows of ``kind`` gone (and, for order lines, its products there)."""
    from django.db import connection

    from backoffice.figures import collecting
    from backoffice.models import InventoryLog, OrderItem, Product

    with collecting():
        OrderItem.objects.filter(pk__gte=FIRST_ID).delete()
    if kind == "products":
        with connection.cursor() as cursor:  # the benchmark's own rows: no figures to keep
            cursor.execute("DELETE FROM backoffice_product_tags WHERE product_id >= %s", [FIRST_ID])
        InventoryLog.objects.filter(product_id__gte=FIRST_ID).delete()
        with collecting():  # the kept figures recomputed once, not per product deleted
            Product.objects.filter(pk__gte=FIRST_ID).delete()


def through_the_job(resource_class, page_label: str, data_path: Path):
    """The admin's Import: upload, preview job, apply job (run here, as a worker runs them)."""
    from django.contrib.auth import get_user_model

    from backoffice.jobs import imports
    from backoffice.models import DataJob

    boss = get_user_model().objects.filter(is_superuser=True).first()
    with open(data_path, "rb") as file:
        job = imports.start_import(
            user=boss,
            page_label=page_label,
            resource_class=resource_class,
            format_index=0,
            file_name=data_path.name,
            data=iter(lambda: file.read(1 << 20), b""),
            queue=False,
        )
    imports.run_job.call(job.pk)
    job.refresh_from_db()
    if job.status != DataJob.Status.PREVIEWED:
        return False, 0, [job.message, *job.report.get("problems", [])[:3]]
    imports.claim_apply(job, DataJob.ApplyMode.ALL_OR_NOTHING)
    imports.run_job.call(job.pk)
    job.refresh_from_db()
    ok = job.status == DataJob.Status.SUCCEEDED
    return ok, job.counts.get("new", 0), [] if ok else [job.message]


def copy_ceiling(kind: str, data_path: Path) -> int:
    """COPY the file into a bare table of its columns (rolled back): the database's best."""
    from django.db import connection, transaction

    columns = PRODUCT_COLUMNS if kind == "products" else ITEM_COLUMNS
    types = {"id": "bigint", "order_id": "bigint", "product_id": "bigint", "quantity": "int"}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_copy ("
            + ", ".join(f"{c} {types.get(c, 'text')}" for c in columns)
            + ")"
        )
        with (
            open(data_path, "rb") as file,
            cursor.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
        ):
            while block := file.read(1 << 20):
                copy.write(block)
        cursor.execute("SELECT count(*) FROM bench_copy")
        rows = cursor.fetchone()[0]
        transaction.set_rollback(True)
    return rows


def worker(kind: str, how: str, limit: int) -> None:
    """One measured import in this (fresh) process."""
    from django.db import transaction

    from backoffice.importing.bulk import import_in_bulk
    from backoffice.importing.formats import CSV
    from backoffice.models import Product
    from backoffice.resources import OrderItemResource, ProductResource

    clear(kind)
    if kind == "order_items" and not Product.objects.filter(pk__gte=FIRST_ID).exists():
        data = (DATA / "products.csv").read_bytes()
        data = b"\n".join(  # the products without tags: bulk mode takes no many-to-many
            b",".join(line.split(b",")[:9] + line.split(b",")[-1:]) for line in data.splitlines()
        )
        header = b",".join(c.encode() for c in PRODUCT_COLUMNS if c != "tags")
        data = header + data[data.index(b"\n") :]
        outcome = import_in_bulk(ProductResource, CSV(), data)
        assert outcome.applied, outcome.problems[:5]
    resource_class = ProductResource if kind == "products" else OrderItemResource
    path = DATA / f"{kind}.csv"
    if limit:
        with open(path, "rb") as file:
            head = [next(file) for _ in range(limit + 1)]
        path = DATA / f"{kind}-{limit}.csv"
        path.write_bytes(b"".join(head))
    reset_peak()
    baseline = rss_mb()
    problems = []
    with Timer() as timer:
        if how == "job":
            ok, rows, problems = through_the_job(
                resource_class, resource_class._meta.model._meta.label, path
            )
        elif how == "copy":
            rows = copy_ceiling(kind, path)
            ok = True
        else:
            dataset = CSV().create_dataset(path.read_bytes(), max_rows=None)
            with transaction.atomic():
                result = resource_class().import_data(dataset, use_transactions=True)
            ok = not result.has_errors() and not result.has_validation_errors()
            rows = result.totals["new"]
            problems = [str(r.error) for r in result.invalid_rows[:3]]
    peak = max_rss_mb()  # before the clean-up: deleting the rows loads them all
    clear(kind)
    report(
        {
            "kind": kind,
            "how": how,
            "ok": ok,
            "rows": rows,
            "seconds": timer.seconds,
            "peak_mb": peak,
            "baseline_mb": baseline,
            "problems": problems[:3],
        }
    )


HOW = {"default": "library default", "job": "ours (job path)", "copy": "COPY (ceiling)"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument(
        "--default-rows",
        type=int,
        default=5_000,
        help="rows imported the library's default way (its cost per row is constant); 0: all",
    )
    parser.add_argument(
        "--memory-rows",
        type=int,
        default=100_000,
        help="order lines of a second job-path run, to compare its memory with the full file's",
    )
    parser.add_argument("--worker", nargs=3, metavar=("KIND", "HOW", "LIMIT"))
    args = parser.parse_args()
    if args.worker:
        setup_django()
        kind, how, limit = args.worker
        worker(kind, how, int(limit))
        return 0

    # the workers inherit it: the files are as big as asked
    os.environ.setdefault("DJANGO_IMPORT_MAX_ROWS", str(max(args.items, args.products)))
    setup_django(migrate=True)
    from django.db import connection

    print(f"Database: {connection.vendor} ({database_url()})\nMachine: {machine()}\n")
    prepare(args.products, args.items)
    runs = [
        ("products", "default", args.default_rows),
        ("products", "job", 0),
        ("products", "copy", 0),
        ("order_items", "default", args.default_rows),
        ("order_items", "job", 0),
        ("order_items", "copy", 0),
    ]
    if args.memory_rows and args.memory_rows < args.items:
        runs.insert(4, ("order_items", "job", args.memory_rows))
    results = []
    for kind, how, limit in runs:
        result = run_worker(__file__, kind, how, str(limit))
        if not result["ok"]:
            print(f"{kind} {how} FAILED: {result['problems']}")
            return 1
        result["rate"] = result["rows"] / result["seconds"]
        results.append(result)
        print(f"  {kind:12} {how:8} {result['rows']:>9,} rows in {result['seconds']:.1f} s")
    rows = [
        [
            r["kind"],
            HOW[r["how"]],
            f"{r['rows']:,}",
            f"{r['seconds']:.1f}",
            f"{r['rate']:,.0f}",
            f"{r['peak_mb']:.0f}",
        ]
        for r in results
    ]
    print()
    print(table(["file", "import", "rows", "seconds", "rows/s", "peak MB"], rows))
    rate = {
        (r["kind"], r["how"]): r["rate"]
        for r in results
        if r["rows"] >= args.items or r["kind"] == "products"
    }
    jobs = [r for r in results if r["kind"] == "order_items" and r["how"] == "job"]
    checks = [
        (
            f"order lines through the job path: {rate['order_items', 'job']:,.0f} rows/s "
            "(target 20,000)",
            rate["order_items", "job"] >= 20_000,
        ),
        (
            f"products with tags through the job path: {rate['products', 'job']:,.0f} rows/s "
            "(target 5,000)",
            rate["products", "job"] >= 5_000,
        ),
    ]
    if len(jobs) == 2:
        small, big = sorted(jobs, key=lambda r: r["rows"])
        grown = big["peak_mb"] - small["peak_mb"]
        checks.append(
            (
                f"worker peak memory {small['peak_mb']:.0f} MB at {small['rows']:,} lines, "
                f"{big['peak_mb']:.0f} MB at {big['rows']:,} (flat: within 50 MB)",
                grown <= 50,
            )
        )
    print()
    for text, passed in checks:
        print(f"{'PASS' if passed else 'FAIL'}  {text}")
    return 0 if all(passed for _, passed in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
