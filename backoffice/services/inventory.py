"""Stock changes: the one place that moves ``Product.stock_quantity``.

Every change is atomic, takes row locks in primary-key order, refuses to take stock below zero,
changes the counter with ``F()`` and writes one ``InventoryLog`` row per change.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Now

from backoffice.cache import dashboard_changed
from backoffice.models import InventoryLog, InventoryReason, Product
from backoffice.services.edits import EditConflict
from backoffice.services.history import history_record_product_changes


@dataclass(frozen=True)
class StockChange:
    product_id: int
    change: int
    reason: InventoryReason
    note: str = ""


class StockError(Exception):
    """Stock cannot change as asked; ``refusals`` maps product id to a message for staff."""

    def __init__(self, refusals: dict[int, str]):
        self.refusals = refusals
        super().__init__("; ".join(refusals.values()))


def stock_apply_changes(
    changes: Iterable[StockChange], *, user=None, import_record=None
) -> dict[int, int]:
    """Apply signed stock changes all together or not at all; return the new stock per product.

    Rows are locked in a deterministic order (by primary key) so that concurrent calls touching
    the same products take the locks in the same order and can't deadlock. Several changes to
    one product are applied in the order given; if any would take its stock below zero, nothing
    changes and ``StockError`` says which products and why.
    """
    changes = [change for change in changes if change.change]
    if not changes:
        return {}
    product_ids = sorted({change.product_id for change in changes})
    with transaction.atomic():
        locked = {
            product.pk: product
            for product in Product.objects.select_for_update()
            .filter(pk__in=product_ids)
            .order_by("pk")
            .only("pk", "name", "stock_quantity")
        }
        missing = [pk for pk in product_ids if pk not in locked]
        if missing:
            raise StockError({pk: f"Product #{pk} no longer exists." for pk in missing})
        stock = {pk: product.stock_quantity for pk, product in locked.items()}
        logs, refusals = [], {}
        most = stock_column_maximum()
        for change in changes:
            after = stock[change.product_id] + change.change
            if after > most:
                product = locked[change.product_id]
                refusals[change.product_id] = (
                    f"{product.name}: stock would be {after}, above the most a stock count "
                    f"can hold ({most})."
                )
                continue
            if after < 0:
                product = locked[change.product_id]
                refusals[change.product_id] = (
                    f"{product.name}: only {stock[change.product_id]} in stock, "
                    f"{-change.change} asked."
                )
                continue
            stock[change.product_id] = after
            logs.append(
                InventoryLog(
                    product_id=change.product_id,
                    user=user,
                    change=change.change,
                    stock_after=after,
                    reason=change.reason,
                    note=change.note,
                    import_record=import_record,
                )
            )
        if refusals:
            raise StockError(refusals)
        for pk in product_ids:
            delta = stock[pk] - locked[pk].stock_quantity
            if delta:
                Product.objects.filter(pk=pk).update(
                    stock_quantity=F("stock_quantity") + delta, updated_at=Now()
                )
        InventoryLog.objects.bulk_create(logs)
        dashboard_changed()
    return stock


def stock_column_maximum() -> int:
    """The largest stock we keep: what the column holds on every database Django supports.

    PostgreSQL's integer stops at 2147483647 (past it, a DataError); SQLite's goes to 2**63-1,
    but totals over such counts would overflow there. Django documents 0..2147483647 as the
    range of a ``PositiveIntegerField`` that is safe everywhere, so both databases refuse alike.
    """
    field = Product._meta.get_field("stock_quantity")
    return min(connection.ops.integer_field_range(field.get_internal_type())[1], 2**31 - 1)


def _positive(quantity: int, what: str) -> None:
    if not isinstance(quantity, int) or quantity <= 0:
        raise ValidationError(f"The {what} must be a whole number above zero.")


def stock_restock(
    *, product_ids: Iterable[int], quantity: int, note: str, user=None
) -> dict[int, int]:
    """Add ``quantity`` units to each product (one ``restock`` log row each); the new stocks."""
    _positive(quantity, "quantity to add")
    changes = [
        StockChange(pk, quantity, InventoryReason.RESTOCK, note) for pk in sorted(set(product_ids))
    ]
    with transaction.atomic():
        stocks = stock_apply_changes(changes, user=user)
        history_record_product_changes(
            user=user,
            product_ids=stocks,
            message=lambda p: f"Restocked +{quantity}: stock now {stocks[p.pk]} (bulk action).",
        )
    return stocks


def stock_transfer(
    *, from_product_id: int, to_product_id: int, quantity: int, note: str = "", user=None
) -> dict[int, int]:
    """Move ``quantity`` units from one product to another; the new stock of both.

    Both changes and both log rows happen in one transaction, or nothing does (``StockError``
    when the source has fewer units). ``stock_apply_changes`` locks the two rows in primary-key
    order, whatever the direction, so two opposite transfers at once queue instead of
    deadlocking.
    """
    _positive(quantity, "quantity to transfer")
    if from_product_id == to_product_id:
        raise ValidationError("A product cannot transfer stock to itself.")
    names = dict(
        Product.objects.filter(pk__in=[from_product_id, to_product_id]).values_list("pk", "name")
    )
    suffix = f" {note}" if note else ""
    to_name = names.get(to_product_id, f"#{to_product_id}")
    from_name = names.get(from_product_id, f"#{from_product_id}")
    with transaction.atomic():
        stocks = stock_apply_changes(
            [
                StockChange(
                    from_product_id,
                    -quantity,
                    InventoryReason.TRANSFER_OUT,
                    f"To {to_name}.{suffix}",
                ),
                StockChange(
                    to_product_id,
                    quantity,
                    InventoryReason.TRANSFER_IN,
                    f"From {from_name}.{suffix}",
                ),
            ],
            user=user,
        )
        moved = {
            from_product_id: f"−{quantity} to {to_name}",
            to_product_id: f"+{quantity} from {from_name}",
        }
        history_record_product_changes(
            user=user,
            product_ids=stocks,
            message=lambda p: f"Stock {moved[p.pk]}: now {stocks[p.pk]} (transfer action).",
        )
    return stocks


def stock_set(
    *,
    product_id: int,
    quantity: int,
    note: str = "",
    user=None,
    reason: InventoryReason = InventoryReason.ADJUSTMENT,
    import_record=None,
    seen: int | None = None,
) -> int:
    """Set a product's stock to ``quantity`` (a manual count, an imported file); log the
    difference with ``reason`` (an adjustment unless said otherwise) and the import record.

    The difference is taken against the stock read under the row lock, so a sale recorded
    between the staff member opening the form and saving it is not lost from the log. With
    ``seen`` (the stock the staff member's page showed), the change is refused with
    ``EditConflict`` on the stock field if the stock moved since: the number typed was meant
    for a stock that is no longer there.
    """
    if not isinstance(quantity, int) or quantity < 0:
        raise ValidationError("Stock cannot be negative.")
    with transaction.atomic():
        current = (
            Product.objects.select_for_update()
            .values_list("stock_quantity", flat=True)
            .get(pk=product_id)
        )
        if seen is not None and current != seen and quantity != current:
            raise EditConflict(
                Product,
                product_id,
                f"Stock changed from {seen} to {current} since you opened this page "
                f"({stock_moves_since(product_id, current - seen)}); check and save again.",
                field="stock_quantity",
            )
        if quantity != current:
            stock_apply_changes(
                [StockChange(product_id, quantity - current, reason, note)],
                user=user,
                import_record=import_record,
            )
    return quantity


def stock_moves_since(product_id: int, moved: int, *, limit: int = 10) -> str:
    """The latest log rows that add up to ``moved`` units, as staff read them ("a sale of 7").

    Reads at most ``limit`` rows (one indexed query); falls back to the net change.
    """
    described, total = [], 0
    for change, reason in (
        InventoryLog.objects.filter(product_id=product_id)
        .order_by("-id")
        .values_list("change", "reason")[:limit]
    ):
        total += change
        label = InventoryReason(reason).label.lower()
        described.append(
            f"a sale of {-change}" if reason == InventoryReason.SALE else f"{label} {change:+d}"
        )
        if total == moved:
            return ", ".join(reversed(described))
    return f"{moved:+d} units"
