"""The order page: lines inline, one-transaction saves that keep stock and totals right, the
stock error on the line that asks too much, the status select and the timeline."""

from decimal import Decimal

import pytest
from django.urls import reverse

from backoffice.models import InventoryLog, Order, OrderItem, OrderStatusChange, Product
from backoffice.services import orders as order_services
from backoffice.services.orders import OrderLine, order_create
from tests.admin.sales.conftest import lines_of, order_form_data
from tests.factories import CustomerFactory, OrderFactory, OrderItemFactory, ProductFactory
from tests.seed import by_id, dec

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:backoffice_order_add")


def change_url(order):
    return reverse("admin:backoffice_order_change", args=[order.pk])


def stock(product):
    return Product.objects.get(pk=product.pk).stock_quantity


def line_errors(response):
    formset = response.context["inline_admin_formsets"][0].formset
    return [form.errors for form in formset.forms], formset.non_form_errors()


def test_lines_of_an_open_order_use_the_product_autocomplete(admin_client, seed):
    html = admin_client.get(reverse("admin:backoffice_order_change", args=[2])).content.decode()
    # Two lines, one empty row and the "add another" template: each an autocomplete (never a
    # select of every product).
    assert html.count('data-field-name="product"') == 4
    assert "Data Science Handbook</option>" in html
    assert html.count("<option") < 20
    # A line's product can be viewed from here, never edited or deleted.
    assert 'id="view_id_items-0-product"' in html
    assert 'id="delete_id_items-0-product"' not in html
    assert 'id="change_id_items-0-product"' not in html
    assert 'id="add_id_customer"' in html and 'id="delete_id_customer"' not in html


