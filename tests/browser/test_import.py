"""Browser: a catalog editor imports a CSV of products - upload, the job's preview, confirm,
the outcome on the job's page, and the list."""

from decimal import Decimal

import pytest

from backoffice.models import ImportRecord, Product

pytestmark = pytest.mark.django_db(transaction=True)

PRICES = 'id,price,tags\n1,1199.99,"bestseller, new"\n5,79.99,bestseller\n'


def test_import_a_csv_of_products_preview_confirm_and_see_the_list(
    seed, logged_in_page, live_server, tmp_path
):
    page = logged_in_page
    upload = tmp_path / "prices.csv"
    upload.write_text(PRICES)

    page.goto(f"{live_server.url}/admin/backoffice/product/")
    page.click("a.import_link")
    page.wait_for_selector("#import-form")
    assert page.locator("#import-rules").is_visible()  # the number and date rules
    assert "1,299" in page.locator("#import-rules").inner_text()

    page.set_input_files("input[name=import_file]", str(upload))
    page.select_option("select[name=format]", label="csv")
    page.click("#import-form input[type=submit]")

    page.wait_for_selector("#import-changes")
    summary = page.locator("#import-summary").inner_text()
    assert "0 new" in summary and "1 updated" in summary and "1 unchanged" in summary
    row = page.locator("#import-changes tr[data-line='2']")
    assert "MacBook Pro" in row.inner_text()
    assert row.locator("[data-column=price]").inner_text().split() == [
        "price:",
        "1299.99",
        "→",
        "1199.99",
    ]
    assert "bestseller, new" in row.locator("[data-column=tags]").inner_text()
    assert Product.objects.get(pk=1).price == Decimal("1299.99")  # the preview wrote nothing

    assert "Preview" in page.locator(".job-status").inner_text()
    page.click("#confirm-import input[type=submit]")
    page.wait_for_selector("#imported-list")
    assert page.locator(".job-status").inner_text() == "Done"
    assert "Imported: 0 new, 1 updated, 1 unchanged." in page.locator(".job-message").inner_text()
    page.click("#imported-list")
    page.wait_for_selector("#result_list")
    macbook_row = page.locator("#result_list tbody tr", has_text="MacBook Pro")
    assert macbook_row.locator("td.field-price_and_band").inner_text().startswith("1,199.99 (")
    assert "bestseller, new" in macbook_row.inner_text()
    product = Product.objects.get(pk=1)
    assert product.price == Decimal("1199.99")
    assert sorted(product.tags.values_list("name", flat=True)) == ["bestseller", "new"]
    assert ImportRecord.objects.get().outcome == "applied"
