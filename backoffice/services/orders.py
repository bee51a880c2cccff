"""Order writes: placing orders, changing their lines, moving their status, fixing totals.

Every function here is atomic and takes its row locks in one fixed order: the order rows first
(by primary key), then the product rows (by primary key, inside ``stock_apply_changes``). Two
staff members working on the same order or the same products at once therefore wait for each
other instead of deadlocking, and the second one sees what the first one wrote.

Stock moves only through ``stock_apply_changes``: placing an order takes stock, changing or
removing a line gives or takes the difference, cancelling returns the stock of every line; each
change writes an ``InventoryLog`` row with the user who made it.
"""

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from backoffice.cache import dashboard_changed
from backoffice.figures import collecting
from backoffice.models import (
    InventoryReason,
    Order,
    OrderItem,
    OrderStatus,
    Product,
)
from backoffice.querysets.expressions import CENT
from backoffice.querysets.sales import CHARGE_FIELDS
from backoffice.services.edits import EDIT_BUMP, EditConflict, edit_version_check
from backoffice.services.history import history_record_changes
from backoffice.services.inventory import StockChange, StockError, stock_apply_changes
from backoffice.services.order_status import (
    ALLOWED_MOVES,
    LINES_EDITABLE_STATUSES,
    OrderError,
    OrderStatusError,
    Outcome,
    is_move_allowed,
    lock_orders,
    order_set_status,
    orders_set_status,
    record_status,
    status_move_check,
)

# Status moves live in order_status; they are re-exported so that callers need one module.
__all__ = [
    "ALLOWED_MOVES",
    "EditConflict",
    "LINES_EDITABLE_STATUSES",
    "OrderError",
    "OrderLine",
    "CHARGES_EDITABLE_STATUSES",
    "OrderChargesError",
    "OrderLinesError",
    "OrderSaveResult",
    "OrderStatusError",
    "Outcome",
    "TotalFix",
    "is_move_allowed",
    "order_create",
    "order_recalculate_total",
    "order_save_with_items",
    "order_set_status",
    "order_stock_refusals",
    "orders_recalculate_totals",
    "orders_set_status",
]


class OrderLinesError(OrderError):
    """The order's lines cannot be changed as asked."""


class OrderChargesError(OrderError):
    """The order's charges (shipping, tax, discount) cannot be changed as asked."""


# The charges change on the order page while the lines may (until the parcel leaves).
CHARGES_EDITABLE_STATUSES = LINES_EDITABLE_STATUSES


@dataclass(frozen=True)
class OrderLine:
    """One line as staff want it. ``item_id`` names an existing line; ``price`` None means the
    product's current price."""

    product_id: int
    quantity: int
    price: Decimal | None = None
    item_id: int | None = None


@dataclass
class OrderSaveResult:
    order: Order
    created: list[OrderItem] = field(default_factory=list)
    changed: list[tuple[OrderItem, list[str]]] = field(default_factory=list)
    deleted: list[OrderItem] = field(default_factory=list)
    kept: list[OrderItem] = field(default_factory=list)  # existing lines that stay (as changed)

    @property
    def lines_changed(self) -> bool:
        return bool(self.created or self.changed or self.deleted)


def order_create(*, customer, lines: list[OrderLine], user=None, order_date=None) -> Order:
    """Place a pending order with these lines: takes their stock, total = sum of the lines."""
    order = Order(customer=customer, order_date=order_date or timezone.now())
    return order_save_with_items(order=order, lines=lines, user=user).order


