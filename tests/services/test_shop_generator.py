"""``manage.py generate_shop`` (issue 12): the shape it promises, measured on what it made, and
the app's rules checked on every row it wrote. Runs on SQLite and PostgreSQL alike."""

import io
import re
from collections import Counter
from datetime import date, timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q, Sum

from backoffice.cache import DASHBOARD_CACHE_KEY
from backoffice.models import (
    Category,
    Customer,
    InventoryLog,
    InventoryReason,
    Order,
    OrderItem,
    OrderStatus,
    Product,
    ProductMeta,
    Review,
    Supplier,
    Tag,
)
from backoffice.models.catalog import (
    MINIMUM_PRICE_BY_CATEGORY,
    SKU_PATTERN,
    SKU_PREFIX_BY_CATEGORY,
)
from backoffice.reports.quality import reviews_by_non_buyers
from backoffice.services.shop_generator import (
    OPENING_STOCK_NOTE,
    ShopSize,
    span_for,
    table_checksums,
)
from tests.factories import STAFF_PASSWORD, staff_user

User = get_user_model()
pytestmark = pytest.mark.django_db

ORDERS = 1_500
UNTIL = date(2026, 6, 15)


def generate(orders=ORDERS, seed=7, until=UNTIL, *extra):
    out = StringIO()
    call_command(
        "generate_shop", "--orders", str(orders), "--seed", str(seed),
        "--until", until.isoformat(), *extra, stdout=out,
    )  # fmt: skip
    return out.getvalue()


@pytest.fixture
def shop():
    return generate()


def test_counts_follow_the_number_of_orders(shop):
    size = ShopSize.for_orders(ORDERS)
    assert Order.objects.count() == ORDERS
    assert Product.objects.count() == size.products
    assert Customer.objects.count() == size.customers
    assert User.objects.filter(customer__isnull=False).count() == size.customers
    assert Supplier.objects.count() == size.suppliers
    assert Category.objects.count() == size.categories
    assert Tag.objects.count() == size.tags
    reviews = Review.objects.count()
    assert 0.2 * ORDERS <= reviews <= 0.4 * ORDERS
    assert set(SKU_PREFIX_BY_CATEGORY) <= set(Category.objects.values_list("name", flat=True))


def test_the_sizes_scale_with_n_to_the_issues_targets():
    big = ShopSize.for_orders(1_000_000)
    assert (big.products, big.customers, big.review_target) == (100_000, 200_000, 300_000)
    assert (big.suppliers, big.categories, big.tags) == (500, 50, 200)
    small = ShopSize.for_orders(200)
    assert small.products >= 50 and small.customers >= 30 and small.categories >= 5


def test_orders_have_one_to_six_distinct_products_about_three_on_average(shop):
    per_order = Order.objects.annotate(
        lines=Count("items"), products=Count("items__product", distinct=True)
    )
    lines = list(per_order.values_list("lines", "products"))
    assert all(1 <= n <= 6 for n, _ in lines)
    assert all(n == distinct for n, distinct in lines)
    average = sum(n for n, _ in lines) / len(lines)
    assert 2.7 <= average <= 3.3
    assert {n for n, _ in lines} == {1, 2, 3, 4, 5, 6}


def test_about_one_order_in_ten_is_cancelled(shop):
    cancelled = Order.objects.filter(status=OrderStatus.CANCELLED).count()
    assert 0.07 <= cancelled / ORDERS <= 0.13


def test_three_years_of_dates_old_orders_delivered_recent_ones_on_their_way(shop):
    start, end = span_for(UNTIL)
    dates = Order.objects.order_by("order_date").values_list("order_date", flat=True)
    assert start <= dates.first() < start + timedelta(days=30)
    assert end - timedelta(days=3) < dates.last() < end
    # the shop grows: more orders in its last year than in its first
    first_year = Order.objects.filter(order_date__lt=start + timedelta(days=365)).count()
    last_year = Order.objects.filter(order_date__gte=end - timedelta(days=365)).count()
    assert last_year > 1.5 * first_year

    old = Order.objects.filter(order_date__lt=end - timedelta(days=30))
    assert set(old.values_list("status", flat=True)) == {
        OrderStatus.DELIVERED,
        OrderStatus.CANCELLED,
    }
    recent = Order.objects.filter(order_date__gte=end - timedelta(days=3))
    assert recent.exclude(status__in=[OrderStatus.DELIVERED, OrderStatus.CANCELLED]).exists()
    delivered = Order.objects.filter(status=OrderStatus.DELIVERED)
    assert not delivered.filter(Q(delivery_date__isnull=True) | Q(delivery_date__gte=end)).exists()
    assert not delivered.filter(delivery_date__lt=F("order_date")).exists()
    assert not Order.objects.exclude(status=OrderStatus.DELIVERED).filter(
        delivery_date__isnull=False
    )


