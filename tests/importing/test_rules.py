"""Issue 9, point 2: an import obeys the order and stock rules the admin's forms obey.

Each reproduction of the issue runs through the admin's Import page (preview, then confirm)
as a staff member who has only the import permissions (add + change) of the model, and the
seed loader and bulk mode are held to the same rules.
"""

import json
import shutil

import pytest

from backoffice.importing.bulk import import_in_bulk
from backoffice.importing.formats import CSV
from backoffice.models import (
    ImportRecord,
    InventoryLog,
    InventoryReason,
    Order,
    OrderItem,
    OrderStatus,
    OrderStatusChange,
    Product,
)
from backoffice.resources import OrderResource, ProductResource
from backoffice.services.order_status import order_set_status
from backoffice.services.seed import SEED_DIR, SeedDataError, seed_data_load
from tests.factories import staff_user
from tests.importing.conftest import applied, confirm, upload
from tests.importing.snapshots import table_snapshot

ORDER_IMPORT = ("backoffice.add_order", "backoffice.change_order")
ITEM_IMPORT = ("backoffice.add_orderitem", "backoffice.change_orderitem")
PRODUCT_IMPORT = ("backoffice.add_product", "backoffice.change_product")


@pytest.fixture
def importer(seed, client, django_user_model):
    """Staff with only the import permissions of orders, order lines and products."""
    user = staff_user(*ORDER_IMPORT, *ITEM_IMPORT, *PRODUCT_IMPORT, username="importer")
    client.force_login(user)
    client.user = user
    return client


def order_with(status) -> Order:
    return Order.objects.filter(status=status, items__isnull=False).order_by("pk").first()


def refused(response) -> list[tuple[int, str, str]]:
    """(line, column, message) of each row problem; asserts there is no Confirm button."""
    assert response.status_code == 200
    report = response.context["report"]
    assert not report.ok
    assert "confirm_form" not in response.context
    return [(row.line, p.column, p.message) for row in report.error_rows for p in row.problems]


def nothing_changed(before):
    assert table_snapshot(with_history=False) == before
    assert not InventoryLog.objects.exists()
    assert not OrderStatusChange.objects.exists()


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [
        (OrderStatus.DELIVERED, OrderStatus.PENDING),  # the issue's `3,pending`
        (OrderStatus.PENDING, OrderStatus.DELIVERED),  # skipping the steps
        (OrderStatus.PENDING, OrderStatus.CANCELLED),  # allowed move, but stock must come back
        (OrderStatus.SHIPPED, OrderStatus.DELIVERED),  # allowed move, but the timeline...
    ],
)
def test_an_import_does_not_change_an_existing_orders_status(importer, from_status, to_status):
    order = order_with(from_status)
    before = table_snapshot(with_history=False)
    response = upload(importer, "order", "o.csv", f"id,status\n{order.pk},{to_status}\n")
    [(line, column, message)] = refused(response)
    assert (line, column) == (2, "status")
    assert "doesn't change the status of an existing order" in message
    assert f"Order #{order.pk} is {from_status}" in message
    nothing_changed(before)
    assert Order.objects.get(pk=order.pk).status == from_status


def test_the_refusal_says_whether_the_move_would_be_allowed_at_all(importer):
    delivered, pending = order_with(OrderStatus.DELIVERED), order_with(OrderStatus.PENDING)
    text = f"id,status\n{delivered.pk},pending\n{pending.pk},processing\n"
    problems = refused(upload(importer, "order", "o.csv", text))
    assert "not an allowed move" in problems[0][2]
    assert "status action" in problems[1][2]


def test_an_import_does_not_change_a_charged_total(importer):
    order = order_with(OrderStatus.PROCESSING)
    charged = order.total_amount
    before = table_snapshot(with_history=False)
    response = upload(importer, "order", "o.csv", f"id,total_amount\n{order.pk},{charged + 1}\n")
    [(line, column, message)] = refused(response)
    assert (line, column) == (2, "total_amount")
    assert f"was charged {charged}" in message
    nothing_changed(before)