def order_save_with_items(
    *,
    order: Order,
    lines: list[OrderLine] | None,
    user=None,
    seen_version: int | None = None,
    to_status: str | None = None,
) -> OrderSaveResult:
    """Save ``order`` (new or existing) with exactly ``lines`` (None: leave the lines alone),
    then move it to ``to_status`` (None, or its current status: no move).

    The order's own editable fields (customer, order date, and its charges: shipping, tax,
    discount) are taken from ``order``; its status, delivery date and total are not: the status
    moves only as ``to_status`` asks (through ``order_set_status``), and the total is what the
    lines and charges come to (``Order.charged_for``) whenever either changes (or the order is
    new). An unchanged order keeps what the customer was charged. The charges change only
    while the order is pending or processing, and the discount is at most the items, shipping
    and tax together (``OrderChargesError``).

    Everything is decided before anything is written, under the row locks: the order (and its
    lines) first, then the products. Saving an existing order counts as an edit
    (``edit_version`` + 1); with ``seen_version`` (the version the staff member's page was
    opened at) it is refused with ``EditConflict`` if anyone edited the order or its lines
    since, so of two saves from pages opened at the same version only one goes through. The
    other refusals are ``OrderLinesError``, ``OrderStatusError`` and ``StockError`` (per
    product); on any of them nothing is written and ``order`` is left as it was passed.
    """
    with collecting():  # kept figures recomputed at the end
        adding = order._state.adding
        # 1. Lock the order and its lines; refuse a page opened before someone else's edit.
        current, existing = None, {}
        if not adding:
            current = lock_orders([order.pk])[order.pk]
            if seen_version is not None:
                edit_version_check(
                    current=current.edit_version, seen=seen_version, model=Order, pk=order.pk
                )
            existing = {item.pk: item for item in order.items.select_for_update().order_by("pk")}
        # 2. Decide: the lines, whether they may change, the status move, the stock.
        before = _quantities(existing.values())  # before planning changes the items
        result = OrderSaveResult(order=order)
        if lines is None:
            result.kept = list(existing.values())
        else:
            _plan_lines(result, existing, lines)
        if result.lines_changed and not adding and current.status not in LINES_EDITABLE_STATUSES:
            raise OrderLinesError(
                f"The lines of a {current.get_status_display().lower()} order cannot change."
            )
        charges_changed = not adding and _charges(order) != _charges(current)
        if charges_changed and current.status not in CHARGES_EDITABLE_STATUSES:
            raise OrderChargesError(
                f"The shipping, tax and discount of a {current.get_status_display().lower()} "
                "order cannot change: only while it is pending or processing."
            )
        new_total = None
        if adding or result.lines_changed or charges_changed:
            new_total = _charge_check(order, _lines_total(result.kept + result.created))
        moving = to_status is not None and not adding and to_status != current.status
        if moving:
            status_move_check(current, to_status)
        _refuse_missing_stock(_stock_changes(order, before, result, adding))
        # 3. Write: the order, its stock, its lines, its total, then the status move.
        if adding:
            order.status = OrderStatus.PENDING
            order.delivery_date = None
            order.total_amount = Decimal("0.00")
            order.full_clean()
            order.save()
            record_status(order, "", OrderStatus.PENDING, user, "Order placed")
        else:
            order.edit_version = current.edit_version + 1
            order.status = current.status
            order.delivery_date = current.delivery_date
            order.total_amount = current.total_amount
        stock_apply_changes(_stock_changes(order, before, result, adding), user=user)
        _write_lines(order, result)
        if new_total is not None:
            order.total_amount = new_total
        if not adding:
            order.full_clean()
        order.save()
        if moving:
            order_set_status(order=order, to_status=to_status, user=user)
    return result


def order_stock_refusals(*, order: Order, lines: list[OrderLine]) -> dict[int, str]:
    """What ``order_save_with_items`` would refuse for lack of stock: {product id: message}.

    Meant for form validation inside the caller's transaction (so a page shows every problem
    at once): the order and product rows stay locked until that transaction ends, so the save
    that follows sees the same stock.
    """
    with transaction.atomic():
        adding = order._state.adding
        existing = {}
        if not adding:
            lock_orders([order.pk])
            existing = {item.pk: item for item in order.items.select_for_update().order_by("pk")}
        before = _quantities(existing.values())
        result = OrderSaveResult(order=order)
        try:
            _plan_lines(result, existing, lines)
        except OrderLinesError:
            return {}  # the save will refuse it with its own message
        return _stock_refusals(_stock_changes(order, before, result, adding))


@dataclass(frozen=True)
class TotalFix:
    order_id: int
    old_total: Decimal
    new_total: Decimal


def orders_recalculate_totals(*, order_ids, user=None) -> list[TotalFix]:
    """Set the total of each order whose total differs from what its lines and charges come
    to (items + shipping + tax − discount, ``charged_for``) to that.

    The orders are locked first (in id order), so no line changes between reading the sum
    and writing the total. Returns one entry per order that changed.
    """
    fixes = []
    with collecting():  # kept figures recomputed at the end
        lock_orders(order_ids)
        differing = (
            Order.objects.filter(pk__in=order_ids)
            .with_line_figures()  # from the lines themselves: kept figures may lag in a write
            .filter(total_differs=True)
            .filter(charge_for_items__gte=0)  # a discount above the rest: no total to set
            .order_by("pk")
        )
        for order in differing:
            fixes.append(TotalFix(order.pk, order.total_amount, order.charge_for_items))
            Order.objects.filter(pk=order.pk).update(
                total_amount=order.charge_for_items, edit_version=EDIT_BUMP
            )
        old_totals = {fix.order_id: fix.old_total for fix in fixes}
        history_record_changes(
            user=user,
            objects=Order.objects.filter(pk__in=old_totals)
            .order_by("pk")
            .only("pk", "total_amount"),
            message=lambda order: (
                f"Total {old_totals[order.pk]} → {order.total_amount} "
                "(recalculated from its items and charges, bulk action)."
            ),
        )
        if fixes:
            dashboard_changed()
    return fixes


