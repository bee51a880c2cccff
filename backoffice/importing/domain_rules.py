"""The shop's rules (docs/design.md, "Domain rules") as an import must obey them.

An import is a second way into the same tables as the admin's forms, so it may not do what
the forms and services refuse. Each function returns ``(attribute, message)`` pairs for
``BackofficeResource.row_rules``; the message names the rule and where the change is made
instead. docs/import-export.md ("What an import may not change") explains the choices:

* an existing order's **status** is never changed by an import: a move has effects a row of a
  file can't express (the timeline, stock returned on cancellation, the delivery date), and
  the order page and the status actions do it through ``order_set_status``;
* an existing order's **charged total** and **delivery date** are never changed by an import
  (the order page doesn't edit them either; "Recalculate totals" fixes a total, with a preview);
  nor are its **charges** (shipping, tax, discount): they make up what the customer was
  charged, and the order page changes them (while the order is pending or processing) with
  the total that follows; a new order takes them, and its total, as the file says;
* an existing **order line** is never changed, and lines are added only to an order that had
  none before this import (a historical order arriving with its lines, which moves no stock,
  as docs/design.md says): a line changed or added behind the order page's back would move no
  stock, and a later cancellation would "return" stock that was never taken;
* a product's **stock** changes through the ledger (``ProductResource.do_instance_save``).

The order facts the rules need (status, whether an order had lines) are read once per import,
a few thousand orders per query (``OrderFacts``), never per row.
"""

from collections.abc import Iterable

from backoffice.importing.lookups import one_of
from backoffice.models import Order, OrderItem, OrderStatus
from backoffice.querysets.sales import CHARGE_FIELDS
from backoffice.services.order_status import ALLOWED_MOVES, is_move_allowed

CHUNK = 5000


def _label(status: str) -> str:
    try:
        return OrderStatus(status).label.lower()
    except ValueError:
        return str(status)


def order_rules(instance, stored: dict | None) -> list[tuple[str, str]]:
    """What an import may not change on an existing order."""
    if stored is None:
        return []  # a new (historical) order is taken as the file says
    problems = []
    before, after = stored["status"], instance.status
    if after != before:
        if is_move_allowed(before, after):
            how = (
                f"Move it with the order page or the list's status action, which writes the "
                f"timeline{' and returns the stock' if after == OrderStatus.CANCELLED else ''}"
                f"{' and sets the delivery date' if after == OrderStatus.DELIVERED else ''}."
            )
        else:
            allowed = ", ".join(_label(s) for s in sorted(ALLOWED_MOVES.get(before, ()))) or "none"
            how = (
                f"{_label(before)} → {_label(after)} is not an allowed move either "
                f"(from {_label(before)}: {allowed})."
            )
        problems.append(
            (
                "status",
                f"{instance} is {_label(before)}: an import doesn't change the status of an "
                f"existing order. {how}",
            )
        )
    if instance.total_amount != stored["total_amount"]:
        problems.append(
            (
                "total_amount",
                f"{instance} was charged {stored['total_amount']}: an import doesn't change the "
                f"charged total of an existing order (the file says {instance.total_amount}). "
                "Use the list's “Recalculate totals from items” action, which shows the change "
                "first.",
            )
        )
    for name in CHARGE_FIELDS:
        if getattr(instance, name) != stored[name]:
            label = Order._meta.get_field(name).verbose_name
            problems.append(
                (
                    name,
                    f"{instance}'s {label} is {stored[name]}: an import doesn't change the "
                    f"charges of an existing order (the file says {getattr(instance, name)}). "
                    "Change them on the order's page while it is pending or processing.",
                )
            )
    if instance.delivery_date != stored["delivery_date"]:
        problems.append(
            (
                "delivery_date",
                f"{instance}'s delivery date is set when it is delivered: an import doesn't "
                "change it on an existing order.",
            )
        )
    return problems


class OrderFacts:
    """Status of the orders an order-line file touches, and which of them already had lines
    before the import began (read in chunks, once per import)."""

    def __init__(self):
        self.status: dict[int, str] = {}
        self.with_lines: set[int] = set()
        self.order_of_line: dict[int, int] = {}

    def load(self, order_ids: Iterable[int], line_ids: Iterable[int]) -> "OrderFacts":
        line_ids = sorted(set(line_ids))
        for chunk in _chunks(line_ids):
            self.order_of_line.update(
                OrderItem.objects.filter(one_of("pk", chunk)).values_list("pk", "order_id")
            )
        orders = sorted(set(order_ids) | set(self.order_of_line.values()))
        for chunk in _chunks(orders):
            self.status.update(
                Order.objects.filter(one_of("pk", chunk)).values_list("pk", "status")
            )
            self.with_lines.update(
                OrderItem.objects.filter(one_of("order_id", chunk))
                .values_list("order_id", flat=True)
                .distinct()
            )
        return self


def _chunks(values: list):
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


LINE_FIELDS = (("order_id", "order"), ("product_id", "product"), ("quantity", "quantity"))


def order_item_rules(instance, stored: dict | None, facts: OrderFacts) -> list[tuple[str, str]]:
    """What an import may not change on order lines."""
    if stored is None:
        if instance.order_id in facts.with_lines:
            return [
                (
                    "order",
                    f"Order #{instance.order_id} already has lines: an import adds lines only "
                    "to an order that has none yet (a historical order with its lines). Add "
                    "lines on the order's page, where stock and the charged total follow.",
                )
            ]
        return []
    changed = [
        (attribute, attname)
        for attname, attribute in (*LINE_FIELDS, ("price", "price"))
        if getattr(instance, attname) != stored[attname]
    ]
    if not changed:
        return []
    order_id = stored["order_id"]
    status = facts.status.get(order_id)
    state = f", which is {_label(status)}" if status else ""
    rule = (
        f"Line #{instance.pk} belongs to Order #{order_id}{state}: an import doesn't change the "
        "lines of an existing order"
    )
    if status in (OrderStatus.DELIVERED, OrderStatus.CANCELLED, OrderStatus.SHIPPED):
        rule += f" (a {_label(status)} order's lines can't change at all)."
    else:
        rule += " (change them on the order's page, where stock and the charged total follow)."
    return [(attribute, rule) for attribute, _ in changed]
