"""Export at scale: peak memory of a product CSV export at 10k, 50k and 200k rows.

    .venv/bin/python benchmarks/export.py             # PostgreSQL database bo_bench
    .venv/bin/python benchmarks/export.py --sizes 10000 50000
    .venv/bin/python benchmarks/export.py --jobs --sizes 100000 1000000   # the export job

Two ways to produce the same CSV of all products (``ProductResource``: readable keys, tags):

* "library": what django-import-export's admin export does - ``resource.export()`` builds a
  ``tablib.Dataset`` of every row, then the whole file as one string;
* "ours (streaming)": what our admin export does for CSV and TSV -
  ``backoffice.importing.exporting.streaming_response``: a server-side cursor read 2,000 rows
  at a time, one line written per row.

Each measurement runs in a fresh process; "memory" is how far the process's peak resident set
rose above its size before the export started. The target (from the issue): the streaming
export's memory stays flat from 10k to 200k rows (here: grows by less than 20 MB, while the
library's grows with the table). Exits 1 when it doesn't.

``--jobs`` measures the export job instead (``backoffice.jobs.exports``): the admin's product
list exported by the job's task (``run_job``, the function a ``db_worker`` or RQ worker runs),
in a fresh process, as CSV and as XLSX (write-only workbook, real dates and numbers), from the
list rebuilt with the admin's changelist machinery as a superuser, into the private export
folder. Its target: the worker's memory stays flat from the smallest to the largest size, in
each format.
"""

import argparse
import os
import shutil
import sys
import tempfile
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

FIRST_ID = 1_000_001
FLAT_MB = 20
LABELS = {
    "library": "library",
    "streaming": "ours (streaming)",
    "job-csv": "job, CSV",
    "job-xlsx": "job, XLSX",
}


def ensure_products(size: int) -> None:
    """``size`` products in all: the seed's and generated ones (ids from FIRST_ID), every third
    one tagged."""
    from backoffice.models import Category, OrderItem, Product, Supplier, Tag
    from backoffice.services.seed import database_has_shop_data, seed_data_load

    if not database_has_shop_data():
        seed_data_load()
    # benchmarks/import.py's rows (ids from 100,001) would be exported too: remove them
    OrderItem.objects.filter(pk__gte=100_001).delete()
    Product.objects.filter(pk__gte=100_001, pk__lt=FIRST_ID).delete()
    total = size - Product.objects.filter(pk__lt=FIRST_ID).count()
    generated = Product.objects.filter(pk__gte=FIRST_ID)
    generated.filter(pk__gte=FIRST_ID + total).delete()
    have = generated.count()
    if have >= total:
        return
    category = Category.objects.get(name="Home & Garden")
    supplier = Supplier.objects.get(name="HomeSupply")
    tags = list(Tag.objects.all())
    existing = set(generated.values_list("pk", flat=True))
    missing = [FIRST_ID + n for n in range(total) if FIRST_ID + n not in existing]
    for start in range(0, len(missing), 5000):
        chunk = missing[start : start + 5000]
        Product.objects.bulk_create(
            Product(
                pk=pk,
                name=f"Export product {pk}",
                description='=HYPERLINK("x") and other text' if pk % 7 == 0 else "Plain text",
                price=Decimal("19.99"),
                stock_quantity=pk % 100,
                category=category,
                supplier=supplier,
            )
            for pk in chunk
        )
        Product.tags.through.objects.bulk_create(
            Product.tags.through(product_id=pk, tag_id=tags[pk % len(tags)].pk)
            for pk in chunk
            if pk % 3 == 0
        )


def job_worker(fmt: str) -> None:
    """One export job of the whole product list, run by its task as a worker runs it."""
    from django.contrib import admin
    from django.contrib.auth import get_user_model

    from backoffice.importing.formats import FORMATS
    from backoffice.jobs import exports
    from backoffice.models import DataJob, Product

    user, _ = get_user_model().objects.get_or_create(
        username="bench-exporter", defaults={"is_staff": True, "is_superuser": True}
    )
    model_admin = admin.site._registry[Product]
    format_index = [f().get_title() for f in FORMATS].index(fmt)

    def run(pks=None) -> DataJob:
        # the test settings' task backend runs the task where it is enqueued: in this process
        return exports.start_export(
            user=user,
            model_admin=model_admin,
            query="",
            resource_index=0,
            format_index=format_index,
            pks=pks,
            file_name=f"products.{fmt}",
        )

    few = list(Product.objects.order_by("pk").values_list("pk", flat=True)[:50])
    warm = run(pks=few)  # imports, first queries, openpyxl: not the export's own memory
    exports.ExportFiles().remove(warm.file_token)
    reset_peak()
    baseline = rss_mb()
    with Timer() as timer:
        job = run()
    assert job.status == DataJob.Status.SUCCEEDED, job.message
    path = exports.ExportFiles().path(job.file_token)
    size = path.stat().st_size
    exports.ExportFiles().remove(job.file_token)
    report(
        {
            "how": f"job-{fmt}",
            "rows": job.rows_done,
            "seconds": timer.seconds,
            "bytes": size,
            "grew_mb": max_rss_mb() - baseline,
            "peak_mb": max_rss_mb(),
        }
    )


