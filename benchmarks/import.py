"""Import at scale: 100k products and 300k order items from CSV, library defaults vs ours.

    .venv/bin/python benchmarks/import.py            # PostgreSQL database bo_bench
    BENCH_DATABASE_URL=postgres://... .venv/bin/python benchmarks/import.py --products 20000

Both runs use the same resources (``backoffice.resources``), the same files and start from the
same database state (all rows new), and read the CSV through the same format:

* "library default": ``resource.import_data()`` as the library runs it (and as the admin's
  confirm runs it): per row a savepoint, an instance lookup, a query per foreign key, a diff,
  ``full_clean`` with its unique/constraint/foreign-key queries, and a ``save()``;
* "ours (bulk)": ``backoffice.importing.bulk.import_in_bulk``: existing rows and foreign keys
  fetched in batches, per-row field validation and ``clean()``, ``bulk_create`` of 2,000
  rows at a time, all in one transaction.

Each run is a fresh process: rows/s is wall time from the CSV bytes to the commit, peak memory
is the process's maximum resident set. The library default imports the first 10,000 rows of
each file (``--default-rows``; 0 imports all): it does the same work for every row, and the
full files would take over an hour that way. Targets (from the issue): ours at least 5x the library
default for both files, and at least 5,000 order items/s. Exits 1 when a target is missed.
"""

import argparse
import csv
import io
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
ORDERS = 30_000
DATA = Path("/tmp") / "bo_bench_import"


