"""A big, realistic, deterministic shop on demand: ``manage.py generate_shop`` (issue 12).

One generator of rows, two writers. The rows of every table are made here in Python, from
seeded streams, and written set-wise: ``COPY … FROM STDIN`` on PostgreSQL (psycopg's C
``write_row``), ``executemany`` in batches on SQLite. Not the ORM row by row (a million orders
would take hours), and not two generators (one in SQL, one in Python) that would have to be
kept saying the same thing: the shapes live in one place, and for the same N, seed and end
date both writers are handed the same rows (customer accounts' ids start past the staff's).

Determinism: every table draws from its own ``random.Random`` seeded with the text
``"shop:<seed>:<table>"`` and only ever calls ``random()`` on it, the one method whose sequence
Python promises to keep across versions (``randrange``, ``choices`` and ``shuffle`` may change);
integers, picks and shuffles are built from it here. Never the database's ``random()``. Dates
are laid out backwards from ``until`` (midnight UTC, exclusive), never from "now".

The rows obey the app's rules (docs/design.md and the models' checks): SKUs with the category
prefix, price above cost, luxury categories at 100 or more, stock never negative, one product
name per supplier, totals equal to their items, delivery after the order, reviews by customers
who bought the product, one per customer and product, customer accounts with unusable
passwords. Generated orders are history, like imported ones: they move no stock and have no
status timeline; each product's opening stock is one inventory log row.
"""

import bisect
import hashlib
import json
import math
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction

from backoffice.cache import dashboard_changed, dashboard_invalidate
from backoffice.figures.rebuild import rebuild
from backoffice.models import (
    Category,
    CategoryFigures,
    Customer,
    CustomerFigures,
    DayCategorySales,
    DaySales,
    InventoryLog,
    InventoryReason,
    Order,
    OrderFigures,
    OrderItem,
    OrderStatus,
    OrderStatusChange,
    Product,
    ProductFigures,
    ProductMeta,
    Review,
    Supplier,
    SupplierFigures,
    Tag,
)
from backoffice.models.catalog import MINIMUM_PRICE_BY_CATEGORY, SKU_PREFIX_BY_CATEGORY

User = get_user_model()
ProductTag = Product.tags.through

# Products are N/10 and a SKU holds at most 6 digits after its prefix.
MAX_ORDERS = 9_999_990
OPENING_STOCK_NOTE = "Opening stock of the generated shop (manage.py generate_shop)."
# Rows per COPY / executemany batch, and orders generated between two writes (their items and
# reviews are written with them, so memory stays flat whatever N is).
BATCH = 5_000
ORDER_CHUNK = 50_000

# --- Shape. Each number is a knob of the "realistic shape" the issue asks for. ---
YEARS = 3
ITEMS_PER_ORDER_WEIGHTS = (0.15, 0.24, 0.27, 0.18, 0.10, 0.06)  # 1..6 items, mean ~3.0
QUANTITY_WEIGHTS = (0.70, 0.18, 0.07, 0.03, 0.02)  # 1..5 units per line
CANCELLED_SHARE = 0.10
# Zipf-like: the k-th most popular product sells in proportion to 1/(k + 5)^0.9; at 1M orders
# the best seller is in ~3.5 % of orders, the top 1 % of products make ~40 % of the lines and
# the bottom half ~10 %.
PRODUCT_POPULARITY_EXPONENT = 0.9
PRODUCT_POPULARITY_OFFSET = 5.0
SUPPLIER_SIZE_EXPONENT = 0.8  # a few suppliers carry many products
TAG_POPULARITY_EXPONENT = 0.9
TAGS_PER_PRODUCT_WEIGHTS = (0.15, 0.25, 0.25, 0.18, 0.11, 0.06)  # 0..5 tags
# Of the orders, this share is placed by regulars: a customer drawn as int(joined * u^1.5), so
# early customers order most. At 1M orders the busiest places ~200 (one every five days), the
# top 1 % ~6 % of orders, ~15 % of customers order once and ~15 % never.
REGULAR_SHARE = 0.35
REGULAR_EXPONENT = 1.5
REVIEW_CHANCE = 0.112  # per delivered line: ~0.3 reviews per order in the end
RATING_WEIGHTS = (  # 1..5 stars, by the product's quality: skewed positive
    (0.02, 0.03, 0.08, 0.32, 0.55),
    (0.05, 0.07, 0.15, 0.35, 0.38),
    (0.18, 0.17, 0.22, 0.25, 0.18),
)
INACTIVE_SHARE = 0.05
OUT_OF_STOCK_SHARE = 0.07
LOW_STOCK_SHARE = 0.12
NO_SKU_SHARE = 0.03
NO_COST_SHARE = 0.05
METADATA_SHARE = 0.3


