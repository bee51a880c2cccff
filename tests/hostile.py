"""A shop whose every staff-written text is an attack: the dataset of the escaping tests.

Each value carries markup that, if a page let it through unescaped, would add an element with
a ``data-xss`` attribute to the page and run ``window.__xss = 1; alert(1)``. The tests look for
``<tag data-xss`` in the HTML (tests/admin/test_escaping.py) and, in Chromium, for a dialog, for
``window.__xss`` and for any ``[data-xss]`` element (tests/browser/test_escaping.py).
"""

import re
from decimal import Decimal

from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from backoffice.models import InventoryLog, InventoryReason, OrderStatus, OrderStatusChange
from backoffice.models.catalog import ProductMeta
from backoffice.models.imports import ImportRecord
from tests.factories import (
    CategoryFactory,
    CustomerFactory,
    OrderFactory,
    OrderItemFactory,
    ProductFactory,
    ReviewFactory,
    SupplierFactory,
    TagFactory,
    UserFactory,
)

RUN = "window.__xss=1;alert(1)"
# An injected element: the mark the crawl looks for.
INJECTED = re.compile(r"<(script|img|svg|b|a)\s+data-xss", re.IGNORECASE)


def script(label: str) -> str:
    return f"<script data-xss>{RUN}//{label}</script>"


def img(label: str) -> str:
    return f'"><img data-xss src=x onerror="{RUN}//{label}">'


def link(label: str) -> str:
    return f'<a data-xss href="javascript:{RUN}">{label}</a>'


def js_url(label: str) -> str:
    """A value that is only harmful where it becomes a link's address."""
    return f"javascript:{RUN}//{label}"


def hostile_shop(superuser=None) -> dict:
    """Every model with text, each text field hostile; returns the objects by name."""
    category = CategoryFactory(name=script("category"), description=img("category description"))
    supplier = SupplierFactory(
        name=img("supplier"),
        email='x"><b data-xss>@example.com',
        phone="<b data-xss>",  # 15 characters at most
        address=link("supplier address"),
    )
    product = ProductFactory(
        name=script("product") + img("product"),  # (the SKU has a format the database checks)
        description=img("description") + js_url("description"),
        price=Decimal("900.00"),
        stock_quantity=50,
        category=category,
        supplier=supplier,
    )
    target = ProductFactory(
        name=img("target product"),
        description=script("target description"),
        price=Decimal("5.00"),
        stock_quantity=5,
        category=category,
        supplier=supplier,
    )
    tag = TagFactory(name='"><img data-xss src=x onerror=alert(1)>')
    product.tags.add(tag)
    ProductMeta.objects.create(product=product, metadata={"colour": script("meta")})
    user = UserFactory(
        username=script("username")[:150],
        first_name=img("first name"),
        last_name=script("last name"),
        email='"><img data-xss src=x onerror=alert(1)>@example.com',
    )
    customer = CustomerFactory(user=user, phone="<b data-xss>", address=img("address"))
    orders = []
    for status in OrderStatus:
        order = OrderFactory(customer=customer, status=status, total_amount=Decimal("1800.00"))
        OrderItemFactory(order=order, product=product, quantity=2, price=product.price)
        OrderStatusChange.objects.create(
            order=order, to_status=status, user=superuser, note=script("status note")
        )
        orders.append(order)
    review = ReviewFactory(customer=customer, product=product, rating=1, comment=script("review"))
    InventoryLog.objects.create(
        product=product,
        user=user,
        change=5,
        stock_after=50,
        reason=InventoryReason.RESTOCK,
        note=script("inventory note") + js_url("inventory note"),
    )
    ImportRecord.objects.create(
        user=user,
        model_label="backoffice.product",
        file_name=img("file name"),
        file_format="csv",
        outcome=ImportRecord.Outcome.FAILED,
        message=script("import message"),
    )
    return {
        "category": category,
        "supplier": supplier,
        "product": product,
        "target": target,
        "tag": tag,
        "user": user,
        "customer": customer,
        "orders": orders,
        "review": review,
    }


def superuser_request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def model_pages(user) -> list[str]:
    """Every registered model's list (also searched for an attack), add page, and, for one
    object of each, its change, history and delete pages (those the admin offers)."""
    request = superuser_request(user)
    urls = []
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls.append(reverse(f"{prefix}_changelist"))
        urls.append(reverse(f"{prefix}_changelist") + "?q=" + script("search").replace(";", "%3B"))
        if model_admin.has_add_permission(request):
            urls.append(reverse(f"{prefix}_add"))
        obj = model_admin.get_queryset(request).order_by("pk").first()
        if obj is not None:
            urls.append(reverse(f"{prefix}_change", args=[obj.pk]))
            urls.append(reverse(f"{prefix}_history", args=[obj.pk]))
            if model_admin.has_delete_permission(request, obj):
                urls.append(reverse(f"{prefix}_delete", args=[obj.pk]))
    return urls
