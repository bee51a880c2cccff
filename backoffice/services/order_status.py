"""Order status moves: docs/design.md's life cycle, the timeline, and the stock a cancellation
returns.

Like every order write, a move locks the order row first (``lock_orders``, by primary key) and
only then the product rows (inside ``stock_apply_changes``), so it queues behind a concurrent
change of the same order instead of deadlocking with it.
"""

from collections import Counter
from dataclasses import dataclass

from django.utils import timezone

from backoffice.figures import collecting
from backoffice.models import InventoryReason, Order, OrderStatus, OrderStatusChange
from backoffice.services.history import history_record_changes
from backoffice.services.inventory import StockChange, StockError, stock_apply_changes

# docs/design.md: pending -> processing -> shipped -> delivered; any state but delivered -> cancelled.
ALLOWED_MOVES: dict[str, frozenset[str]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.PROCESSING, OrderStatus.CANCELLED}),
    OrderStatus.PROCESSING: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED, OrderStatus.CANCELLED}),
    OrderStatus.DELIVERED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}
# Lines can be changed until the parcel leaves: after that, stock and goods have parted ways.
LINES_EDITABLE_STATUSES = frozenset({OrderStatus.PENDING, OrderStatus.PROCESSING})


class OrderError(Exception):
    """An order write was refused; the message is for staff."""


class OrderStatusError(OrderError):
    """A status move that docs/design.md does not allow (or that can't happen now)."""


def is_move_allowed(from_status: str, to_status: str) -> bool:
    return to_status in ALLOWED_MOVES.get(from_status, frozenset())


def order_set_status(*, order: Order, to_status: str, user=None, note: str = "") -> Order:
    """Move one order to ``to_status`` if docs/design.md allows it; raise ``OrderStatusError`` if not.

    Delivering sets the delivery date; cancelling returns the stock of the lines (logged).
    """
    with collecting():  # kept figures recomputed at the end
        current = lock_orders([order.pk])[order.pk]
        from_status = current.status
        if from_status == to_status:
            raise OrderStatusError(f"{current} is already {current.get_status_display().lower()}.")
        now = timezone.now()
        status_move_check(current, to_status, now)
        if to_status == OrderStatus.DELIVERED:
            current.delivery_date = now
        if to_status == OrderStatus.CANCELLED:
            returned = Counter()
            for item in current.items.order_by("pk"):
                returned[item.product_id] += item.quantity
            stock_apply_changes(
                [
                    StockChange(pk, units, InventoryReason.CANCELLATION, f"{current} cancelled")
                    for pk, units in sorted(returned.items())
                ],
                user=user,
            )
        current.status = to_status
        current.edit_version += 1  # under the row lock: pages open on this order are stale
        current.save(update_fields=["status", "delivery_date", "edit_version"])
        record_status(current, from_status, to_status, user, note)
    order.status, order.delivery_date = current.status, current.delivery_date
    order.edit_version = current.edit_version
    return current


def status_move_check(current: Order, to_status: str, now=None) -> None:
    """Raise ``OrderStatusError`` unless ``current`` (the locked row) may become ``to_status``
    now: docs/design.md's moves, and no delivery of an order dated in the future."""
    if not is_move_allowed(current.status, to_status):
        raise OrderStatusError(
            f"{current} is {current.get_status_display().lower()}: it cannot become "
            f"{OrderStatus(to_status).label.lower()} (allowed: {_allowed_text(current.status)})."
        )
    if to_status == OrderStatus.DELIVERED and (now or timezone.now()) < current.order_date:
        raise OrderStatusError(f"{current} is dated in the future; it can't be delivered.")


@dataclass(frozen=True)
class Outcome:
    order_id: int
    done: bool
    message: str


def orders_set_status(*, order_ids, to_status: str, user=None) -> list[Outcome]:
    """Move each order on its own (one refusal does not undo the others), in id order."""
    outcomes = []
    label = OrderStatus(to_status).label.lower()
    for order in Order.objects.filter(pk__in=order_ids).order_by("pk"):
        before = OrderStatus(order.status).label
        try:
            with collecting():  # kept figures recomputed at the end
                order_set_status(order=order, to_status=to_status, user=user)
                history_record_changes(
                    user=user,
                    objects=[order],
                    message=f"Status: {before} → {OrderStatus(to_status).label} (bulk action).",
                )
        except (OrderStatusError, StockError) as refusal:
            outcomes.append(Outcome(order.pk, False, str(refusal)))
        else:
            outcomes.append(Outcome(order.pk, True, f"{order} is now {label}."))
    return outcomes


def lock_orders(order_ids) -> dict[int, Order]:
    """Lock these orders, in id order (the first lock every order write takes)."""
    locked = {
        order.pk: order
        for order in Order.objects.select_for_update().filter(pk__in=order_ids).order_by("pk")
    }
    missing = set(order_ids) - locked.keys()
    if missing:
        raise OrderError(f"Order #{min(missing)} no longer exists.")
    return locked


def record_status(order, from_status, to_status, user, note) -> None:
    OrderStatusChange.objects.create(
        order=order, from_status=from_status, to_status=to_status, user=user, note=note
    )


def _allowed_text(from_status) -> str:
    allowed = sorted(ALLOWED_MOVES.get(from_status, ()))
    return ", ".join(OrderStatus(s).label.lower() for s in allowed) or "none"
