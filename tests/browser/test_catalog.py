"""The catalog admin in Chromium: range filters, the discount action, the two-pane tag selector."""

from decimal import Decimal

import pytest

from backoffice.models import Product
from tests.seed import dec, rows

pytestmark = pytest.mark.django_db(transaction=True)

PRODUCTS = rows("products")


def listed_names(page) -> set[str]:
    links = page.locator("#result_list tbody tr th a")
    return {links.nth(i).inner_text() for i in range(links.count())}


def test_filter_products_by_created_dates_then_by_price(seed, logged_in_page, live_server):
    page = logged_in_page
    page.goto(f"{live_server.url}/admin/backoffice/product/")

    page.fill("#created-at-form input[name=created_at__range__gte]", "2024-02-02")
    page.fill("#created-at-form input[name=created_at__range__lte]", "2024-02-03")
    with page.expect_navigation():
        page.click("#created-at-form input[type=submit]")
    in_dates = {p["name"] for p in PRODUCTS if "2024-02-02" <= p["created_at"][:10] <= "2024-02-03"}
    assert listed_names(page) == in_dates

    page.fill("#price-form input[name=price__range__gte]", "49.99")
    page.fill("#price-form input[name=price__range__lte]", "50")
    with page.expect_navigation():
        page.click("#price-form input[type=submit]")
    assert "created_at__range__gte=2024-02-02" in page.url  # the date range is kept
    both = {
        p["name"]
        for p in PRODUCTS
        if p["name"] in in_dates and Decimal("49.99") <= dec(p["price"]) <= Decimal("50")
    }
    assert both == {"Data Science Handbook"}  # 49.99 is inside 49.99-50
    assert listed_names(page) == both


def test_discount_through_its_confirmation_page(seed, logged_in_page, live_server):
    page = logged_in_page
    books = [p for p in PRODUCTS if p["category_id"] == 3]
    page.goto(f"{live_server.url}/admin/backoffice/product/?category__id__exact=3")
    page.check("#action-toggle")
    page.select_option("select[name=action]", "discount_prices")
    with page.expect_navigation():
        page.click("button[name=index]")

    assert page.locator("h1").inner_text() == "Apply a discount"
    assert "35.991, so 35.99" in page.content()
    page.fill("#id_percent", "10")
    with page.expect_navigation():
        page.click("input[type=submit][value='Apply the discount']")

    assert f"{len(books)} products discounted by 10%." in page.locator(".messagelist").inner_text()
    expected = {
        p["name"]: (dec(p["price"]) * Decimal("0.9")).quantize(Decimal("0.01")) for p in books
    }
    assert expected["Python Crash Course"] == Decimal("35.99")
    shown = {}
    rows_ = page.locator("#result_list tbody tr")
    for i in range(rows_.count()):
        row = rows_.nth(i)
        shown[row.locator("th a").inner_text()] = Decimal(
            row.locator("td.field-price_and_band").inner_text().split(" (")[0].replace(",", "")
        )
    assert shown == expected
    assert {p.name: p.price for p in Product.objects.filter(category_id=3)} == expected


def test_edit_prices_on_the_list_page_then_done(seed, logged_in_page, live_server):
    page = logged_in_page
    page.goto(f"{live_server.url}/admin/backoffice/product/?category__id__exact=3")
    assert page.locator("input[name$='-price']").count() == 0  # the list reads
    with page.expect_navigation():
        page.click("text=Edit prices, stock and on-sale on this page")
    row = page.locator("#result_list tbody tr", has_text="Python Crash Course")
    row.locator("input[type=number][name$='-price']").fill("41.50")
    with page.expect_navigation():
        page.click("input[name=_save]")
    assert "was changed successfully" in page.locator(".messagelist").inner_text()
    assert Product.objects.get(name="Python Crash Course").price == Decimal("41.50")
    assert "edit=1" in page.url  # still editing, on the same filtered page
    with page.expect_navigation():
        page.click("text=Done editing")
    assert page.locator("input[name$='-price']").count() == 0
    assert "category__id__exact=3" in page.url


def test_change_tags_with_the_two_pane_selector(seed, logged_in_page, live_server):
    page = logged_in_page
    iphone = next(p for p in PRODUCTS if p["name"] == "iPhone 15")
    page.goto(f"{live_server.url}/admin/backoffice/product/{iphone['id']}/change/")

    page.select_option("#id_tags_to", label="new")
    page.click("#id_tags_remove")
    page.select_option("#id_tags_from", label="discount")
    page.click("#id_tags_add")
    chosen = page.locator("#id_tags_to option")
    assert {chosen.nth(i).inner_text() for i in range(chosen.count())} == {
        "bestseller",
        "discount",
        "popular",
    }
    with page.expect_navigation():
        page.click("input[name=_save]")

    assert "was changed successfully" in page.locator(".messagelist").inner_text()
    tags = Product.objects.get(pk=iphone["id"]).tags.values_list("name", flat=True)
    assert set(tags) == {"bestseller", "discount", "popular"}
