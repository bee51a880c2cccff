"""Every product a bulk action changes gets an entry in its History, as ``delete_selected``
does for what it deletes; products the action leaves alone get none (issue 10, point 3)."""

from decimal import Decimal

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from backoffice.models import Product
from tests.admin.helpers import csrf_client, run_action
from tests.factories import ProductFactory, TagFactory

pytestmark = pytest.mark.django_db


def history(product) -> list[tuple[str, str]]:
    """(who, message) of the product's admin log, oldest first."""
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Product), object_id=str(product.pk)
    ).order_by("pk")
    assert all(entry.action_flag == CHANGE for entry in entries)
    return [(entry.user.username, entry.change_message) for entry in entries]


def test_activation_is_in_the_history_of_each_product_it_changed(editor):
    on, off = ProductFactory(is_active=True), ProductFactory(is_active=False)
    client = csrf_client(editor)
    run_action(client, "deactivate_products", [on.pk, off.pk])
    assert history(on) == [(editor.username, "Taken off sale (bulk action).")]
    assert history(off) == []  # already off sale: nothing changed, nothing logged
    run_action(client, "activate_products", [on.pk, off.pk])
    assert history(off) == [(editor.username, "Put on sale (bulk action).")]
    assert len(history(on)) == 2


def test_a_price_change_logs_old_and_new_price_and_skips_refused_products(editor):
    changed = ProductFactory(price=Decimal("20.00"), cost=Decimal("1.00"))
    refused = ProductFactory(price=Decimal("10.00"), cost=Decimal("9.50"))  # below cost after
    client = csrf_client(editor)
    run_action(client, "discount_prices", [changed.pk, refused.pk], {"percent": "10"})
    assert Product.objects.get(pk=changed.pk).price == Decimal("18.00")
    assert history(changed) == [
        (editor.username, "Price 20.00 → 18.00 (bulk action: discount of 10%).")
    ]
    assert Product.objects.get(pk=refused.pk).price == Decimal("10.00")
    assert history(refused) == []


def test_tag_actions_are_in_the_history_of_the_products_they_changed(editor):
    sale, new = TagFactory(name="Sale"), TagFactory(name="New")
    tagged, untagged = ProductFactory(), ProductFactory()
    tagged.tags.add(sale)
    client = csrf_client(editor)
    run_action(client, "add_tag", [tagged.pk, untagged.pk], {"tag": str(sale.pk)})
    assert history(tagged) == []  # had it already
    assert history(untagged) == [(editor.username, "Tag “Sale” added (bulk action).")]
    run_action(client, "remove_tag", [tagged.pk], {"tag": str(sale.pk)})
    assert history(tagged) == [(editor.username, "Tag “Sale” removed (bulk action).")]
    run_action(
        client, "replace_tags", [tagged.pk, untagged.pk], {"tags": [str(new.pk), str(sale.pk)]}
    )
    assert history(tagged)[-1] == (editor.username, "Tags set to “New”, “Sale” (bulk action).")
    run_action(client, "clear_tags", [tagged.pk])
    assert history(tagged)[-1] == (editor.username, "All tags removed (bulk action).")


def test_the_history_page_and_recent_actions_show_a_bulk_change(editor, admin_client):
    product = ProductFactory(is_active=True, name="Desk lamp")
    run_action(csrf_client(editor), "deactivate_products", [product.pk])
    page = admin_client.get(reverse("admin:backoffice_product_history", args=[product.pk]))
    assert "Taken off sale (bulk action)." in page.content.decode()
    assert [(e.object_repr, e.user_id) for e in LogEntry.objects.all()] == [
        ("Desk lamp", editor.pk)
    ]


def test_a_bulk_action_writes_its_history_in_a_constant_number_of_queries(editor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(count):
        products = [ProductFactory(is_active=True) for _ in range(count)]
        client = csrf_client(editor)
        with CaptureQueriesContext(connection) as captured:
            run_action(client, "deactivate_products", [p.pk for p in products])
        return len(captured)

    queries_for(1)  # the process's first history entry looks up the content type, once
    assert queries_for(3) == queries_for(30)


def test_restock_and_transfer_are_in_each_products_history(editor):
    a, b = ProductFactory(stock_quantity=2), ProductFactory(stock_quantity=10)
    client = csrf_client(editor)
    run_action(client, "restock", [a.pk, b.pk], {"quantity": "5", "reason": "Delivery 42"})
    assert history(a) == [(editor.username, "Restocked +5: stock now 7 (bulk action).")]
    assert history(b) == [(editor.username, "Restocked +5: stock now 15 (bulk action).")]
    run_action(client, "transfer_stock", [b.pk], {"to_product": str(a.pk), "quantity": "4"})
    assert history(b)[-1] == (editor.username, f"Stock −4 to {a.name}: now 11 (transfer action).")
    assert history(a)[-1] == (editor.username, f"Stock +4 from {b.name}: now 11 (transfer action).")
