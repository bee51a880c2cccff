"""Helpers for the order admin tests: order page POST data and CSRF-checked clients."""

import pytest
from django.test import Client

from backoffice.models import Order

NO_CHARGES = {"shipping_amount": "0.00", "tax_amount": "0.00", "discount_amount": "0.00"}


def order_form_data(
    *,
    customer,
    order_date="2024-03-20 10:00:00",
    status=None,
    lines=(),
    seen_version=None,
    charges=None,
):
    """POST data of the order page. ``lines``: dicts with product, quantity, price (may be ""),
    and for existing lines ``id`` (and ``DELETE``); ``order`` is filled in from the item.
    ``seen_version``: the version the page was opened at (default: the order's current one,
    read from the lines' order). ``charges``: shipping, tax and discount as posted (none by
    default)."""
    day, time = order_date.split(" ")
    data = {
        "customer": str(customer.pk),
        "order_date_0": day,
        "order_date_1": time,
        "items-TOTAL_FORMS": str(len(lines)),
        "items-INITIAL_FORMS": str(sum(1 for line in lines if line.get("id"))),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "_save": "Save",
        **NO_CHARGES,
        **(charges or {}),
    }
    if status is not None:
        data["status"] = status
    order_ids = {line["order"] for line in lines if line.get("order")}
    if seen_version is None and order_ids:
        seen_version = Order.objects.get(pk=order_ids.pop()).edit_version
    if seen_version is not None:
        data["seen_version"] = str(seen_version)
    for i, line in enumerate(lines):
        prefix = f"items-{i}-"
        data[prefix + "product"] = str(line["product"])
        data[prefix + "quantity"] = str(line["quantity"])
        data[prefix + "price"] = str(line.get("price", ""))
        if line.get("id"):
            data[prefix + "id"] = str(line["id"])
            data[prefix + "order"] = str(line["order"])
        if line.get("DELETE"):
            data[prefix + "DELETE"] = "on"
    return data


def lines_of(order, changes=None):
    """The order's current lines as POST dicts; ``changes`` maps item id -> field overrides."""
    return [
        {
            "id": item.pk,
            "order": order.pk,
            "product": item.product_id,
            "quantity": item.quantity,
            "price": item.price,
            **(changes or {}).get(item.pk, {}),
        }
        for item in order.items.order_by("pk")
    ]


@pytest.fixture
def csrf_client():
    """A client that checks CSRF tokens like a browser's requests are checked."""
    return Client(enforce_csrf_checks=True)


def csrf_token(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return (
        response.cookies["csrftoken"].value
        if "csrftoken" in response.cookies
        else (client.cookies["csrftoken"].value)
    )
