"""The job path's engine (``backoffice.importing.chunked``): files read and written a chunk at
a time keep every rule across chunks, keep the shop's ledgers, and say what they will do to
the orders before confirm. Chunks are made tiny here so a few rows cross several of them."""

import threading
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.db.models import F

from backoffice.importing import chunked
from backoffice.jobs import imports
from backoffice.models import (
    Customer,
    DataJob,
    ImportRecord,
    InventoryLog,
    InventoryReason,
    Order,
    OrderItem,
    Product,
)
from backoffice.models.figures import OrderFigures
from backoffice.resources import OrderItemResource, ProductResource
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

Status = DataJob.Status


@pytest.fixture(autouse=True)
def tiny_chunks(monkeypatch):
    monkeypatch.setattr(chunked, "CHUNK_ROWS", 3)


def start(resource_class, text: str, user=None, page="backoffice.Product") -> DataJob:
    """Upload and preview (the test settings run tasks where they are enqueued)."""
    job = imports.start_import(
        user=user,
        page_label=page,
        resource_class=resource_class,
        format_index=0,  # CSV
        file_name="file.csv",
        data=text.encode(),
    )
    job.refresh_from_db()
    return job


def apply(job: DataJob, mode=DataJob.ApplyMode.ALL_OR_NOTHING) -> DataJob:
    imports.confirm_import(job, mode)
    job.refresh_from_db()
    return job


def products_csv(rows) -> str:
    lines = ["name,sku,price,cost,stock_quantity,category,supplier"]
    lines += [
        f"{name},{sku},{price},{cost},{stock},Sports,{supplier}"
        for name, sku, price, cost, stock, supplier in rows
    ]
    return "\n".join(lines) + "\n"


def new_products(count: int, stock=lambda n: n % 3 * 10, base: int = 910000):
    from backoffice.models import Supplier

    supplier = Supplier.objects.order_by("pk").first().name
    return [
        (f"Chunk ball {n}", f"SP-{base + n}", "120.00", "60.00", stock(n), supplier)
        for n in range(count)
    ]


# --- ledgers ---------------------------------------------------------------------------


def test_created_products_get_their_opening_stock_rows_linked_to_the_import(seed):
    rows = new_products(8)
    job = apply(start(ProductResource, products_csv(rows), user=staff_user(is_superuser=True)))
    assert job.status == Status.SUCCEEDED, job.message
    record = job.import_record
    logged = {
        log.product.sku: log
        for log in InventoryLog.objects.filter(import_record=record).select_related("product")
    }
    stocked = {sku: stock for _, sku, _, _, stock, _ in rows if stock}
    assert {sku: log.change for sku, log in logged.items()} == stocked
    assert all(log.stock_after == log.change for log in logged.values())
    assert {log.reason for log in logged.values()} == {InventoryReason.IMPORT}
    for sku, stock in stocked.items():
        assert Product.objects.get(sku=sku).stock_quantity == stock


def test_a_stock_number_set_by_an_import_moves_through_the_ledger(seed):
    product = Product.objects.order_by("pk").first()
    before = product.stock_quantity
    job = apply(start(ProductResource, f"id,stock_quantity\n{product.pk},{before + 7}\n"))
    assert job.status == Status.SUCCEEDED, job.message
    log = InventoryLog.objects.get(import_record=job.import_record)
    assert (log.product_id, log.change, log.stock_after) == (product.pk, 7, before + 7)
    assert log.reason == InventoryReason.IMPORT


# --- rules across chunks ---------------------------------------------------------------


def test_a_repeated_key_in_a_later_chunk_refuses_the_file(seed):
    rows = new_products(5)
    rows[4] = ("Another name", rows[0][1], *rows[0][2:])  # line 6 repeats line 2's SKU
    job = start(ProductResource, products_csv(rows))
    assert job.status == Status.FAILED
    assert any(
        "Line 6 repeats line 2" in problem and rows[0][1] in problem
        for problem in job.report["problems"]
    )