def test_a_few_products_and_customers_make_much_of_the_business(shop):
    lines = Counter(OrderItem.objects.values_list("product_id", flat=True))
    ranked = [n for _, n in lines.most_common()]
    top = max(1, Product.objects.count() // 10)
    assert sum(ranked[:top]) >= 0.25 * sum(ranked)  # uniform would be 10 %
    assert ranked[0] >= 5 * (sum(ranked) / len(ranked))

    orders_per_customer = Counter(Order.objects.values_list("customer_id", flat=True))
    counts = Counter(orders_per_customer.values())
    assert counts[1] == max(counts.values())  # one-order customers are the biggest group
    ranked = sorted(orders_per_customer.values(), reverse=True)
    top = max(1, Customer.objects.count() // 20)
    assert sum(ranked[:top]) >= 0.15 * ORDERS  # the top 5 % (uniform: 5 %)


def test_every_order_total_is_the_sum_of_its_items(shop):
    assert not Order.objects.with_item_totals().filter(total_differs=True).exists()
    item_prices = OrderItem.objects.values_list("product__price", "price")
    assert any(now != then for now, then in item_prices)  # prices moved over three years


def test_every_product_obeys_the_catalog_rules(shop):
    products = Product.objects.select_related("category")
    assert not products.filter(cost__isnull=False, price__lte=F("cost")).exists()
    assert not products.filter(stock_quantity__lt=0).exists()
    for category, minimum in MINIMUM_PRICE_BY_CATEGORY.items():
        assert not products.filter(category__name=category, price__lt=minimum).exists()
    pattern = re.compile(SKU_PATTERN)
    skus = list(products.exclude(sku=None).values_list("sku", "category__name"))
    assert all(pattern.match(sku) for sku, _ in skus)
    assert len({sku for sku, _ in skus}) == len(skus)
    for sku, category in skus:
        assert sku.startswith(SKU_PREFIX_BY_CATEGORY.get(category, ""))
    per_supplier = products.values("supplier", "name").annotate(n=Count("pk")).filter(n__gt=1)
    assert not per_supplier.exists()
    # the shop has what the reports look for
    assert products.filter(is_active=False).exists()
    assert products.filter(stock_quantity=0).exists()
    assert products.filter(stock_quantity__gt=0, stock_quantity__lt=10).exists()
    tags = Counter(products.annotate(n=Count("tags")).values_list("n", flat=True))
    assert set(tags) <= set(range(6)) and tags[0] and tags[5]
    assert ProductMeta.objects.exists()
    assert not Supplier.objects.filter(Q(rating__lt=1.0) | Q(rating__gt=5.0)).exists()


def test_the_stock_ledger_holds_for_every_product(shop):
    logged = dict(
        InventoryLog.objects.values("product").annotate(s=Sum("change")).values_list("product", "s")
    )
    for pk, stock in Product.objects.values_list("pk", "stock_quantity"):
        assert logged.get(pk, 0) == stock
    logs = InventoryLog.objects.all()
    assert set(logs.values_list("reason", flat=True)) == {InventoryReason.ADJUSTMENT}
    assert set(logs.values_list("note", flat=True)) == {OPENING_STOCK_NOTE}
    assert not logs.exclude(stock_after=F("product__stock_quantity")).exists()


def test_reviews_come_from_buyers_once_per_product_mostly_positive(shop):
    assert not reviews_by_non_buyers().exists()
    pairs = list(Review.objects.values_list("customer", "product"))
    assert len(set(pairs)) == len(pairs)
    ratings = Counter(Review.objects.values_list("rating", flat=True))
    assert set(ratings) == {1, 2, 3, 4, 5}
    assert ratings[5] + ratings[4] > 2 * (ratings[1] + ratings[2])


def test_customer_accounts_are_unique_unusable_and_never_staff(shop):
    users = User.objects.filter(customer__isnull=False)
    assert not users.filter(Q(is_staff=True) | Q(is_superuser=True)).exists()
    assert all(u.password.startswith("!") and not u.has_usable_password() for u in users)
    assert users.values("email").distinct().count() == users.count()
    assert all(len(phone) <= 15 for phone in Customer.objects.values_list("phone", flat=True))
    # every customer had joined before ordering
    assert not Order.objects.filter(order_date__lt=F("customer__user__date_joined")).exists()


@pytest.mark.parametrize(
    "model", [Category, Supplier, Tag, Product, ProductMeta, Customer, Order, OrderItem, Review]
)
def test_a_sample_of_every_table_passes_full_clean(shop, model):
    rows = list(model._base_manager.order_by("pk"))
    for row in rows[:: max(1, len(rows) // 40)]:
        row.full_clean()
    for user in User.objects.filter(customer__isnull=False).order_by("pk")[:20]:
        user.full_clean()


def test_the_same_arguments_give_the_same_shop_and_another_seed_another():
    generate()
    first = table_checksums()
    generate(ORDERS, 7, UNTIL, "--replace")
    assert table_checksums() == first
    generate(ORDERS, 8, UNTIL, "--replace")
    other = table_checksums()
    assert other["backoffice_order"] != first["backoffice_order"]
    assert other["backoffice_product"] != first["backoffice_product"]


def test_a_shop_is_not_overwritten_without_replace_and_staff_survive_replace():
    staff = staff_user("backoffice.view_order", username="manager")
    generate(300)
    before = table_checksums()
    with pytest.raises(CommandError, match="already holds shop data.*--replace"):
        generate(300, 9)
    assert table_checksums() == before

    generate(300, 9, UNTIL, "--replace")
    staff.refresh_from_db()
    assert staff.is_staff and staff.check_password(STAFF_PASSWORD)
    assert Order.objects.count() == 300
    assert not User.objects.filter(customer__isnull=True).exclude(pk=staff.pk).exists()


def test_a_lone_customer_account_counts_as_shop_data():
    User.objects.create_user("someone", password=None)
    with pytest.raises(CommandError, match="already holds shop data"):
        generate(200)


def test_new_rows_after_generation_get_the_next_ids(shop):
    product = Product.objects.create(
        name="Made afterwards",
        price="10.00",
        category=Category.objects.get(name="Books"),
        supplier=Supplier.objects.first(),
    )
    assert product.pk == Product.objects.exclude(pk=product.pk).order_by("-pk").first().pk + 1
    order = Order.objects.create(customer=Customer.objects.first())
    assert order.pk == ORDERS + 1
    user = User.objects.create_user("after", password=None)
    assert user.pk == User.objects.exclude(pk=user.pk).order_by("-pk").first().pk + 1


def test_the_dashboard_cache_is_cleared():
    cache.set(DASHBOARD_CACHE_KEY, {"stale": True})
    generate(200)
    assert cache.get(DASHBOARD_CACHE_KEY) is None


def test_the_command_prints_every_table_with_its_rows_and_a_total(shop):
    for table, model in (("backoffice_order", Order), ("backoffice_orderitem", OrderItem)):
        line = next(line for line in shop.splitlines() if line.strip().startswith(table))
        assert f"{model.objects.count():,}" in line and line.rstrip().endswith("s")
    assert shop.splitlines()[-1].startswith("total")


def test_orders_out_of_range_are_refused():
    with pytest.raises(CommandError, match="--orders must be between"):
        generate(0)


def test_every_kept_figure_is_true_for_the_generated_shop(shop):
    """The generator writes around the models (COPY), then rebuilds the kept figures:
    ``rebuild_figures --check`` finds nothing to correct."""
    from django.core.management import call_command

    from backoffice.figures.rebuild import check

    assert check() == []
    call_command("rebuild_figures", "--check", stdout=io.StringIO())


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_committed_shop_is_vacuumed_so_index_only_scans_skip_the_heap():
    """Outside a transaction (the command as staff run it) the load ends with VACUUM
    (ANALYZE): the visibility maps are set, so a tag's product count reads its index only."""
    from django.db import connection

    output = generate(200)
    assert "(VACUUM ANALYZE)" in output
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE last_vacuum IS NULL AND relname IN "
            "('backoffice_product_tags', 'backoffice_orderitem', 'backoffice_categoryfigures')"
        )
        assert cursor.fetchall() == []
        cursor.execute(
            "SELECT relallvisible, relpages FROM pg_class WHERE relname = 'backoffice_orderitem'"
        )
        all_visible, pages = cursor.fetchone()
    assert pages > 0 and all_visible == pages


def test_inside_a_transaction_the_load_is_not_vacuumed(shop):
    assert "(VACUUM ANALYZE)" not in shop  # VACUUM cannot run in a transaction block