def test_the_page_shows_lines_totals_and_timeline(admin_client, seed):
    response = admin_client.get(reverse("admin:backoffice_order_change", args=[1]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "MacBook Pro" in html  # a delivered order's lines are shown read-only
    # Totals panel: items total, total charged, difference.
    items_total = sum(
        (
            dec(i["price"]) * i["quantity"]
            for i in by_id("order_items").values()
            if i["order_id"] == 1
        ),
        Decimal(0),
    )
    charged = dec(by_id("orders")[1]["total_amount"])
    assert f'<td class="items-total">{items_total}</td>' in html
    assert f'<td class="total-charged">{charged}</td>' in html
    assert f'<td class="difference">{charged - items_total}' in html
    assert f"charged {items_total - charged} less than its items and charges" in html
    assert "No recorded changes: imported as delivered." in html


def test_adding_an_order_takes_stock_and_totals_the_lines(admin_client, admin_user):
    customer = CustomerFactory()
    lamp = ProductFactory(price=Decimal("35.00"), stock_quantity=4)
    desk = ProductFactory(price=Decimal("250.00"), stock_quantity=2)
    data = order_form_data(
        customer=customer,
        lines=[
            {"product": lamp.pk, "quantity": 2, "price": ""},  # today's price
            {"product": desk.pk, "quantity": 1, "price": "199.00"},
        ],
    )
    response = admin_client.post(ADD_URL, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    order = Order.objects.get()
    assert (order.status, order.total_amount) == ("pending", Decimal("269.00"))
    assert sorted(order.items.values_list("product_id", "quantity", "price")) == sorted(
        [(lamp.pk, 2, Decimal("35.00")), (desk.pk, 1, Decimal("199.00"))]
    )
    assert (stock(lamp), stock(desk)) == (2, 1)
    logs = InventoryLog.objects.order_by("product_id")
    assert [(log.product_id, log.change, log.user) for log in logs] == [
        (lamp.pk, -2, admin_user),
        (desk.pk, -1, admin_user),
    ]
    assert list(order.status_changes.values_list("to_status", "user")) == [
        ("pending", admin_user.pk)
    ]


def test_a_line_asking_for_more_than_the_stock_is_an_error_on_that_line(admin_client):
    plenty = ProductFactory(stock_quantity=50)
    scarce = ProductFactory(stock_quantity=1, name="Scarce Lamp")
    data = order_form_data(
        customer=CustomerFactory(),
        lines=[
            {"product": plenty.pk, "quantity": 1},
            {"product": scarce.pk, "quantity": 3},
        ],
    )
    response = admin_client.post(ADD_URL, data)
    assert response.status_code == 200
    errors, non_form = line_errors(response)
    assert errors[0] == {}
    assert errors[1] == {"quantity": ["Scarce Lamp: only 1 in stock, 3 asked."]}
    assert not non_form
    assert "Scarce Lamp: only 1 in stock, 3 asked." in response.content.decode()
    assert Order.objects.count() == 0
    assert OrderItem.objects.count() == 0
    assert InventoryLog.objects.count() == 0
    assert (stock(plenty), stock(scarce)) == (50, 1)


def test_a_refusal_at_save_time_is_shown_on_the_line_and_nothing_is_saved(
    admin_client, monkeypatch
):
    """If someone takes the stock between validation and save (SQLite has no row locks),
    the service refuses, everything rolls back, and the page shows the refusal on the line."""
    scarce = ProductFactory(stock_quantity=1, name="Scarce Lamp")
    real_check = order_services.order_stock_refusals
    calls = []

    def check_then_someone_buys(**kwargs):
        calls.append(1)
        result = real_check(**kwargs)
        if len(calls) == 1:  # the other buyer takes the last unit right after our check
            Product.objects.filter(pk=scarce.pk).update(stock_quantity=0)
        return result

    monkeypatch.setattr(
        "backoffice.admin.sales.inlines.order_stock_refusals", check_then_someone_buys
    )
    data = order_form_data(
        customer=CustomerFactory(), lines=[{"product": scarce.pk, "quantity": 1}]
    )
    response = admin_client.post(ADD_URL, data)
    assert response.status_code == 200
    errors, _ = line_errors(response)
    assert errors[0] == {"quantity": ["Scarce Lamp: only 0 in stock, 1 asked."]}
    assert Order.objects.count() == 0
    assert InventoryLog.objects.count() == 0


def test_changing_lines_moves_the_difference_and_recalculates_the_total(admin_client):
    kept, grown, removed, added = (ProductFactory(stock_quantity=10) for _ in range(4))
    order = order_create(
        customer=CustomerFactory(),
        lines=[OrderLine(kept.pk, 1), OrderLine(grown.pk, 1), OrderLine(removed.pk, 2)],
    )
    items = {item.product_id: item.pk for item in order.items.all()}
    lines = lines_of(order)
    lines = [{**line, "quantity": 4} if line["id"] == items[grown.pk] else line for line in lines]
    lines = [
        {**line, "DELETE": True} if line["id"] == items[removed.pk] else line for line in lines
    ]
    lines.append({"product": added.pk, "quantity": 3, "price": "5.00"})
    response = admin_client.post(
        change_url(order), order_form_data(customer=order.customer, status="pending", lines=lines)
    )
    assert response.status_code == 302
    assert [stock(p) for p in (kept, grown, removed, added)] == [9, 6, 10, 7]
    order.refresh_from_db()
    assert order.total_amount == Decimal("20.00") * 5 + Decimal("15.00")
    assert not order.items.filter(product=removed).exists()


def test_saving_without_line_changes_keeps_what_was_charged(admin_client, seed):
    order = Order.objects.get(pk=2)  # processing; charged 89.98, items 129.98
    response = admin_client.post(
        change_url(order),
        order_form_data(
            customer=order.customer,
            order_date="2024-03-10 10:15:00",
            status="processing",
            lines=lines_of(order),
        ),
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.total_amount == dec(by_id("orders")[2]["total_amount"])
    assert InventoryLog.objects.count() == 0


def test_one_line_per_product_and_at_least_one_line(admin_client):
    product = ProductFactory(stock_quantity=10)
    twice = order_form_data(
        customer=CustomerFactory(),
        lines=[{"product": product.pk, "quantity": 1}, {"product": product.pk, "quantity": 2}],
    )
    errors, _ = line_errors(admin_client.post(ADD_URL, twice))
    assert "already on another line" in str(errors[1]["product"])
    response = admin_client.post(ADD_URL, order_form_data(customer=CustomerFactory(), lines=[]))
    _, non_form = line_errors(response)
    assert "needs at least one line" in str(non_form)
    assert Order.objects.count() == 0


def test_status_select_offers_only_allowed_moves_and_records_the_timeline(admin_client, admin_user):
    order = order_create(customer=CustomerFactory(), lines=[OrderLine(ProductFactory().pk, 1)])
    form = admin_client.get(change_url(order)).context["adminform"].form
    assert [value for value, _ in form.fields["status"].choices] == [
        "pending",
        "processing",
        "cancelled",
    ]
    for status in ("processing", "shipped", "delivered"):
        order.refresh_from_db()
        data = order_form_data(
            customer=order.customer,
            order_date=order.order_date.strftime("%Y-%m-%d %H:%M:%S"),
            status=status,
            lines=lines_of(order),
        )
        response = admin_client.post(change_url(order), data)
        assert response.status_code == 302, response.context["errors"]
    order.refresh_from_db()
    assert order.status == "delivered" and order.delivery_date is not None
    html = admin_client.get(change_url(order)).content.decode()
    assert html.count('class="timeline-step"') == 4
    assert list(order.status_changes.values_list("to_status", flat=True)) == [
        "pending",
        "processing",
        "shipped",
        "delivered",
    ]
    moves = order.status_changes.exclude(to_status="pending")
    assert set(moves.values_list("user", flat=True)) == {admin_user.pk}


def test_a_forbidden_status_is_a_form_error_and_changes_nothing(admin_client):
    order = OrderFactory(status="pending")
    OrderItemFactory(order=order)
    data = order_form_data(
        customer=order.customer,
        order_date=order.order_date.strftime("%Y-%m-%d %H:%M:%S"),
        status="delivered",
        lines=lines_of(order),
    )
    response = admin_client.post(change_url(order), data)
    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    order.refresh_from_db()
    assert order.status == "pending"
    assert OrderStatusChange.objects.count() == 0


def test_cancelling_on_the_page_returns_the_stock(admin_client):
    product = ProductFactory(stock_quantity=5)
    order = order_create(customer=CustomerFactory(), lines=[OrderLine(product.pk, 3)])
    data = order_form_data(
        customer=order.customer,
        order_date=order.order_date.strftime("%Y-%m-%d %H:%M:%S"),
        status="cancelled",
        lines=lines_of(order),
    )
    assert admin_client.post(change_url(order), data).status_code == 302
    assert stock(product) == 5
    assert InventoryLog.objects.filter(reason="cancellation", change=3).count() == 1


def test_lines_of_a_shipped_order_are_read_only_and_posts_cannot_change_them(admin_client):
    product = ProductFactory(stock_quantity=5)
    order = order_create(customer=CustomerFactory(), lines=[OrderLine(product.pk, 1)])
    for status in ("processing", "shipped"):
        order_services.order_set_status(order=order, to_status=status)
    html = admin_client.get(change_url(order)).content.decode()
    assert 'name="items-0-quantity"' not in html
    data = order_form_data(
        customer=order.customer,
        order_date=order.order_date.strftime("%Y-%m-%d %H:%M:%S"),
        status="shipped",
        lines=lines_of(order, {order.items.get().pk: {"quantity": 5}})
        + [{"product": ProductFactory().pk, "quantity": 1}],
    )
    assert admin_client.post(change_url(order), data).status_code == 302
    assert list(order.items.values_list("quantity", flat=True)) == [1]
    assert stock(product) == 4


def test_deleting_is_only_for_cancelled_orders(admin_client):
    live = OrderFactory(status="pending")
    cancelled = OrderFactory(status="cancelled")
    delete = "admin:backoffice_order_delete"
    assert admin_client.get(reverse(delete, args=[live.pk])).status_code == 403
    assert admin_client.get(reverse(delete, args=[cancelled.pk])).status_code == 200
    actions = admin_client.get(reverse("admin:backoffice_order_changelist")).context["action_form"]
    assert "delete_selected" not in [value for value, _ in actions.fields["action"].choices]


def test_the_page_can_show_todays_price_of_a_chosen_product(admin_client):
    lamp = ProductFactory(price=Decimal("35.50"))
    url = reverse("admin:backoffice_order_product_prices")
    page = admin_client.get(ADD_URL)
    assert page.context["product_prices_url"] == url
    html = page.content.decode()
    # The script is a static file (the CSP forbids inline scripts); it reads the address here.
    assert "backoffice/js/order_prices.js" in html
    assert f'data-prices-url="{url}"' in html
    response = admin_client.get(url, {"ids": f"{lamp.pk},junk,99999"})
    assert response.json() == {str(lamp.pk): "35.50"}
