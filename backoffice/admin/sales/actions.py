"""Order list actions: status moves and the total recalculation.

Each action needs the "change order" permission, goes through ``backoffice.services.orders``,
and reports per order what was done and what was refused and why. Cancelling (it returns stock)
and recalculating (it changes what the customer was charged) ask for confirmation first, on the
shared action page; the recalculation's page previews every old -> new total.
"""

from django.contrib import admin, messages

from backoffice.admin.common.action_pages import action_page
from backoffice.admin.common.messages import count_of
from backoffice.models import Order, OrderStatus
from backoffice.services.orders import orders_recalculate_totals, orders_set_status


def _selected_ids(queryset) -> list[int]:
    return list(queryset.order_by("pk").values_list("pk", flat=True))


def _report_status(modeladmin, request, to_status, outcomes) -> None:
    done = [outcome for outcome in outcomes if outcome.done]
    if done:
        names = ", ".join(f"#{outcome.order_id}" for outcome in done)
        label = OrderStatus(to_status).label.lower()
        modeladmin.message_user(
            request,
            f"{count_of(len(done), Order)} marked {label}: {names}.",
            messages.SUCCESS,
        )
    for outcome in outcomes:
        if not outcome.done:
            modeladmin.message_user(request, f"Refused: {outcome.message}", messages.WARNING)


def _set_status(modeladmin, request, queryset, to_status) -> None:
    outcomes = orders_set_status(
        order_ids=_selected_ids(queryset), to_status=to_status, user=request.user
    )
    _report_status(modeladmin, request, to_status, outcomes)


@admin.action(permissions=["change"], description="Mark selected orders processing")
def mark_processing(modeladmin, request, queryset):
    _set_status(modeladmin, request, queryset, OrderStatus.PROCESSING)


@admin.action(permissions=["change"], description="Mark selected orders shipped")
def mark_shipped(modeladmin, request, queryset):
    _set_status(modeladmin, request, queryset, OrderStatus.SHIPPED)


@admin.action(
    permissions=["change"], description="Mark selected orders delivered (sets delivery date)"
)
def mark_delivered(modeladmin, request, queryset):
    _set_status(modeladmin, request, queryset, OrderStatus.DELIVERED)


@admin.action(permissions=["change"], description="Cancel selected orders (returns their stock)")
def mark_cancelled(modeladmin, request, queryset):
    return action_page(
        modeladmin,
        request,
        queryset,
        title="Cancel orders",
        explanation=(
            "Cancelled orders give the stock of every line back (logged in the inventory log). "
            "Delivered and already cancelled orders are refused."
        ),
        confirm_label="Yes, cancel them",
        apply=lambda _data: _set_status(modeladmin, request, queryset, OrderStatus.CANCELLED),
    )


@admin.action(permissions=["change"], description="Recalculate totals from items (with preview)")
def recalculate_totals(modeladmin, request, queryset):
    selected = (
        queryset.model.objects.filter(pk__in=_selected_ids(queryset))
        .with_item_totals()
        .with_charge_for_items()
    )
    preview = [
        {
            "order": order,
            "old": order.total_amount,
            "new": order.charge_for_items,
            "difference": order.charge_for_items - order.total_amount,
        }
        for order in selected.filter(total_differs=True).order_by("pk")
    ]

    def apply(_data):
        fixes = orders_recalculate_totals(order_ids=_selected_ids(queryset), user=request.user)
        for fix in fixes:
            modeladmin.message_user(
                request,
                f"Order #{fix.order_id}: total {fix.old_total} → {fix.new_total}.",
                messages.SUCCESS,
            )
        unchanged = len(_selected_ids(queryset)) - len(fixes)
        if unchanged:
            modeladmin.message_user(
                request,
                f"{count_of(unchanged, Order)} already matched their items: unchanged.",
                messages.INFO,
            )

    response = action_page(
        modeladmin,
        request,
        queryset,
        title="Recalculate totals from items",
        explanation=(
            "The total charged becomes what each order's lines and charges come to: the sum of "
            "quantity × unit price, plus shipping and tax, minus the discount. Orders whose "
            "total already matches are left alone."
        ),
        confirm_label="Yes, recalculate",
        apply=apply,
    )
    if response is not None:
        response.template_name = "admin/backoffice/order/recalculate_preview.html"
        response.context_data["preview"] = preview
    return response