def write_files(products: int, items: int) -> None:
    """The two CSV files, deterministic (same rows on every run)."""
    from backoffice.models import Category, Customer, Supplier

    rng = random.Random(42)
    DATA.mkdir(exist_ok=True)
    categories = list(Category.objects.values_list("name", flat=True))
    suppliers = list(Supplier.objects.values_list("name", flat=True))
    prefixes = {"Clothing": "CL-", "Books": "BK-", "Sports": "SP-", "Electronics": "EL-"}
    with open(DATA / "products.csv", "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(
            [
                "id",
                "name",
                "sku",
                "description",
                "price",
                "cost",
                "stock_quantity",
                "category",
                "supplier",
                "is_active",
            ]
        )
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
                    "true",
                ]
            )
    customers = list(Customer.objects.values_list("pk", flat=True))
    with open(DATA / "order_items.csv", "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["id", "order_id", "product_id", "quantity", "price"])
        for n in range(items):
            writer.writerow(
                [
                    FIRST_ID + n,
                    FIRST_ID + n % ORDERS,
                    FIRST_ID + rng.randrange(products),
                    rng.randrange(1, 5),
                    f"{rng.randrange(500, 50000) / 100:.2f}",
                ]
            )
    del customers


def prepare(products: int, items: int) -> None:
    """Seed data, 30,000 orders, and the CSV files."""
    from django.utils import timezone

    from backoffice.models import Order, OrderItem, Product
    from backoffice.services.seed import database_has_shop_data, seed_data_load

    OrderItem.objects.filter(pk__gte=FIRST_ID).delete()
    Product.objects.filter(pk__gte=FIRST_ID).delete()
    if not database_has_shop_data():
        seed_data_load()
    if not Order.objects.filter(pk__gte=FIRST_ID).exists():
        now = timezone.now()
        Order.objects.bulk_create(
            [
                Order(
                    pk=FIRST_ID + n,
                    customer_id=1 + n % 5,
                    status="delivered",
                    total_amount=Decimal("10.00"),
                    order_date=now,
                )
                for n in range(ORDERS)
            ],
            batch_size=5000,
        )
    write_files(products, items)


def worker(kind: str, how: str, limit: int) -> None:
    """One measured import in this (fresh) process."""
    from django.db import transaction

    from backoffice.importing.bulk import import_in_bulk
    from backoffice.importing.formats import CSV
    from backoffice.models import OrderItem, Product
    from backoffice.resources import OrderItemResource, ProductResource

    OrderItem.objects.filter(pk__gte=FIRST_ID).delete()
    if kind == "products":
        Product.objects.filter(pk__gte=FIRST_ID).delete()
    elif not Product.objects.filter(pk__gte=FIRST_ID).exists():
        outcome = import_in_bulk(ProductResource, CSV(), (DATA / "products.csv").read_bytes())
        assert outcome.applied, outcome.problems[:5]
    resource_class = ProductResource if kind == "products" else OrderItemResource
    data = (DATA / f"{kind}.csv").read_bytes()
    if limit:
        data = b"".join(io.BytesIO(data).readlines()[: limit + 1])
    reset_peak()
    baseline = rss_mb()
    with Timer() as timer:
        if how == "bulk":
            outcome = import_in_bulk(resource_class, CSV(), data)
            ok, rows, problems = outcome.applied, outcome.totals["new"], outcome.problems
        else:
            dataset = CSV().create_dataset(data)
            with transaction.atomic():
                result = resource_class().import_data(dataset, use_transactions=True)
            ok = not result.has_errors() and not result.has_validation_errors()
            rows, problems = result.totals["new"], [str(r.error) for r in result.invalid_rows[:3]]
    report(
        {
            "kind": kind,
            "how": how,
            "ok": ok,
            "rows": rows,
            "seconds": timer.seconds,
            "peak_mb": max_rss_mb(),
            "baseline_mb": baseline,
            "problems": problems[:3],
        }
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=300_000)
    parser.add_argument(
        "--default-rows",
        type=int,
        default=10_000,
        help="rows imported the library's default way (its cost per row is constant, and all "
        "400,000 would take well over an hour); 0 for all",
    )
    parser.add_argument("--worker", nargs=3, metavar=("KIND", "HOW", "LIMIT"))
    args = parser.parse_args()
    if args.worker:
        setup_django()
        kind, how, limit = args.worker
        worker(kind, how, int(limit))
        return 0

    setup_django(migrate=True)
    from django.db import connection

    print(f"Database: {connection.vendor} ({database_url()})\nMachine: {machine()}\n")
    prepare(args.products, args.items)
    results = []
    for kind in ("products", "order_items"):
        for how in ("default", "bulk"):
            limit = args.default_rows if how == "default" else 0
            result = run_worker(__file__, kind, how, str(limit))
            if not result["ok"]:
                print(f"{kind} {how} FAILED: {result['problems']}")
                return 1
            result["rate"] = result["rows"] / result["seconds"]
            results.append(result)
            print(f"  {kind:12} {how:8} {result['rows']:>8,} rows in {result['seconds']:.1f} s")
    rows = [
        [
            r["kind"],
            "library default" if r["how"] == "default" else "ours (bulk)",
            f"{r['rows']:,}",
            f"{r['seconds']:.1f}",
            f"{r['rate']:,.0f}",
            f"{r['peak_mb']:.0f}",
        ]
        for r in results
    ]
    print()
    print(table(["file", "import", "rows", "seconds", "rows/s", "peak MB"], rows))
    rate = {(r["kind"], r["how"]): r["rate"] for r in results}
    checks = [
        (
            f"products: ours {rate['products', 'bulk'] / rate['products', 'default']:.1f}x the "
            "library default (target 5x)",
            rate["products", "bulk"] >= 5 * rate["products", "default"],
        ),
        (
            f"order items: ours {rate['order_items', 'bulk'] / rate['order_items', 'default']:.1f}x "
            "the library default (target 5x)",
            rate["order_items", "bulk"] >= 5 * rate["order_items", "default"],
        ),
        (
            f"order items: ours {rate['order_items', 'bulk']:,.0f} rows/s (target 5,000)",
            rate["order_items", "bulk"] >= 5000,
        ),
    ]
    print()
    for text, passed in checks:
        print(f"{'PASS' if passed else 'FAIL'}  {text}")
    return 0 if all(passed for _, passed in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