def test_a_line_of_a_delivered_order_cannot_change_so_the_5000_units_trick_fails(importer):
    """The issue: `id,quantity` / `6,5000` on a delivered order's line, then a cancellation,
    turned 50 units into 5,050 through a "cancellation +5000" log row."""
    order = order_with(OrderStatus.DELIVERED)
    line = order.items.order_by("pk").first()
    stock = Product.objects.get(pk=line.product_id).stock_quantity
    before = table_snapshot(with_history=False)
    response = upload(importer, "orderitem", "i.csv", f"id,quantity\n{line.pk},5000\n")
    [(line_number, column, message)] = refused(response)
    assert (line_number, column) == (2, "quantity")
    assert f"belongs to Order #{order.pk}, which is delivered" in message
    nothing_changed(before)
    assert OrderItem.objects.get(pk=line.pk).quantity == line.quantity
    assert Product.objects.get(pk=line.product_id).stock_quantity == stock


def test_a_line_of_an_open_order_is_not_changed_behind_the_order_page(importer):
    order = order_with(OrderStatus.PENDING)
    line = order.items.order_by("pk").first()
    before = table_snapshot(with_history=False)
    text = f"id,quantity,price\n{line.pk},{line.quantity + 4},{line.price + 1}\n"
    problems = refused(upload(importer, "orderitem", "i.csv", text))
    assert [(p[0], p[1]) for p in problems] == [(2, "quantity"), (2, "price")]
    assert all("order's page" in p[2] for p in problems)
    nothing_changed(before)
    # then cancelling the order returns exactly what its lines hold, no more
    stock = Product.objects.get(pk=line.product_id).stock_quantity
    order_set_status(order=order, to_status=OrderStatus.CANCELLED)
    returned = sum(i.quantity for i in order.items.filter(product_id=line.product_id))
    assert Product.objects.get(pk=line.product_id).stock_quantity == stock + returned


def test_lines_are_added_only_to_an_order_that_has_none(importer):
    with_lines = order_with(OrderStatus.PENDING)
    product = Product.objects.order_by("pk").first()
    text = f"order_id,product_id,quantity,price\n{with_lines.pk},{product.pk},9,1.00\n"
    [(_, column, message)] = refused(upload(importer, "orderitem", "i.csv", text))
    assert column == "order_id"
    assert "already has lines" in message
    # a historical order arriving with its lines: accepted, and it moves no stock
    empty = Order.objects.create(customer=with_lines.customer, status=OrderStatus.DELIVERED)
    text = (
        "order_id,product_id,quantity,price\n"
        f"{empty.pk},{product.pk},2,1.00\n{empty.pk},{product.pk},3,1.00\n"
    )
    preview = upload(importer, "orderitem", "i.csv", text)
    assert preview.context["report"].ok, preview.context["report"].error_rows
    assert applied(confirm(importer, "orderitem", preview))
    assert empty.items.count() == 2
    assert Product.objects.get(pk=product.pk).stock_quantity == product.stock_quantity
    assert not InventoryLog.objects.exists()


def test_a_product_stock_change_is_logged_with_reason_import_and_its_record(importer):
    """The issue: a product import changing stock from 25 to 999 wrote no log row."""
    product = Product.objects.order_by("pk").first()
    wanted = product.stock_quantity + 974
    preview = upload(
        importer, "product", "stock.csv", f"id,stock_quantity\n{product.pk},{wanted}\n"
    )
    assert preview.context["report"].ok
    assert not InventoryLog.objects.exists()  # the preview writes nothing
    assert applied(confirm(importer, "product", preview))
    record = ImportRecord.objects.get()
    assert record.outcome == ImportRecord.Outcome.APPLIED
    assert (record.rows_updated, record.file_name) == (1, "stock.csv")
    log = InventoryLog.objects.get()
    assert (log.product_id, log.change, log.stock_after) == (
        product.pk,
        wanted - product.stock_quantity,
        wanted,
    )
    assert log.reason == InventoryReason.IMPORT
    assert log.import_record == record
    assert log.user == importer.user
    assert Product.objects.get(pk=product.pk).stock_quantity == wanted


