"""Order list actions: allowed moves only, a per-order report, confirmation and preview."""

from decimal import Decimal

from django.contrib.admin import helpers
from django.urls import reverse

from backoffice.admin.sales import actions as sales_actions
from backoffice.models import InventoryLog, Order, OrderStatusChange, Product
from tests.seed import by_id, dec, rows
from tests.truth import sales as truth

URL = reverse("admin:backoffice_order_changelist")


def run_action(client, action, ids, confirm=False, follow=True):
    data = {"action": action, helpers.ACTION_CHECKBOX_NAME: [str(pk) for pk in ids]}
    if confirm:
        data["confirm_action"] = "yes"
    return client.post(URL, data, follow=follow)


def messages_of(response):
    return [(m.level_tag, str(m)) for m in response.context["messages"]]


def statuses():
    return dict(Order.objects.values_list("pk", "status"))


def seed_statuses():
    return {row["id"]: row["status"] for row in rows("orders")}


def test_every_action_declares_the_change_permission():
    for action in (
        sales_actions.mark_processing,
        sales_actions.mark_shipped,
        sales_actions.mark_delivered,
        sales_actions.mark_cancelled,
        sales_actions.recalculate_totals,
    ):
        assert action.allowed_permissions == ["change"]


def test_mark_shipped_moves_what_it_may_and_reports_each_refusal(admin_client, seed):
    response = run_action(admin_client, "mark_shipped", [1, 2, 5, 7])
    reported = messages_of(response)
    assert ("success", "1 order marked shipped: #2.") in reported
    refusals = [text for level, text in reported if level == "warning"]
    assert len(refusals) == 3
    assert any("Order #1 is delivered: it cannot become shipped" in text for text in refusals)
    assert any("Order #5 is pending: it cannot become shipped" in text for text in refusals)
    assert any("Order #7 is cancelled" in text for text in refusals)
    assert statuses() == {**seed_statuses(), 2: "shipped"}
    assert list(OrderStatusChange.objects.values_list("order", "from_status", "to_status")) == [
        (2, "processing", "shipped")
    ]


def test_mark_processing_and_delivered(admin_client, seed, admin_user):
    run_action(admin_client, "mark_processing", [5])
    response = run_action(admin_client, "mark_delivered", [4])
    assert ("success", "1 order marked delivered: #4.") in messages_of(response)
    four = Order.objects.get(pk=4)
    assert four.status == "delivered" and four.delivery_date is not None
    assert statuses() == {**seed_statuses(), 5: "processing", 4: "delivered"}
    assert set(OrderStatusChange.objects.values_list("user", flat=True)) == {admin_user.pk}


def test_cancel_asks_first_then_returns_stock_and_refuses_delivered_orders(admin_client, seed):
    page = run_action(admin_client, "mark_cancelled", [5, 1])
    assert "admin/backoffice/action_page.html" in [t.name for t in page.templates]
    assert "Yes, cancel them" in page.content.decode()
    assert statuses() == seed_statuses()  # nothing changed yet

    racket = by_id("order_items")[10]["product_id"]  # order 5's only line
    before = Product.objects.get(pk=racket).stock_quantity
    response = run_action(admin_client, "mark_cancelled", [5, 1], confirm=True)
    reported = messages_of(response)
    assert ("success", "1 order marked cancelled: #5.") in reported
    assert any("Order #1 is delivered" in text for level, text in reported if level == "warning")
    assert statuses() == {**seed_statuses(), 5: "cancelled"}
    assert Product.objects.get(pk=racket).stock_quantity == before + 1
    log = InventoryLog.objects.get()
    assert (log.product_id, log.change, log.reason) == (racket, 1, "cancellation")


def test_recalculation_previews_old_and_new_then_fixes_exactly_1_2_and_4(admin_client, seed):
    everything = sorted(truth.orders())
    page = run_action(admin_client, "recalculate_totals", everything)
    assert page.status_code == 200
    preview = page.context["preview"]
    assert [(row["order"].pk, row["old"], row["new"]) for row in preview] == [
        (pk, dec(truth.orders()[pk]["total_amount"]), truth.items_total(pk))
        for pk in truth.differing_orders()
    ]
    assert [row["order"].pk for row in preview] == [1, 2, 4]
    html = page.content.decode()
    assert html.count('class="preview-row"') == 3
    charged = {pk: dec(row["total_amount"]) for pk, row in truth.orders().items()}
    assert dict(Order.objects.values_list("pk", "total_amount")) == charged  # not yet

    response = run_action(admin_client, "recalculate_totals", everything, confirm=True)
    reported = messages_of(response)
    for pk in (1, 2, 4):
        expected = f"Order #{pk}: total {charged[pk]} → {truth.items_total(pk)}."
        assert ("success", expected) in reported
    assert ("info", "4 orders already matched their items: unchanged.") in reported
    assert dict(Order.objects.values_list("pk", "total_amount")) == {
        pk: truth.items_total(pk) for pk in everything
    }
    listed = admin_client.get(URL, {"total_differs": "yes"}).context["cl"].result_list
    assert list(listed) == []


def test_recalculation_of_orders_that_match_changes_nothing(admin_client, seed):
    page = run_action(admin_client, "recalculate_totals", [3, 5])
    assert page.context["preview"] == []
    assert "nothing will change" in page.content.decode()
    run_action(admin_client, "recalculate_totals", [3, 5], confirm=True)
    assert Order.objects.get(pk=3).total_amount == Decimal(str(truth.orders()[3]["total_amount"]))
