"""Order and customer bulk actions leave an entry in each changed object's History, as
``delete_selected`` does (issue 10, point 3); refused and unchanged objects get none."""

from django.contrib.admin import helpers
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from backoffice.models import Order, OrderStatus

ORDERS = reverse("admin:backoffice_order_changelist")
CUSTOMERS = reverse("admin:backoffice_customer_changelist")


def history(obj) -> list[str]:
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
    ).order_by("pk")
    assert all(entry.action_flag == CHANGE for entry in entries)
    return [entry.change_message for entry in entries]


def post_action(client, url, action, ids):
    data = {"action": action, helpers.ACTION_CHECKBOX_NAME: [str(pk) for pk in ids]}
    return client.post(url, {**data, "confirm_action": "yes"}, follow=True)


def test_a_status_action_logs_each_order_it_moved_and_not_the_refused(admin_client, seed):
    pending = Order.objects.filter(status=OrderStatus.PENDING).order_by("pk").first()
    delivered = Order.objects.filter(status=OrderStatus.DELIVERED).order_by("pk").first()
    post_action(admin_client, ORDERS, "mark_processing", [pending.pk, delivered.pk])
    assert Order.objects.get(pk=pending.pk).status == OrderStatus.PROCESSING
    assert history(pending) == ["Status: Pending → Processing (bulk action)."]
    assert history(delivered) == []


def test_recalculation_logs_old_and_new_total_of_each_order_it_fixed(admin_client, seed):
    differing = {
        o.pk: (o.total_amount, o.items_total)
        for o in Order.objects.with_item_totals().filter(total_differs=True)
    }
    assert differing  # the sample data has orders whose total differs from its items
    matching = Order.objects.exclude(pk__in=differing).order_by("pk").first()
    post_action(admin_client, ORDERS, "recalculate_totals", [*differing, matching.pk])
    for pk, (old, new) in differing.items():
        assert history(Order(pk=pk)) == [
            f"Total {old} → {new} (recalculated from its items and charges, bulk action)."
        ]
    assert history(matching) == []


def test_deactivating_accounts_logs_each_account_switched_off(admin_client, seed):
    User = get_user_model()
    active = User.objects.get(username="john_doe")
    inactive = User.objects.get(username="jane_smith")
    inactive.is_active = False
    inactive.save()
    ids = [active.customer.pk, inactive.customer.pk]
    post_action(admin_client, CUSTOMERS, "deactivate_accounts", ids)
    assert history(active) == ["Account deactivated (bulk action)."]
    assert history(inactive) == []
