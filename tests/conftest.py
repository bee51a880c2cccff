from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection

from backoffice.figures import refresh
from backoffice.models import Customer, Order, OrderStatus, Product
from backoffice.services.seed import SEED_TABLES, reset_sequences, seed_data_load
from tests.factories import (
    CategoryFactory,
    OrderFactory,
    OrderItemFactory,
    ProductFactory,
    ReviewFactory,
    SupplierFactory,
)
from tests.seed import rows

POSTGRES_ONLY_REASON = (
    "needs PostgreSQL (run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/backoffice)"
)


def pytest_collection_modifyitems(config, items):
    """``@pytest.mark.postgres_only`` (registered in pyproject.toml) skips, with the reason, on
    any other database: never silently, and .ci/run fails a PostgreSQL run that skips one."""
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason=POSTGRES_ONLY_REASON)
    for item in items:
        if item.get_closest_marker("postgres_only"):
            item.add_marker(skip)


# The first `seed` of a test session runs the real import; later ones copy its rows back in
# with bulk_create, which is what the import produced, in a fraction of the time (the suite
# seeds hundreds of times). tests/services/test_seed.py always runs the real import.
_seed_snapshot: list | None = None
_seed_summaries: list | None = None


def _seed_rows_in_database() -> list:
    snapshot = []
    for table in SEED_TABLES:
        model = table.resource_class._meta.model
        name = table.file_name.removesuffix(".json")
        queryset = model._base_manager.order_by("pk")
        if name == "product_tags":
            links = {(r["product_id"], r["tag_id"]) for r in rows(name)}
            objects = [o for o in queryset if (o.product_id, o.tag_id) in links]
        else:
            objects = list(queryset.filter(pk__in=[r["id"] for r in rows(name)]))
        fields = [f.attname for f in model._meta.concrete_fields]
        snapshot.append((model, [{f: getattr(o, f) for f in fields} for o in objects]))
    return snapshot


@pytest.fixture
def seed(db):
    """The guide's dataset, as `manage.py load_seed_data` loads it through import-export."""
    global _seed_snapshot, _seed_summaries
    if _seed_snapshot is None:
        _seed_summaries = seed_data_load()
        _seed_snapshot = _seed_rows_in_database()
        return _seed_summaries
    for model, values in _seed_snapshot:
        objects = model._base_manager.bulk_create([model(**row) for row in values])
        # bulk_create lets auto_now fields stamp "now"; bulk_update writes the real values back
        auto_now = [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
        if auto_now:
            for obj, row in zip(objects, values, strict=True):
                for name in auto_now:
                    setattr(obj, name, row[name])
            model._base_manager.bulk_update(objects, auto_now)
    reset_sequences()
    # the copy went around the models' own managers: keep its figures as the import did
    refresh(
        products=Product.objects.values_list("pk", flat=True),
        orders=Order.objects.values_list("pk", flat=True),
        customers=Customer.objects.values_list("pk", flat=True),
    )
    return _seed_summaries


@pytest.fixture
def admin_user(db, django_user_model):
    """pytest-django's superuser, with an id the sample data never uses.

    The seed keeps the dataset's user ids (1-5); a superuser made first would otherwise hold
    id 1 and collide with john_doe (the user import refuses to overwrite a staff account).
    """
    return django_user_model.objects.create_superuser(
        pk=10_000, username="admin", email="admin@example.com", password="password"
    )


@pytest.fixture(autouse=True)
def private_import_dir(settings, tmp_path):
    """Every test gets its own private upload folder.

    The default folder is shared by every run on the machine: uploads a test (or an earlier run)
    left behind would be swept by another test's import and recorded against an account that
    only existed in that test. Tests that look inside the folder take this fixture by name.
    """
    settings.IMPORT_TEMP_DIR = tmp_path / "imports"
    return settings.IMPORT_TEMP_DIR


@pytest.fixture(autouse=True)
def _fresh_content_types():
    """Django caches content types per process; one made inside a test (the admin history of
    a model nothing had logged before, such as the product-tag links) is rolled back with the
    test but stays cached, and a later test's log entry would point at it."""
    from django.contrib.contenttypes.models import ContentType

    yield
    ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def _empty_cache():
    """The cache outlives each test's rolled-back transaction: start every test without it."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@dataclass
class BusyProduct:
    product: Product
    review_count: int
    avg_rating: float
    units_sold: int
    revenue: Decimal


@pytest.fixture
def busy_product(db):
    """A product with 3 reviews and 4 order lines, one of them in a cancelled order.

    A query joining reviews and order items in one aggregate would see 12 rows: review_count
    4 times too big, units sold and revenue 3 times too big.
    """
    product = ProductFactory(price=Decimal("10.00"), stock_quantity=7)
    for rating in (5, 4, 2):
        ReviewFactory(product=product, rating=rating)
    lines = [
        (OrderStatus.DELIVERED, 2, Decimal("10.00")),
        (OrderStatus.PENDING, 1, Decimal("12.50")),
        (OrderStatus.SHIPPED, 3, Decimal("9.99")),
        (OrderStatus.CANCELLED, 5, Decimal("10.00")),
    ]
    for status, quantity, price in lines:
        OrderItemFactory(
            order=OrderFactory(status=status), product=product, quantity=quantity, price=price
        )
    counted = [(q, p) for s, q, p in lines if s != OrderStatus.CANCELLED]
    return BusyProduct(
        product=product,
        review_count=3,
        avg_rating=(5 + 4 + 2) / 3,
        units_sold=sum(q for q, _ in counted),
        revenue=sum((q * p for q, p in counted), Decimal("0.00")),
    )


@pytest.fixture
def quiet_product(db):
    """A product with no reviews and no sales (figures must be 0, not NULL)."""
    return ProductFactory(category=CategoryFactory(), supplier=SupplierFactory(), stock_quantity=0)