def test_a_sku_taken_by_another_product_is_that_rows_error(seed):
    """Rows with ids of their own (new products): a SKU another product holds, and one an
    earlier chunk's row takes, are each that row's error, as the add page would say."""
    Product.objects.filter(pk=Product.objects.order_by("pk").first().pk).update(sku="SP-999999")
    rows = new_products(6)
    rows[3] = (rows[3][0], "SP-999999", *rows[3][2:])  # line 5: another product's
    rows[5] = (rows[5][0], rows[1][1], *rows[5][2:])  # line 7: line 3's, two chunks later
    text = "id," + products_csv(rows).replace("\n", "\n{id},").rstrip("{id},")
    text = "".join(
        line.replace("{id}", str(990000 + n)) + "\n" for n, line in enumerate(text.splitlines(), -1)
    )
    job = start(ProductResource, text)
    assert job.status == Status.PREVIEWED, job.report
    assert job.counts["error"] == 2
    assert [(line, column) for line, column, *_ in job.report["errors"]] == [(5, "sku"), (7, "sku")]
    assert "already exists" in job.report["errors"][0][3]
    assert "in this file (line 3)" in job.report["errors"][1][3]


def order_without_lines(total: str) -> Order:
    customer = Customer.objects.order_by("pk").first()
    return Order.objects.create(customer=customer, status="delivered", total_amount=total)


def test_lines_of_one_order_across_chunks_are_accepted_and_the_preview_counts_differing_orders(
    seed,
):
    """A historical order arrives with its lines: more lines than a chunk, for one order,
    are not refused as "already has lines" by the chunk after the first."""
    matching = order_without_lines("40.00")
    differing = order_without_lines("99.00")
    product = Product.objects.order_by("pk").first()
    lines = [(matching.pk, 1, "10.00")] * 4 + [(differing.pk, 2, "5.00")] * 2
    text = "order_id,product_id,quantity,price\n" + "".join(
        f"{order},{product.pk},{quantity},{price}\n" for order, quantity, price in lines
    )
    sums = {}
    for order, quantity, price in lines:
        sums[order] = sums.get(order, 0) + quantity * Decimal(price)
    will_differ = sum(
        1 for order, total in sums.items() if Order.objects.get(pk=order).total_amount != total
    )
    job = start(OrderItemResource, text, page="backoffice.OrderItem")
    assert job.status == Status.PREVIEWED, job.report
    assert job.counts["new"] == len(lines)
    assert any(
        note.startswith(f"{will_differ:,} of the {len(sums):,} orders this file gives lines will")
        for note in job.report["notes"]
    ), job.report["notes"]
    job = apply(job)
    assert job.status == Status.SUCCEEDED, job.message
    assert OrderItem.objects.filter(order=matching).count() == 4
    flags = dict(
        OrderFigures.objects.filter(order__in=[matching, differing]).values_list(
            "order_id", "total_differs"
        )
    )
    assert flags == {matching.pk: False, differing.pk: True}


def test_a_line_for_an_order_that_had_lines_is_still_refused(seed):
    order = OrderItem.objects.order_by("pk").first().order
    product = Product.objects.order_by("pk").first()
    text = "order_id,product_id,quantity,price\n" + f"{order.pk},{product.pk},1,1.00\n" * 4
    job = start(OrderItemResource, text, page="backoffice.OrderItem")
    assert job.counts["error"] == 4
    assert "already has lines" in job.report["errors"][0][3]


# --- history -----------------------------------------------------------------------------


def test_rows_of_small_files_get_admin_history_and_big_files_their_record(seed, settings):
    boss = staff_user(is_superuser=True)
    job = apply(start(ProductResource, products_csv(new_products(4)), user=boss))
    assert LogEntry.objects.filter(change_message__contains=f"job #{job.pk}").count() == 4
    settings.IMPORT_ROW_HISTORY_MAX_ROWS = 3
    rows = [(f"Big {name}", *rest) for name, *rest in new_products(4, base=920000)]
    job = apply(start(ProductResource, products_csv(rows), user=boss))
    assert job.status == Status.SUCCEEDED, job.message
    assert not LogEntry.objects.filter(change_message__contains=f"job #{job.pk}").exists()
    assert any("no admin history entry per row" in note for note in job.report["notes"])
    assert ImportRecord.objects.get(pk=job.import_record_id).rows_new == 4