def worker(how: str) -> None:
    from import_export.formats import base_formats

    from backoffice.importing import exporting
    from backoffice.importing.formats import CSV
    from backoffice.models import Product
    from backoffice.resources import ProductResource

    queryset = Product.objects.all()
    resource = ProductResource()
    rows = queryset.count()
    # warm up (imports, first queries, caches) so that only the export's own memory counts
    few = queryset.filter(pk__in=list(queryset.values_list("pk", flat=True)[:50]))
    for _ in exporting.streaming_response(resource, few, CSV(), filename="w").streaming_content:
        pass
    resource.export(resource.filter_export(few))
    reset_peak()
    baseline = rss_mb()
    size = 0
    with Timer() as timer:
        if how == "streaming":
            response = exporting.streaming_response(resource, queryset, CSV(), filename="p.csv")
            for chunk in response.streaming_content:
                size += len(chunk)
        else:
            dataset = resource.export(resource.filter_export(queryset))
            size = len(base_formats.CSV().export_data(dataset).encode("utf-8"))
    report(
        {
            "how": how,
            "rows": rows,
            "seconds": timer.seconds,
            "bytes": size,
            "grew_mb": max_rss_mb() - baseline,
            "peak_mb": max_rss_mb(),
        }
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=None)
    parser.add_argument("--jobs", action="store_true", help="measure the export job (CSV, XLSX)")
    parser.add_argument("--worker", metavar="HOW")
    args = parser.parse_args()
    if args.worker:
        setup_django()
        if args.worker.startswith("job-"):
            job_worker(args.worker.removeprefix("job-"))
        else:
            worker(args.worker)
        return 0
    sizes = args.sizes or ([100_000, 1_000_000] if args.jobs else [10_000, 50_000, 200_000])
    ways = ("job-csv", "job-xlsx") if args.jobs else ("library", "streaming")
    # the export jobs' files and progress: a private folder of this run's own
    scratch = tempfile.mkdtemp(prefix="bench-export-")
    os.environ["DJANGO_IMPORT_TEMP_DIR"] = os.path.join(scratch, "files")
    os.environ["DJANGO_JOB_PROGRESS_DIR"] = os.path.join(scratch, "progress")

    setup_django(migrate=True)
    from django.db import connection

    print(f"Database: {connection.vendor} ({database_url()})\nMachine: {machine()}\n")
    results = []
    for size in sorted(sizes):
        ensure_products(size)
        for how in ways:
            result = run_worker(__file__, how)
            results.append(result)
            print(f"  {result['rows']:>8,} rows  {how:9}  {result['seconds']:.1f} s", flush=True)
    shutil.rmtree(scratch, ignore_errors=True)
    print()
    print(
        table(
            ["rows", "export", "seconds", "rows/s", "file MB", "memory +MB", "peak MB"],
            [
                [
                    f"{r['rows']:,}",
                    LABELS.get(r["how"], r["how"]),
                    f"{r['seconds']:.1f}",
                    f"{r['rows'] / r['seconds']:,.0f}",
                    f"{r['bytes'] / 1e6:.1f}",
                    f"{r['grew_mb']:.0f}",
                    f"{r['peak_mb']:.0f}",
                ]
                for r in results
            ],
        )
    )
    passed = True
    for how in ways[1:] if not args.jobs else ways:
        measured = [r for r in results if r["how"] == how]
        growth = measured[-1]["grew_mb"] - measured[0]["grew_mb"]
        flat = growth < FLAT_MB
        passed &= flat
        print(
            f"\n{'PASS' if flat else 'FAIL'}  {LABELS[how]} memory from {measured[0]['rows']:,} "
            f"to {measured[-1]['rows']:,} rows grew by {growth:.1f} MB (target: under "
            f"{FLAT_MB} MB)"
        )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