def order_recalculate_total(*, order: Order) -> TotalFix | None:
    """One order's total set to what its lines and charges come to; None when it already
    matched."""
    fixes = orders_recalculate_totals(order_ids=[order.pk])
    if fixes:
        order.total_amount = fixes[0].new_total
    return fixes[0] if fixes else None


# --- helpers ---------------------------------------------------------------------------------


def _plan_lines(result: OrderSaveResult, existing: dict[int, OrderItem], lines) -> None:
    """Sort the wanted lines into created / changed / deleted items (nothing written yet)."""
    prices = _current_prices({line.product_id for line in lines})
    seen = set()
    for line in lines:
        if line.quantity < 1:
            raise OrderLinesError("The quantity must be at least 1.")
        if line.product_id not in prices:
            raise OrderLinesError(f"Product #{line.product_id} does not exist.")
        price = prices[line.product_id] if line.price is None else line.price
        if line.item_id is None:
            result.created.append(
                OrderItem(
                    order=result.order,
                    product_id=line.product_id,
                    quantity=line.quantity,
                    price=price,
                )
            )
            continue
        item = existing.get(line.item_id)
        if item is None:
            raise OrderLinesError(f"Line #{line.item_id} is not a line of {result.order}.")
        seen.add(item.pk)
        changes = {
            name: value
            for name, value in (
                ("product_id", line.product_id),
                ("quantity", line.quantity),
                ("price", price),
            )
            if getattr(item, name) != value
        }
        if changes:
            for name, value in changes.items():
                setattr(item, name, value)
            result.changed.append((item, [name.removesuffix("_id") for name in changes]))
        result.kept.append(item)
    result.deleted.extend(item for pk, item in existing.items() if pk not in seen)


def _stock_refusals(changes: list[StockChange]) -> dict[int, str]:
    """The products these changes would take below zero (locked, by primary key)."""
    needs = Counter()
    for change in changes:
        needs[change.product_id] -= change.change
    takes = sorted(pk for pk, units in needs.items() if units > 0)
    products = Product.objects.select_for_update().filter(pk__in=takes).order_by("pk")
    return {
        product.pk: (
            f"{product.name}: only {product.stock_quantity} in stock, {needs[product.pk]} asked."
        )
        for product in products
        if product.stock_quantity < needs[product.pk]
    }


def _refuse_missing_stock(changes: list[StockChange]) -> None:
    refusals = _stock_refusals(changes)
    if refusals:
        raise StockError(refusals)


def _current_prices(product_ids) -> dict[int, Decimal]:
    return dict(Product.objects.filter(pk__in=product_ids).values_list("pk", "price"))


def _quantities(items) -> Counter:
    quantities = Counter()
    for item in items:
        quantities[item.product_id] += item.quantity
    return quantities


def _stock_changes(order, before: Counter, result: OrderSaveResult, adding) -> list[StockChange]:
    """The stock each product gives (+) or takes (-): old quantities minus new ones."""
    after = _quantities(result.kept + result.created)
    reason = InventoryReason.SALE if adding else InventoryReason.ORDER_CHANGE
    note = f"{order} placed" if adding else f"{order} lines changed"
    return [
        StockChange(pk, before[pk] - after[pk], reason, note)
        for pk in sorted(before.keys() | after.keys())
        if before[pk] != after[pk]
    ]


def _write_lines(order, result: OrderSaveResult) -> None:
    for item in result.deleted:
        item.delete()
    for item, fields in result.changed:
        item.save(update_fields=[{"product": "product_id"}.get(name, name) for name in fields])
    for item in result.created:
        item.order = order
        item.save()


def _charges(order) -> tuple:
    return tuple(getattr(order, name) for name in CHARGE_FIELDS)


def _charge_check(order, items_total: Decimal) -> Decimal:
    """What ``order`` is charged for these items, refused when its discount is more than the
    items, shipping and tax together (the charge would be negative)."""
    for name, value in zip(CHARGE_FIELDS, _charges(order), strict=True):
        if value is None or value < 0:
            label = Order._meta.get_field(name).verbose_name
            raise OrderChargesError(f"The {label} cannot be negative.")
    charge = order.charged_for(items_total)
    if charge < 0:
        raise OrderChargesError(
            f"The discount ({order.discount_amount}) is more than the items, shipping and tax "
            f"together ({charge + order.discount_amount})."
        )
    return charge


def _lines_total(items) -> Decimal:
    return sum((item.price * item.quantity for item in items), Decimal("0.00")).quantize(CENT)