# --- concurrency (PostgreSQL: real connections) ----------------------------------------


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_sale_made_while_an_import_runs_waits_and_is_not_lost(monkeypatch):
    from backoffice.services.seed import seed_data_load

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    seed_data_load()
    product = Product.objects.order_by("pk").first()
    stock, new_price = product.stock_quantity, product.price + 1
    job = start(ProductResource, f"id,price\n{product.pk},{new_price}\n")
    original = ProductResource.bulk_update_existing
    waited, sales = [], []

    def sell_meanwhile(self, manager, updated):
        done = threading.Event()

        def sell():
            try:
                Product.objects.filter(pk=product.pk).update(stock_quantity=F("stock_quantity") - 3)
            finally:
                connection.close()
                done.set()

        thread = threading.Thread(target=sell)
        thread.start()
        sales.append(thread)
        waited.append(not done.wait(1.0))  # the import holds the row: the sale waits
        original(self, manager, updated)

    monkeypatch.setattr(ProductResource, "bulk_update_existing", sell_meanwhile)
    job = apply(job)
    assert job.status == Status.SUCCEEDED, job.message
    for thread in sales:
        thread.join(10)
    product.refresh_from_db()
    assert waited == [True]
    assert product.price == new_price  # the import's
    assert product.stock_quantity == stock - 3  # the sale, after the import: not lost


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_rows_never_interleave():
    """Both previewed against the same prices; applied at once, one waits for the other
    (an advisory lock per table) and then finds its rows changed since its preview: it
    writes nothing. Every row ends with one file's price, never a mix."""
    from backoffice.services.seed import seed_data_load

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    seed_data_load()
    ids = list(Product.objects.order_by("pk").values_list("pk", flat=True)[:6])
    first = start(ProductResource, "id,price\n" + "".join(f"{pk},500.01\n" for pk in ids))
    second = start(ProductResource, "id,price\n" + "".join(f"{pk},600.02\n" for pk in ids))
    for job in (first, second):
        assert imports.claim_apply(job, DataJob.ApplyMode.ALL_OR_NOTHING)

    def run(job):
        try:
            imports.run_job.call(job.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    statuses = sorted(
        DataJob.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)
    )
    assert statuses == [Status.FAILED, Status.SUCCEEDED]
    failed = DataJob.objects.get(status=Status.FAILED, pk__in=[first.pk, second.pk])
    assert "changed since the preview" in failed.message
    prices = set(Product.objects.filter(pk__in=ids).values_list("price", flat=True))
    assert len(prices) == 1 and prices <= {Decimal("500.01"), Decimal("600.02")}


def test_a_preview_asks_the_database_the_same_number_of_times_for_3_rows_or_10(seed, monkeypatch):
    """Within a chunk, rows cost no query of their own: objects, keys, tags and uniqueness
    are each read once for the chunk."""
    from django.db import connection as default_connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(chunked, "CHUNK_ROWS", 100)
    products = list(Product.objects.order_by("pk").prefetch_related("tags"))
    assert len(products) >= 10

    def preview_queries(count: int) -> int:
        text = "id,name,price,tags\n" + "".join(
            f'{p.pk},{p.name},{p.price},"{", ".join(sorted(t.name for t in p.tags.all()))}"\n'
            for p in products[:count]
        )
        with CaptureQueriesContext(default_connection) as queries:
            job = start(ProductResource, text)
        assert job.status == Status.PREVIEWED, job.report
        assert job.counts["unchanged"] == count
        return len(queries)

    assert preview_queries(3) == preview_queries(10)
