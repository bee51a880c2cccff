"""A database with shop data, upgraded from before the kept figures (0006), gets every kept
figure right: 0009 builds them (0007's step, which broke on 0008's column, now leaves it)."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from backoffice.figures.rebuild import check
from backoffice.models import CustomerFigures, DaySales, ProductFigures

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_KEPT_FIGURES = [("backoffice", "0006_importrecord_id_remaps")]


def historical_models():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_KEPT_FIGURES)
    executor.loader.build_graph()
    return executor.loader.project_state(BEFORE_KEPT_FIGURES).apps


def test_an_upgrade_with_shop_data_gets_every_kept_figure():
    apps = historical_models()
    try:
        model = lambda name: apps.get_model("backoffice", name)  # noqa: E731
        category = model("Category").objects.create(name="Electronics")
        supplier = model("Supplier").objects.create(
            name="Acme", email="a@example.com", phone="1", address="x", rating=4.0
        )
        product = model("Product").objects.create(
            name="Laptop", sku="EL-0001", price=Decimal("10.00"), cost=Decimal("5.00"),
            stock_quantity=5, category=category, supplier=supplier,
        )  # fmt: skip
        user = apps.get_model("auth", "User").objects.create(username="ann")
        customer = model("Customer").objects.create(user=user, phone="1", address="x")
        order = model("Order").objects.create(
            customer=customer, status="delivered", total_amount=Decimal("20.00"),
            order_date=datetime(2025, 1, 2, 10, tzinfo=UTC),
        )  # fmt: skip
        model("OrderItem").objects.create(
            order=order, product=product, quantity=2, price=Decimal("10.00")
        )
    finally:
        call_command("migrate", "backoffice", verbosity=0)  # back to the latest, with the data
    assert check() == []
    assert ProductFigures.objects.get(pk=product.pk).units_sold == 2
    assert DaySales.objects.get().items_total == Decimal("20.00")


def test_an_upgrade_from_before_the_line_counts_and_status_figures_fills_them():
    from backoffice.services.orders import OrderLine, order_create
    from tests.factories import CustomerFactory, ProductFactory

    product = ProductFactory(stock_quantity=10)
    order_create(customer=CustomerFactory(), lines=[OrderLine(product.pk, 1)])
    order_create(customer=CustomerFactory(), lines=[OrderLine(product.pk, 2)])
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([("backoffice", "0013_review_figures")])  # the columns go
    finally:
        call_command("migrate", "backoffice", verbosity=0)  # back: 0014's step, now 0018's
    assert check() == []
    assert sum(DaySales.objects.values_list("line_count", flat=True)) == 2
    assert sum(CustomerFigures.objects.values_list("pending_count", flat=True)) == 2


def test_an_upgrade_from_0017_with_shop_data_rebuilds_nothing(monkeypatch):
    """0018 adds the charges (0.00 on every row) and references: no kept figure moves, so
    its step (0014's, taken over) leaves a database that has them all alone."""
    from backoffice.figures import rebuild as rebuild_module
    from backoffice.services.orders import OrderLine, order_create
    from tests.factories import CustomerFactory, ProductFactory

    product = ProductFactory(stock_quantity=10)
    order_create(customer=CustomerFactory(), lines=[OrderLine(product.pk, 1)])
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([("backoffice", "0017_export_jobs")])
    finally:
        monkeypatch.setattr(rebuild_module, "rebuild", lambda **kwargs: pytest.fail(kwargs))
        call_command("migrate", "backoffice", verbosity=0)
    assert check() == []