@dataclass(frozen=True)
class ShopSize:
    """How many rows of each kind N orders come with: in proportion, with minimums that keep a
    200-order shop usable (every report has rows, every category products)."""

    orders: int
    products: int
    customers: int
    review_target: int
    suppliers: int
    categories: int
    tags: int

    @classmethod
    def for_orders(cls, orders: int) -> "ShopSize":
        return cls(
            orders=orders,
            products=max(orders // 10, 60),
            customers=max(orders // 5, 40),
            review_target=round(orders * 0.3),
            suppliers=max(round(orders / 2000), 6),
            categories=min(50, max(8, orders // 20_000)),
            tags=min(200, max(24, orders // 5_000)),
        )


class ShopGeneratorError(Exception):
    """The shop cannot be generated; the message says why and what to do."""


@dataclass
class TableDone:
    table: str
    rows: int
    seconds: float


# --- Words. Small fixed lists: the generator must not depend on Faker (a test dependency). ---
# Categories: the four with SKU prefixes and the two luxury ones first, then ordinary ones.
CATEGORY_NAMES = (
    "Electronics", "Clothing", "Books", "Sports", "Premium", "Home & Garden", "Toys", "Beauty",
    "Kitchen", "Office", "Music", "Outdoor", "Pet Supplies", "Automotive", "Health", "Jewelry",
    "Shoes", "Baby", "Groceries", "Crafts", "Tools", "Furniture", "Lighting", "Games",
    "Stationery", "Travel", "Garden Tools", "Watches", "Bags", "Photography", "Computers",
    "Phones", "Audio", "Video Games", "Fitness", "Cycling", "Camping", "Fishing", "Party",
    "Seasonal", "Bath", "Bedding", "Storage", "Cleaning", "Art Supplies", "Movies", "Magazines",
    "Software", "Collectibles", "Gifts",
)  # fmt: skip
# Prices in cents (low, high), drawn log-uniformly: most things are cheap, a few dear.
PRICE_RANGE_BY_CATEGORY = {
    "Electronics": (10_000, 250_000),
    "Premium": (10_000, 500_000),
    "Clothing": (900, 25_000),
    "Books": (499, 6_000),
    "Sports": (999, 60_000),
    "Jewelry": (2_000, 300_000),
    "Furniture": (4_000, 200_000),
    "Computers": (20_000, 400_000),
    "Groceries": (99, 3_000),
    "Stationery": (99, 4_000),
}
DEFAULT_PRICE_RANGE = (499, 30_000)
NOUNS_BY_CATEGORY = {
    "Electronics": ("Headphones", "Speaker", "Smartwatch", "Tablet", "Camera", "Monitor", "Router", "Charger"),
    "Clothing": ("T-Shirt", "Jacket", "Jeans", "Sweater", "Dress", "Hoodie", "Scarf", "Shorts"),
    "Books": ("Novel", "Cookbook", "Guide", "Biography", "Atlas", "Anthology", "Handbook", "Primer"),
    "Sports": ("Running Shoes", "Yoga Mat", "Football", "Racket", "Dumbbells", "Helmet", "Gloves", "Bottle"),
    "Premium": ("Leather Bag", "Espresso Machine", "Silk Robe", "Fountain Pen", "Cashmere Coat", "Chronograph"),
}  # fmt: skip
GENERIC_NOUNS = ("Set", "Kit", "Pack", "Essentials", "Collection", "Bundle", "Classic", "Basics")
ADJECTIVES = (
    "Classic", "Compact", "Deluxe", "Eco", "Everyday", "Lightweight", "Modern", "Pro", "Smart",
    "Soft", "Sturdy", "Ultra", "Vintage", "Wireless", "Essential", "Premium", "Urban", "Nordic",
)  # fmt: skip
TAG_WORDS = (
    "bestseller", "new-arrival", "sale", "gift", "eco-friendly", "handmade", "limited", "organic",
    "wireless", "waterproof", "kids", "men", "women", "unisex", "summer", "winter", "spring",
    "autumn", "outdoor", "indoor", "travel", "office", "home", "kitchen", "fitness", "vintage",
    "luxury", "budget", "compact", "durable", "lightweight", "portable", "smart", "classic",
    "modern", "minimalist", "recycled", "vegan", "local", "imported", "red", "blue", "green",
    "black", "white", "grey", "cotton", "leather", "wood", "steel",
)  # fmt: skip
TAG_QUALIFIERS = ("", "best", "top", "trending", "staff-pick")
SUPPLIER_WORDS = (
    "Acme", "Apex", "Blue", "Bright", "Cedar", "Crown", "Delta", "Eagle", "Global", "Golden",
    "Harbor", "Iron", "Lake", "Maple", "Metro", "North", "Oak", "Pacific", "Peak", "Pioneer",
    "Prime", "River", "Silver", "Star", "Summit", "Sun", "United", "Valley", "West", "Zenith",
)  # fmt: skip
SUPPLIER_KINDS = (
    "Trading", "Supply", "Goods", "Wholesale", "Imports", "Distribution", "Industries",
    "Partners", "Sourcing", "Traders", "Merchants", "Logistics", "Works", "Group", "Brands",
    "Depot", "Outlet", "Market", "Exchange", "Provisions",
)  # fmt: skip
FIRST_NAMES = (
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William",
    "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Charles", "Karen", "Daniel", "Nancy", "Matthew", "Lisa", "Anthony", "Betty", "Mark",
    "Sandra", "Paul", "Ashley", "Steven", "Emily", "Andrew", "Donna", "Kevin", "Michelle",
    "Brian", "Carol", "George", "Amanda", "Lucas", "Sofia", "Noah", "Emma", "Liam", "Olivia",
    "Mateo", "Chloe", "Yuki", "Amara",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
)  # fmt: skip
STREETS = (
    "Main St",
    "Oak Ave",
    "Maple Rd",
    "Park Lane",
    "High St",
    "Cedar Ct",
    "Elm St",
    "Lake Dr",
)
CITIES = (
    "Springfield",
    "Riverside",
    "Fairview",
    "Greenville",
    "Madison",
    "Franklin",
    "Georgetown",
    "Salem",
)
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
COLORS = ("black", "white", "red", "blue", "green", "grey", "navy", "beige")
REVIEW_COMMENTS = (
    ("Broke after a week.", "Not as described.", "Disappointed, would not buy again."),
    ("Below expectations.", "Works, barely.", "Quality could be much better."),
    ("It's okay.", "Average, does the job.", "Fine for the price."),
    ("Good value.", "Very happy with it.", "Works well, quick delivery."),
    ("Excellent!", "Exactly what I needed.", "Outstanding quality, highly recommended."),
)
ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


# --- Drawing from a stream: built on random() alone (see the module's docstring). ---
def stream(seed: int, table: str) -> Callable[[], float]:
    return random.Random(f"shop:{seed}:{table}").random


def below(draw: Callable[[], float], n: int) -> int:
    """0 <= i < n."""
    return min(int(draw() * n), n - 1)


def cumulative(weights: Iterable[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def zipf_cumulative(n: int, exponent: float, offset: float = 2.0) -> list[float]:
    """Cumulative weights of ranks 0..n-1, rank k weighing 1/(k + offset)^exponent: a long tail."""
    return cumulative(1.0 / (k + offset) ** exponent for k in range(n))


def pick(draw: Callable[[], float], cum: Sequence[float]) -> int:
    return min(bisect.bisect_right(cum, draw() * cum[-1]), len(cum) - 1)


def permutation(draw: Callable[[], float], n: int) -> list[int]:
    """Fisher–Yates from random() alone (``random.shuffle`` may change between versions)."""
    items = list(range(n))
    for i in range(n - 1, 0, -1):
        j = below(draw, i + 1)
        items[i], items[j] = items[j], items[i]
    return items


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def log_uniform(draw: Callable[[], float], low: int, high: int) -> int:
    return int(math.exp(math.log(low) + draw() * (math.log(high) - math.log(low))))


# --- The time line. ---
def span_for(until: date) -> tuple[datetime, datetime]:
    """Three years up to ``until`` at midnight UTC (exclusive): with today's date nothing is in
    the future, and the same ``until`` gives the same dates whenever it runs."""
    end = datetime.combine(until, clock(), tzinfo=UTC)
    try:
        start = end.replace(year=end.year - YEARS)
    except ValueError:  # 29 February
        start = end.replace(year=end.year - YEARS, day=28)
    return start, end


def growth_position(u: float) -> float:
    """Where in the span (0..1) the u-th quantile of orders falls when the shop grows: the
    order rate rises linearly to three times its first rate (density 1 + 2t)."""
    return (math.sqrt(1.0 + 8.0 * u) - 1.0) / 2.0


# --- Writers. ---
class Writer:
    """Writes rows (tuples in ``columns`` order) into a model's table, in batches, without the
    ORM: COPY on PostgreSQL, executemany elsewhere. Values are Python ints, strings, booleans,
    None, aware UTC datetimes, dates, and money as text ("12.34")."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]):
        self.model = model
        fields = {f.attname: f for f in model._meta.concrete_fields}
        self.columns = [fields[name].column for name in columns]
        self.kinds = [fields[name].get_internal_type() for name in columns]
        self.rows = 0

    def write(self, rows: Iterable[tuple]) -> int:
        table = connection.ops.quote_name(self.model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        written = 0
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        written += 1
            else:
                sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(self.columns))})"
                adapt = self._adapters()
                batch = []
                for row in rows:
                    batch.append([a(v) if a else v for a, v in zip(adapt, row, strict=True)])
                    if len(batch) >= BATCH:
                        cursor.executemany(sql, batch)
                        written += len(batch)
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
                    written += len(batch)
        self.rows += written
        return written

    def _adapters(self):
        ops = connection.ops
        by_kind = {
            "DateTimeField": lambda v: None if v is None else ops.adapt_datetimefield_value(v),
            "DateField": lambda v: None if v is None else ops.adapt_datefield_value(v),
        }
        return [by_kind.get(kind) for kind in self.kinds]


# --- The shop. ---
@dataclass
class CatalogProduct:
    """What the order pass needs to know of a product."""

    category_id: int
    price_cents: int
    drift: float  # how much cheaper it was per year back (price history)
    quality: int  # 0 good, 1 fair, 2 poor: picks its rating weights


class ShopGenerator:
    """Makes the rows of every table in dependency order; ``progress`` hears of each table."""

    def __init__(
        self,
        orders: int,
        *,
        seed: int = 1,
        until: date,
        progress: Callable[[TableDone], None] | None = None,
    ):
        if not 1 <= orders <= MAX_ORDERS:
            raise ShopGeneratorError(f"--orders must be between 1 and {MAX_ORDERS:,}.")
        self.size = ShopSize.for_orders(orders)
        self.seed = seed
        self.start, self.end = span_for(until)
        self.progress = progress
        self.done: list[TableDone] = []

    def draw(self, table: str) -> Callable[[], float]:
        return stream(self.seed, table)

    def at(self, position: float) -> datetime:
        """The instant at ``position`` (0..1) of the span, to the second."""
        seconds = int(position * (self.end - self.start).total_seconds())
        return self.start + timedelta(seconds=seconds)

    def _report(self, table: str, rows: int, began: float) -> None:
        done = TableDone(table, rows, time.perf_counter() - began)
        self.done.append(done)
        if self.progress:
            self.progress(done)

    def _table(self, model, columns, rows, label=None) -> int:
        began = time.perf_counter()
        written = Writer(model, columns).write(rows)
        self._report(label or model._meta.db_table, written, began)
        return written

    def run(self) -> list[TableDone]:
        self.categories()
        self.suppliers()
        self.tags()
        self.products()
        self.product_tags()
        self.product_metadata()
        self.opening_stock()
        self.users_and_customers()
        self.orders_items_reviews()
        return self.done

    # Catalog -------------------------------------------------------------------------------
    def category_names(self) -> list[str]:
        return list(CATEGORY_NAMES[: self.size.categories])

    def categories(self):
        created = self.start - timedelta(days=730)
        rows = (
            (i + 1, name, f"{name}: generated catalog.", created)
            for i, name in enumerate(self.category_names())
        )
        self._table(Category, ["id", "name", "description", "created_at"], rows)

    def suppliers(self):
        draw = self.draw("suppliers")
        words, kinds = len(SUPPLIER_WORDS), len(SUPPLIER_KINDS)

        def rows():
            for i in range(self.size.suppliers):
                name = f"{SUPPLIER_WORDS[i % words]} {SUPPLIER_KINDS[(i // words) % kinds]}"
                if i >= words * kinds:
                    name += f" {i // (words * kinds) + 1}"
                slug = name.lower().replace(" ", "-")
                rating = round(min(5.0, max(1.0, 5.2 - 3.5 * draw() ** 2)), 1)
                yield (
                    i + 1,
                    name,
                    f"orders@{slug}.example.com",
                    f"+1-555-{i:06d}",
                    f"{1 + below(draw, 999)} {STREETS[below(draw, len(STREETS))]}, "
                    f"{CITIES[below(draw, len(CITIES))]}",
                    rating,
                )

        self._table(Supplier, ["id", "name", "email", "phone", "address", "rating"], rows())

    def tag_names(self) -> list[str]:
        names = []
        for qualifier in TAG_QUALIFIERS:
            for word in TAG_WORDS:
                names.append(f"{qualifier}-{word}" if qualifier else word)
        while len(names) < self.size.tags:  # only past 250 tags
            names.append(f"tag-{len(names) + 1}")
        return names[: self.size.tags]

    def tags(self):
        rows = ((i + 1, name) for i, name in enumerate(self.tag_names()))
        self._table(Tag, ["id", "name"], rows)

    def products(self):
        """Products, and what the order pass needs of them (``self.catalog``).

        Catalog dates fall in the year before the first order: every product existed when it
        was sold. Some are inactive, out of stock or low; some have no SKU or no cost (both are
        optional)."""
        draw = self.draw("products")
        size = self.size
        names = self.category_names()
        category_cum = zipf_cumulative(len(names), 0.6, offset=1.0)
        supplier_order = permutation(draw, size.suppliers)
        supplier_cum = zipf_cumulative(size.suppliers, SUPPLIER_SIZE_EXPONENT)
        self.catalog: list[CatalogProduct] = []
        first_sale = self.start

        def rows():
            for i in range(size.products):
                pid = i + 1
                category_index = pick(draw, category_cum)
                category = names[category_index]
                low, high = PRICE_RANGE_BY_CATEGORY.get(category, DEFAULT_PRICE_RANGE)
                minimum = MINIMUM_PRICE_BY_CATEGORY.get(category)
                if minimum is not None:
                    low = max(low, int(minimum * 100))
                price = log_uniform(draw, low, high)
                price = max(low, price - price % 100 + 99 if price >= 1_000 else price)
                cost = None if draw() < NO_COST_SHARE else int(price * (0.35 + 0.45 * draw()))
                roll = draw()
                if roll < OUT_OF_STOCK_SHARE:
                    stock = 0
                elif roll < OUT_OF_STOCK_SHARE + LOW_STOCK_SHARE:
                    stock = 1 + below(draw, 9)
                else:
                    stock = log_uniform(draw, 10, 600)
                prefix = SKU_PREFIX_BY_CATEGORY.get(category) or _prefix(category_index)
                sku = None if draw() < NO_SKU_SHARE else f"{prefix}{pid:06d}"
                nouns = NOUNS_BY_CATEGORY.get(category, GENERIC_NOUNS)
                noun = nouns[below(draw, len(nouns))]
                if nouns is GENERIC_NOUNS:
                    noun = f"{category} {noun}"
                name = f"{ADJECTIVES[below(draw, len(ADJECTIVES))]} {noun} {pid:05d}"
                created = first_sale - timedelta(seconds=int(draw() * 365 * 86_400) + 1)
                self.catalog.append(
                    CatalogProduct(
                        category_index + 1, price, 0.06 * draw(), pick(draw, (0.55, 0.9, 1.0))
                    )
                )
                yield (
                    pid,
                    name,
                    sku,
                    f"{name}, sold by the generated shop.",
                    money(price),
                    None if cost is None else money(cost),
                    stock,
                    category_index + 1,
                    supplier_order[pick(draw, supplier_cum)] + 1,
                    draw() >= INACTIVE_SHARE,
                    created,
                    created,
                    1,
                )

        columns = [
            "id", "name", "sku", "description", "price", "cost", "stock_quantity",
            "category_id", "supplier_id", "is_active", "created_at", "updated_at", "edit_version",
        ]  # fmt: skip
        self._table(Product, columns, rows())

    def product_tags(self):
        draw = self.draw("product_tags")
        tag_order = permutation(draw, self.size.tags)
        tag_cum = zipf_cumulative(self.size.tags, TAG_POPULARITY_EXPONENT)
        count_cum = cumulative(TAGS_PER_PRODUCT_WEIGHTS)

        def rows():
            link = 0
            for pid in range(1, self.size.products + 1):
                wanted = min(pick(draw, count_cum), self.size.tags)
                chosen: list[int] = []
                while len(chosen) < wanted:
                    tag = tag_order[pick(draw, tag_cum)] + 1
                    if tag not in chosen:
                        chosen.append(tag)
                for tag in chosen:
                    link += 1
                    yield (link, pid, tag)

        self._table(ProductTag, ["id", "product_id", "tag_id"], rows())

    def product_metadata(self):
        draw = self.draw("product_metadata")
        names = self.category_names()
        electronics = names.index("Electronics") + 1

        def rows():
            meta_id = 0
            for pid, product in enumerate(self.catalog, 1):
                if draw() >= METADATA_SHARE:
                    continue
                meta = {"color": COLORS[below(draw, len(COLORS))]}
                if product.category_id == electronics:
                    meta["warranty_years"] = 1 + below(draw, 3)
                meta_id += 1
                yield (meta_id, pid, json.dumps(meta))

        self._table(ProductMeta, ["id", "product_id", "metadata"], rows())

    def opening_stock(self):
        """One adjustment per product that opens with stock, so the log's changes add up to
        every product's stock; a product that opens with none has no row (a log change is
        never zero)."""
        stocked = Product.objects.filter(stock_quantity__gt=0).order_by("pk")
        # Read before writing: a COPY holds the connection until it ends.
        opening = list(stocked.values_list("pk", "stock_quantity", "created_at"))

        def rows():
            for log_id, (pid, stock, created) in enumerate(opening, 1):
                yield (log_id, pid, None, stock, stock, InventoryReason.ADJUSTMENT.value,
                       OPENING_STOCK_NOTE, None, created)  # fmt: skip

        columns = [
            "id", "product_id", "user_id", "change", "stock_after", "reason", "note",
            "import_record_id", "created_at",
        ]  # fmt: skip
        self._table(InventoryLog, columns, rows())

    # People --------------------------------------------------------------------------------
    def users_and_customers(self):
        """Customer accounts join over the span (the first before it starts), so an order is
        only ever placed by a customer who had joined; ``self.joined`` keeps their join times."""
        draw = self.draw("customers")
        customers = self.size.customers
        user_offset = User._base_manager.aggregate(top=models.Max("pk"))["top"] or 0
        lead_in = 90 * 86_400  # the first customers joined up to 90 days before the first order
        span = (self.end - self.start).total_seconds()
        self.joined: list[datetime] = []
        for k in range(customers):
            position = growth_position((k + draw()) / customers) * 0.98
            offset = int(position * (span + lead_in)) - lead_in
            self.joined.append(self.start + timedelta(seconds=offset))
        self.joined.sort()
        self.joined[0] = min(self.joined[0], self.start)
        self.user_offset = user_offset
        people = []
        for _ in range(customers):
            first = FIRST_NAMES[below(draw, len(FIRST_NAMES))]
            last = LAST_NAMES[below(draw, len(LAST_NAMES))]
            people.append((first, last, EMAIL_DOMAINS[below(draw, len(EMAIL_DOMAINS))]))

        def users():
            password_draw = self.draw("passwords")
            letters = len(ALPHANUMERIC)
            for k, (first, last, domain) in enumerate(people):
                handle = f"{first}.{last}.{k + 1}".lower()
                password = "!" + "".join(
                    ALPHANUMERIC[below(password_draw, letters)] for _ in range(40)
                )
                yield (
                    user_offset + k + 1, password, None, False, handle, first, last,
                    f"{handle}@{domain}", False, True, self.joined[k],
                )  # fmt: skip

        user_columns = [
            "id", "password", "last_login", "is_superuser", "username", "first_name",
            "last_name", "email", "is_staff", "is_active", "date_joined",
        ]  # fmt: skip
        self._table(User, user_columns, users(), label=f"{User._meta.db_table} (customers)")

        end_day = self.end.date()

        def profiles():
            for k in range(customers):
                birth = None
                if draw() < 0.85:
                    birth = end_day - timedelta(days=int((18 + 62 * draw() ** 1.5) * 365.25))
                yield (
                    k + 1,
                    user_offset + k + 1,
                    f"+1-555-{k + 1:07d}",
                    f"{1 + below(draw, 9999)} {STREETS[below(draw, len(STREETS))]}, "
                    f"{CITIES[below(draw, len(CITIES))]}",
                    birth,
                )

        self._table(Customer, ["id", "user_id", "phone", "address", "date_of_birth"], profiles())

    # Sales ---------------------------------------------------------------------------------
    def orders_items_reviews(self):
        """Orders in date order, each with 1–6 distinct products from a Zipf-like popularity
        (product ranks shuffled so the best sellers spread over categories), items at the price
        of the day (a little cheaper the further back), the total their exact sum. Old orders
        are delivered, recent ones pending to shipped, about one in ten cancelled. Reviews come
        from delivered lines, at most one per customer and product, after the delivery."""
        draw = self.draw("orders")
        review_draw = self.draw("reviews")
        size = self.size
        catalog = self.catalog
        product_order = permutation(draw, size.products)
        product_cum = zipf_cumulative(
            size.products, PRODUCT_POPULARITY_EXPONENT, PRODUCT_POPULARITY_OFFSET
        )
        count_cum = cumulative(ITEMS_PER_ORDER_WEIGHTS)
        quantity_cum = cumulative(QUANTITY_WEIGHTS)
        rating_cums = [cumulative(w) for w in RATING_WEIGHTS]
        joined = self.joined
        end = self.end
        reviewed: set[tuple[int, int]] = set()
        order_writer = Writer(
            Order,
            ["id", "customer_id", "status", "total_amount", "order_date", "delivery_date",
             "edit_version"],
        )  # fmt: skip
        item_writer = Writer(OrderItem, ["id", "order_id", "product_id", "quantity", "price"])
        review_writer = Writer(
            Review, ["id", "customer_id", "product_id", "rating", "comment", "created_at"]
        )
        seconds = {"orders": 0.0, "items": 0.0, "reviews": 0.0, "generate": 0.0}
        item_id = review_id = 0
        n = size.orders
        for chunk_start in range(0, n, ORDER_CHUNK):
            began = time.perf_counter()
            orders, items, reviews = [], [], []
            for i in range(chunk_start, min(n, chunk_start + ORDER_CHUNK)):
                order_id = i + 1
                ordered = self.at(growth_position((i + draw()) / n))
                # Customers who had joined by then: a regular (early, heavily skewed) or anyone.
                joined_count = max(1, bisect.bisect_right(joined, ordered))
                if draw() < REGULAR_SHARE:
                    customer = 1 + int(joined_count * draw() ** REGULAR_EXPONENT)
                else:
                    customer = 1 + below(draw, joined_count)
                customer = min(customer, joined_count)
                status, delivered = self._status(draw, ordered)
                years_back = (end - ordered).total_seconds() / (365.25 * 86_400)
                wanted = pick(draw, count_cum) + 1
                chosen: list[int] = []
                while len(chosen) < wanted:
                    product = product_order[pick(draw, product_cum)] + 1
                    if product not in chosen:
                        chosen.append(product)
                total = 0
                for product in chosen:
                    info = catalog[product - 1]
                    quantity = pick(draw, quantity_cum) + 1
                    price = round(info.price_cents * (1.0 - info.drift * years_back))
                    if draw() < 0.04:  # a promotion on the day
                        price = round(price * (0.75 + 0.15 * draw()))
                    price = max(price, 1)
                    total += quantity * price
                    item_id += 1
                    items.append((item_id, order_id, product, quantity, money(price)))
                    if (
                        delivered is not None
                        and review_draw() < REVIEW_CHANCE
                        and (customer, product) not in reviewed
                    ):
                        written = delivered + timedelta(
                            seconds=int(86_400 * (1 + 29 * review_draw()))
                        )
                        if written < end:
                            reviewed.add((customer, product))
                            rating = pick(review_draw, rating_cums[info.quality]) + 1
                            comments = REVIEW_COMMENTS[rating - 1]
                            review_id += 1
                            reviews.append((
                                review_id, customer, product, rating,
                                comments[below(review_draw, len(comments))], written,
                            ))  # fmt: skip
                orders.append((order_id, customer, status, money(total), ordered, delivered, 1))
            seconds["generate"] += time.perf_counter() - began
            for name, writer, rows in (
                ("orders", order_writer, orders),
                ("items", item_writer, items),
                ("reviews", review_writer, reviews),
            ):
                began = time.perf_counter()
                writer.write(rows)
                seconds[name] += time.perf_counter() - began
        # The generation time is shared out by rows: it is one pass for the three tables.
        rows_total = order_writer.rows + item_writer.rows + review_writer.rows
        for name, writer in (
            ("orders", order_writer),
            ("items", item_writer),
            ("reviews", review_writer),
        ):
            share = seconds["generate"] * writer.rows / max(rows_total, 1)
            done = TableDone(writer.model._meta.db_table, writer.rows, seconds[name] + share)
            self.done.append(done)
            if self.progress:
                self.progress(done)

    def _status(self, draw, ordered: datetime) -> tuple[str, datetime | None]:
        """The status an order of that age has by ``until``, and its delivery date."""
        if draw() < CANCELLED_SHARE:
            return OrderStatus.CANCELLED.value, None
        age_days = (self.end - ordered).total_seconds() / 86_400
        roll = draw()
        if age_days < 1:
            return (OrderStatus.PENDING if roll < 0.6 else OrderStatus.PROCESSING).value, None
        if age_days < 3:
            if roll < 0.15:
                return OrderStatus.PENDING.value, None
            if roll < 0.6:
                return OrderStatus.PROCESSING.value, None
            return OrderStatus.SHIPPED.value, None
        if age_days < 10 and roll < 0.1:
            return OrderStatus.PROCESSING.value, None
        delivered = ordered + timedelta(seconds=int(86_400 * (1 + 8 * draw())))
        if delivered >= self.end:
            return OrderStatus.SHIPPED.value, None
        return OrderStatus.DELIVERED.value, delivered


def _prefix(category_index: int) -> str:
    """A distinct three-letter SKU prefix for a category without a rule ("CAA-", "CAB-", …);
    no letter pair of the four ruled prefixes can come out."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return f"X{letters[category_index // 26 % 26]}{letters[category_index % 26]}-"


# --- Around the generation. ---
# Children before parents: raw DELETEs in this order never break a foreign key.
SHOP_MODELS_CHILDREN_FIRST = (
    CategoryFigures, SupplierFigures, DayCategorySales, DaySales,
    ProductFigures, OrderFigures, CustomerFigures, InventoryLog, Review, OrderStatusChange, OrderItem, Order, ProductTag, ProductMeta, Product,
    Tag, Supplier, Category, Customer,
)  # fmt: skip


def customer_accounts():
    """Every account that is not staff: the shop's customers (staff are never touched)."""
    return User._base_manager.filter(is_staff=False, is_superuser=False)


def shop_has_data() -> bool:
    return customer_accounts().exists() or any(
        model._base_manager.exists() for model in SHOP_MODELS_CHILDREN_FIRST
    )


def shop_empty() -> None:
    """Empty the shop's tables and its customer accounts; staff accounts stay.

    A million orders with their items are deleted by plain ``DELETE``s, children first, not by
    the ORM's collector (which loads every row to cascade). The customer accounts go through
    the ORM's ``delete()``: it knows every table that points at a user (sessions, groups,
    import records, admin log), and with the shop gone those are few. The admin log entries of
    shop rows go too: the generated rows reuse their ids, so old entries would show in the
    History of new rows."""
    with connection.cursor() as cursor:
        for model in SHOP_MODELS_CHILDREN_FIRST:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
    shop_types = ContentType.objects.filter(app_label=Product._meta.app_label)
    LogEntry.objects.filter(content_type__in=shop_types).delete()
    customer_accounts().delete()


GENERATED_MODELS = (
    Category, Supplier, Tag, Product, ProductTag, ProductMeta, InventoryLog, User, Customer,
    Order, OrderItem, Review, ProductFigures, OrderFigures, CustomerFigures, CategoryFigures,
    SupplierFigures,
)  # fmt: skip
# Written by the figures' rebuild too, with ids of their own (not compared between two runs).
DAY_SALES_MODELS = (DaySales, DayCategorySales)


def shop_after_load() -> None:
    """What every bulk load of the shop needs afterwards, in one place: id sequences moved past
    the written ids (PostgreSQL; SQLite's AUTOINCREMENT follows by itself), fresh planner
    statistics (ANALYZE: a million new rows make the old ones useless), and the dashboard's
    cached figures dropped (no model signal saw these rows)."""
    statements = connection.ops.sequence_reset_sql(no_style(), GENERATED_MODELS)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
    refresh_planner_statistics(GENERATED_MODELS)
    dashboard_changed()


def refresh_planner_statistics(models_written) -> None:
    """PostgreSQL's ANALYZE of these tables. Needed before any query over freshly loaded rows:
    with the statistics of empty tables the planner picks nested loops over sequential scans,
    and the kept figures' rebuild of a million orders ran for over half an hour instead of
    minutes. (ANALYZE may run inside the load's transaction and sees its rows.)"""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models_written)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


def shop_generate(
    orders: int,
    *,
    seed: int = 1,
    until: date,
    replace: bool = False,
    progress: Callable[[TableDone], None] | None = None,
) -> list[TableDone]:
    """Generate the shop in one transaction: all of it or, on any error, nothing."""
    generator = ShopGenerator(orders, seed=seed, until=until, progress=progress)
    try:  # the cache is cleared at the end: find out now, not after ten minutes of work
        dashboard_invalidate()
    except DatabaseError as exc:
        raise ShopGeneratorError(
            f"The dashboard's cache cannot be cleared ({exc}). "
            "Run `manage.py createcachetable` first."
        ) from exc
    with transaction.atomic():
        if shop_has_data():
            if not replace:
                raise ShopGeneratorError(
                    "The database already holds shop data (products, orders, customers, ...). "
                    "Nothing was written. Use --replace to empty the shop first "
                    "(staff accounts are kept)."
                )
            began = time.perf_counter()
            shop_empty()
            generator.done.append(TableDone("(emptied the shop)", 0, time.perf_counter() - began))
            if progress:
                progress(generator.done[-1])
        generator.run()
        began = time.perf_counter()
        refresh_planner_statistics(GENERATED_MODELS)
        kept = rebuild()  # the kept figures, from the rows just written (no signal saw them)
        generator.done.append(
            TableDone("(kept figures)", sum(kept.values()), time.perf_counter() - began)
        )
        if progress:
            progress(generator.done[-1])
        began = time.perf_counter()
        shop_after_load()
        generator.done.append(
            TableDone("(sequences, ANALYZE, cache)", 0, time.perf_counter() - began)
        )
        if progress:
            progress(generator.done[-1])
        began = time.perf_counter()
    # PostgreSQL checks every row's deferred foreign keys here.
    generator.done.append(TableDone("(commit)", 0, time.perf_counter() - began))
    if progress:
        progress(generator.done[-1])
    began = time.perf_counter()
    if vacuum_after_load(GENERATED_MODELS + DAY_SALES_MODELS):
        generator.done.append(TableDone("(VACUUM ANALYZE)", 0, time.perf_counter() - began))
        if progress:
            progress(generator.done[-1])
    return generator.done


def vacuum_after_load(models_written) -> bool:
    """PostgreSQL's VACUUM (ANALYZE) of freshly loaded tables, once they are committed: it
    sets their visibility maps, without which an index-only scan (a tag's product count, the
    keyset and last pages of the big lists) still reads every heap row it counts, until
    autovacuum passes by, and autovacuum may be off or minutes away. False where it cannot run
    (SQLite, or inside a caller's transaction, as in the tests)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models_written)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {tables}")
    return True


def table_checksums() -> dict[str, str]:
    """A SHA-256 of every generated table's rows in id order (customer accounts only, with
    their ids as offsets from the first), to tell two generations apart or prove them equal."""
    sums = {}
    for model in GENERATED_MODELS:
        queryset = model._base_manager.order_by("pk")
        fields = [f.attname for f in model._meta.concrete_fields]
        if model is User:
            queryset = customer_accounts().order_by("pk")
            fields.remove("id")
        if model is Customer:
            fields.remove("user_id")
        digest = hashlib.sha256()
        for row in queryset.values_list(*fields).iterator(BATCH):
            digest.update(repr(row).encode())
        sums[model._meta.db_table] = digest.hexdigest()
    return sums
