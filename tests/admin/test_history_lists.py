"""Where staff choose one product among all of them (the stock history's filter, the product
metadata page), they type it in the product autocomplete: a list of every product is a hundred
thousand links or options at a real shop's size."""

import pytest
from django.urls import reverse

from backoffice.services.inventory import stock_restock
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

URL = reverse("admin:backoffice_inventorylog_changelist")


def test_the_product_filter_is_an_autocomplete_and_filters(admin_client):
    restocked, other = ProductFactory(name="Restocked lamp"), ProductFactory(name="Other lamp")
    never_moved = ProductFactory(name="Never moved chair")
    stock_restock(product_ids=[restocked.pk, other.pk], quantity=3, note="delivery")

    page = admin_client.get(URL)
    text = page.content.decode()
    assert page.status_code == 200
    assert "autocomplete-filter" in text
    assert "Never moved chair" not in text  # not offered as a choice: chosen by typing
    assert "autocomplete.js" in text or "select2" in text  # the widget's media are on the page

    filtered = admin_client.get(URL, {"product": restocked.pk})
    shown = {log.product_id for log in filtered.context["cl"].result_list}
    assert shown == {restocked.pk}
    assert never_moved.pk not in shown


def test_the_product_metadata_page_chooses_its_product_by_autocomplete(admin_client):
    ProductFactory(name="Listed nowhere")
    page = admin_client.get(reverse("admin:backoffice_productmeta_add")).content.decode()
    assert "admin-autocomplete" in page
    assert "Listed nowhere" not in page  # no <option> per product
