"""An order manager in Chromium: places an order with the product autocomplete, takes it to
delivered and reads the timeline, and is stopped by the stock."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from backoffice.models import InventoryLog, Order, Product
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db(transaction=True)


def choose(page, container, term, option_text):
    """Pick ``option_text`` in the select2 autocomplete inside ``container``."""
    page.locator(f"{container} .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(term)
    page.locator(".select2-results__option", has_text=option_text).first.click()


def add_line(page, index, term, product_name, quantity):
    if page.locator(f"#items-{index}").count() == 0:
        page.locator("#items-group .add-row a").click()
    choose(page, f"#items-{index} td.field-product", term, product_name)
    page.fill(f"#id_items-{index}-quantity", str(quantity))


@pytest.fixture
def shop():
    customer = CustomerFactory(user__first_name="Ada", user__last_name="Buyer")
    lamp = ProductFactory(name="Desk Lamp", price=Decimal("35.50"), stock_quantity=5)
    chair = ProductFactory(name="Office Chair", price=Decimal("120.00"), stock_quantity=2)
    return customer, lamp, chair


def place_order(page, live_server, lines):
    page.goto(f"{live_server.url}/admin/backoffice/order/add/")
    choose(page, ".field-customer", "Ada", "Ada Buyer")
    for index, (term, name, quantity) in enumerate(lines):
        add_line(page, index, term, name, quantity)
    page.click("input[name=_save]")


def test_create_an_order_with_two_lines_and_see_the_total(logged_in_page, live_server, shop):
    page = logged_in_page
    _, lamp, chair = shop
    page.goto(f"{live_server.url}/admin/backoffice/order/add/")
    add_line(page, 0, "Desk", "Desk Lamp", 2)
    # The empty unit price shows today's price: what it becomes on save.
    # A locator assertion, not wait_for_function: that polls with eval, which the page's
    # Content-Security-Policy forbids (docs/security.md).
    expect(page.locator("#id_items-0-price")).to_have_attribute("placeholder", "35.50")
    place_order(page, live_server, [("Desk", "Desk Lamp", 2), ("Chair", "Office Chair", 1)])
    page.wait_for_selector(".messagelist .success")
    order = Order.objects.get()
    assert order.total_amount == Decimal("191.00")  # 2 x 35.50 + 120.00
    row = page.locator("#result_list tbody tr", has_text=f"#{order.pk}")
    assert "191.00" in row.inner_text()
    assert "Ada Buyer" in row.inner_text()
    page.goto(f"{live_server.url}/admin/backoffice/order/{order.pk}/change/")
    assert page.locator(".order-totals .items-total").inner_text() == "191.00"
    assert page.locator(".order-totals .total-charged").inner_text() == "191.00"
    assert Product.objects.get(pk=lamp.pk).stock_quantity == 3
    assert Product.objects.get(pk=chair.pk).stock_quantity == 1


def test_move_an_order_to_shipped_then_delivered_and_see_the_timeline(
    logged_in_page, live_server, shop
):
    page = logged_in_page
    place_order(page, live_server, [("Desk", "Desk Lamp", 1)])
    page.wait_for_selector(".messagelist .success")
    order = Order.objects.get()
    change = f"{live_server.url}/admin/backoffice/order/{order.pk}/change/"
    for status in ("processing", "shipped"):
        page.goto(change)
        page.select_option("#id_status", status)
        page.click("input[name=_save]")
        page.wait_for_selector(".messagelist .success")
    # Delivered from the list, with the action.
    page.goto(f"{live_server.url}/admin/backoffice/order/")
    page.locator(f"#result_list input[name=_selected_action][value='{order.pk}']").check()
    page.select_option("select[name=action]", "mark_delivered")
    page.click("button[name=index]")
    page.wait_for_selector(".messagelist .success")
    assert "marked delivered" in page.locator(".messagelist").inner_text()

    page.goto(change)
    steps = page.locator(".status-timeline .timeline-step")
    assert steps.count() == 4
    to_statuses = [steps.nth(i).locator("td").nth(2).inner_text() for i in range(4)]
    assert to_statuses == ["Pending", "Processing", "Shipped", "Delivered"]
    who = [steps.nth(i).locator("td").nth(3).inner_text() for i in range(4)]
    assert who == ["boss"] * 4
    order.refresh_from_db()
    assert order.status == "delivered" and order.delivery_date is not None


def test_a_line_asking_for_more_than_the_stock_shows_the_error(logged_in_page, live_server, shop):
    page = logged_in_page
    place_order(page, live_server, [("Desk", "Desk Lamp", 1), ("Chair", "Office Chair", 3)])
    error = page.locator("#items-1 .errorlist")
    error.wait_for()
    assert "Office Chair: only 2 in stock, 3 asked." in error.inner_text()
    assert page.locator("#items-0 .errorlist").count() == 0
    assert Order.objects.count() == 0
    assert InventoryLog.objects.count() == 0