def test_a_failed_confirm_leaves_no_applied_record_and_no_log(importer):
    product = Product.objects.order_by("pk").first()
    preview = upload(importer, "product", "s.csv", f"id,stock_quantity\n{product.pk},999\n")
    Product.objects.filter(pk=product.pk).update(stock_quantity=1)  # a sale meanwhile
    response = confirm(importer, "product", preview)
    assert response.status_code == 200
    assert list(ImportRecord.objects.values_list("outcome", flat=True)) == ["failed"]
    assert not InventoryLog.objects.exists()


def test_an_unchanged_export_still_imports_as_a_no_op(importer):
    rows = OrderResource().export()
    before = table_snapshot(with_history=False)
    preview = upload(importer, "order", "o.csv", rows.csv)
    report = preview.context["report"]
    assert report.ok and {r.kind for r in report.rows} == {"unchanged"}
    confirm(importer, "order", preview)
    nothing_changed(before)


# --- the same rules in load_seed_data and in bulk mode -----------------------------------------


@pytest.fixture
def seed_copy(tmp_path):
    directory = tmp_path / "seed"
    shutil.copytree(SEED_DIR, directory)
    return directory


def edit_seed(directory, name, row_id, **values):
    path = directory / name
    rows = json.loads(path.read_text())
    for row in rows:
        if row["id"] == row_id:
            row.update(values)
    path.write_text(json.dumps(rows))


def test_load_seed_data_obeys_the_order_rules(seed, seed_copy):
    order = order_with(OrderStatus.DELIVERED)
    line = order.items.order_by("pk").first()
    edit_seed(seed_copy, "orders.json", order.pk, status="pending")
    edit_seed(seed_copy, "order_items.json", line.pk, quantity=5000)
    before = table_snapshot(with_history=False)
    with pytest.raises(SeedDataError) as refusal:
        seed_data_load(directory=seed_copy)
    assert f"orders.json: row {order.pk} (id {order.pk}), field 'status'" in str(refusal.value)
    assert table_snapshot(with_history=False) == before


def test_load_seed_data_logs_a_stock_change(seed, seed_copy):
    product = Product.objects.order_by("pk").first()
    edit_seed(seed_copy, "products.json", product.pk, stock_quantity=999)
    seed_data_load(directory=seed_copy)
    log = InventoryLog.objects.get()
    assert (log.change, log.reason, log.import_record) == (
        999 - product.stock_quantity,
        InventoryReason.IMPORT,
        None,
    )


def test_a_fresh_seed_load_writes_no_stock_log(seed):
    # opening stock of new products and historical orders move nothing
    assert not InventoryLog.objects.exists()
    assert not OrderStatusChange.objects.exists()


def test_bulk_mode_refuses_stock_and_status_changes(seed):
    product = Product.objects.order_by("pk").first()
    outcome = import_in_bulk(
        ProductResource, CSV(), f"id,stock_quantity\n{product.pk},999\n".encode()
    )
    assert not outcome.applied
    assert "stock ledger" in outcome.problems[0]
    order = order_with(OrderStatus.DELIVERED)
    outcome = import_in_bulk(OrderResource, CSV(), f"id,status\n{order.pk},pending\n".encode())
    assert not outcome.applied
    assert "Line 2, status" in outcome.problems[0]
    assert Product.objects.get(pk=product.pk).stock_quantity == product.stock_quantity
    assert Order.objects.get(pk=order.pk).status == OrderStatus.DELIVERED
    assert not InventoryLog.objects.exists()
