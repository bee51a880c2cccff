"""Catalog queries: products, categories, suppliers, tags.

Every figure the catalog admin shows comes from a method here, so the admin, the exports, the
reports and the tests read one definition. Aggregates over reverse relations are correlated
``Subquery`` expressions, never joins: joining reviews *and* order items in one aggregate
multiplies rows (the guide's E09), and a join would also make the admin's ``COUNT(*)`` join them.

Model classes are imported inside functions: the models import this module for their managers.
"""

from datetime import UTC
from decimal import Decimal

from django.db import models
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import (
    Cast,
    Coalesce,
    Lag,
    Lead,
    NullIf,
    Rank,
    RowNumber,
    TruncDate,
)

from backoffice.figures.tracking import KeptFiguresQuerySet, touched, value
from backoffice.querysets.expressions import (
    MONEY,
    REVENUE,
    ZERO_MONEY,
    Cents,
    NameList,
    NameListField,
    cents,
    kept_figures,
    scalar_subquery,
)

# --- Thresholds (the guide's). Reports and filters import these; never repeat the numbers. ---
STOCK_LOW_BELOW = 10
STOCK_MEDIUM_BELOW = 25
PRICE_CHEAP_BELOW = Decimal("50")
PRICE_MEDIUM_BELOW = Decimal("200")

STOCK_OUT = "Out of stock"
STOCK_LOW = "Low stock"
STOCK_MEDIUM = "Medium stock"
STOCK_WELL = "Well stocked"
# Each status with the condition that defines it, lowest stock first.
STOCK_STATUS_CONDITIONS = {
    STOCK_OUT: Q(stock_quantity__lte=0),
    STOCK_LOW: Q(stock_quantity__gt=0, stock_quantity__lt=STOCK_LOW_BELOW),
    STOCK_MEDIUM: Q(stock_quantity__gte=STOCK_LOW_BELOW, stock_quantity__lt=STOCK_MEDIUM_BELOW),
    STOCK_WELL: Q(stock_quantity__gte=STOCK_MEDIUM_BELOW),
}
STOCK_STATUSES = tuple(STOCK_STATUS_CONDITIONS)
# "Low stock" as the dashboard and the inventory report mean it: below the threshold, out of
# stock included (the STOCK_LOW status alone leaves out the products with none).
LOW_STOCK = Q(stock_quantity__lt=STOCK_LOW_BELOW)

PRICE_CHEAP = "Cheap"
PRICE_MEDIUM = "Medium"
PRICE_EXPENSIVE = "Expensive"
# Each band with the condition that defines it, cheapest first.
PRICE_BAND_CONDITIONS = {
    PRICE_CHEAP: Q(price__lt=PRICE_CHEAP_BELOW),
    PRICE_MEDIUM: Q(price__gte=PRICE_CHEAP_BELOW, price__lt=PRICE_MEDIUM_BELOW),
    PRICE_EXPENSIVE: Q(price__gte=PRICE_MEDIUM_BELOW),
}
PRICE_BANDS = tuple(PRICE_BAND_CONDITIONS)
# Each band's count in ``CategoryFigures``.
PRICE_BAND_FIELDS = {
    PRICE_CHEAP: "cheap_count",
    PRICE_MEDIUM: "medium_count",
    PRICE_EXPENSIVE: "expensive_count",
}

# The guide's performance score: revenue above 1,000 is A, above 500 B, above 100 C, else D
# (counted revenue, docs/design.md). One table for products and for suppliers.
PERFORMANCE_GRADE_ABOVE = {"A": Decimal("1000"), "B": Decimal("500"), "C": Decimal("100")}
PERFORMANCE_GRADES = (*PERFORMANCE_GRADE_ABOVE, "D")


def performance_grade(revenue_field: str) -> Case:
    """The A–D grade of the annotation ``revenue_field`` (the guide's Case/When)."""
    return Case(
        *(
            When(**{f"{revenue_field}__gt": above}, then=Value(grade))
            for grade, above in PERFORMANCE_GRADE_ABOVE.items()
        ),
        default=Value("D"),
        output_field=models.CharField(max_length=1),
    )


def _case(conditions: dict[str, Q]) -> Case:
    """The guide's Case/When label, built from one of the condition tables above."""
    *firsts, (last_label, _) = conditions.items()
    return Case(
        *(When(condition, then=Value(label)) for label, condition in firsts),
        default=Value(last_label),
        output_field=models.CharField(max_length=20),
    )


def _counted_sales():
    """Order items that count as sales: ``OrderItemQuerySet.counted()`` (docs/design.md)."""
    from backoffice.models import OrderItem

    return OrderItem.objects.counted()


def _kept_product_figures():
    """Products' kept figures (``ProductFigures``): category and supplier totals add them up."""
    from backoffice.models import ProductFigures

    return ProductFigures.objects.all()


# Newest product first: by date added, then id (ties never share a place).
NEWEST_FIRST = [F("created_at").desc(), F("pk").desc()]

INVENTORY_VALUE = ExpressionWrapper(F("price") * F("stock_quantity"), output_field=MONEY)


# The figures ``ProductQuerySet.with_catalog_stats()`` makes: the product list shows them, the
# figures export writes them, the tests check them.
CATALOG_FIGURES = (
    "review_count",
    "avg_rating",
    "min_rating",
    "max_rating",
    "tag_count",
    "units_sold",
    "revenue",
    "stock_status",
    "price_band",
)


def _product_tag_links():
    """The product-tag link table (imported late: the models import this module)."""
    from backoffice.models import Product

    return Product.tags.through.objects.all()


def _tag_count():
    """A product's number of tags, as one correlated subquery (0 when none)."""
    links = _product_tag_links().filter(product=OuterRef("pk"))
    return Coalesce(scalar_subquery(links, "product", Count("pk"), IntegerField()), Value(0))


def review_figures() -> dict:
    """A product's review figures from its reviews, correlated on ``OuterRef("pk")``: a
    product's id, or its kept figures' (``ProductFigures`` shares the product's id)."""
    from backoffice.models import Review

    reviews = Review.objects.filter(product=OuterRef("pk"))
    return {
        "review_count": Coalesce(
            scalar_subquery(reviews, "product", Count("pk"), IntegerField()), Value(0)
        ),
        "avg_rating": scalar_subquery(reviews, "product", Avg("rating"), FloatField()),
        # the guide's highest-rating Subquery, with the lowest beside it (None when none)
        "min_rating": scalar_subquery(reviews, "product", Min("rating"), IntegerField()),
        "max_rating": scalar_subquery(reviews, "product", Max("rating"), IntegerField()),
    }


def sales_figures() -> dict:
    """A product's ``units_sold`` and ``revenue`` from the counted order items, correlated on
    ``OuterRef("pk")`` like ``review_figures``."""
    sales = _counted_sales().filter(product=OuterRef("pk"))
    return {
        "units_sold": Coalesce(
            scalar_subquery(sales, "product", Sum("quantity"), IntegerField()), Value(0)
        ),
        "revenue": Cents(Coalesce(scalar_subquery(sales, "product", REVENUE, MONEY), ZERO_MONEY)),
    }


def product_figures() -> dict:
    """Every figure ``ProductFigures`` keeps, from the source rows."""
    from backoffice.models import Review

    reviews = Review.objects.filter(product=OuterRef("pk"))
    # the sum beside the average: a supplier's average over all its products' reviews is
    # the sum of their sums over the sum of their counts (an average of averages is not)
    rating_sum = Coalesce(scalar_subquery(reviews, "product", Sum("rating"), IntegerField()), 0)
    return {
        **review_figures(),
        "rating_sum": rating_sum,
        "tag_count": _tag_count(),
        **sales_figures(),
    }


def sale_days(product_ids) -> set:
    """The UTC days on which these products (ids or an id subquery) were on an order line."""
    from backoffice.models import Order

    orders = Order._base_manager.filter(items__product__in=product_ids).order_by()
    dates = orders.annotate(day=TruncDate("order_date", tzinfo=UTC)).values_list("day", flat=True)
    return set(dates.distinct())


def product_owners(products) -> set[tuple[int, int]]:
    """The (category, supplier) pairs of these products."""
    return set(products.order_by().values_list("category", "supplier").distinct())


# The product columns its category's and supplier's kept figures read.
OWNER_FIELDS = {"category", "category_id", "supplier", "supplier_id"}
OWNER_FIGURE_FIELDS = OWNER_FIELDS | {"price", "stock_quantity", "is_active"}


class ProductQuerySet(KeptFiguresQuerySet):
    figures_follow_updates = False

    def figure_keys(self, rows) -> dict:
        """A new product gets its figures row (``backoffice.figures``)."""
        return {"products": {value(row, "pk") for row in rows}}

    def update(self, **kwargs):
        """A product moved to another category moves the day category sales of every day it
        sold on (``sale_days``); a change of price, stock, state or owner moves the figures of
        its categories and suppliers, old and new (``CategoryFigures``, ``SupplierFigures``)."""
        days, after = set(), set()
        if {"category", "category_id"} & set(kwargs):
            days = sale_days(self.values("pk"))
        before = product_owners(self) if OWNER_FIGURE_FIELDS & set(kwargs) else set()
        if OWNER_FIELDS & set(kwargs):
            # read again by id: the update may move the rows out of this QuerySet's filter
            pks = list(self.values_list("pk", flat=True))
            count = super().update(**kwargs)
            for start in range(0, len(pks), 2_000):  # ids per statement, as in the figures
                after |= product_owners(
                    self.model._base_manager.filter(pk__in=pks[start : start + 2_000])
                )
        else:
            count = super().update(**kwargs)
        touched(
            days=days,
            categories={c for c, _ in before} | {c for c, _ in after},
            suppliers={s for _, s in before} | {s for _, s in after},
        )
        return count

    def active(self):
        """Products on sale."""
        return self.filter(is_active=True)

    def expensive(self):
        """Products at $100 or more (the guide's threshold)."""
        return self.filter(price__gte=100)

    def by_category(self, category_name):
        """Products of the category with this exact name."""
        return self.filter(category__name=category_name)

    def with_reviews(self):
        """The guide's manager method: prefetch reviews and annotate ``review_count`` and
        ``avg_rating``, the very figures of ``with_review_stats()`` (one SQL for each)."""
        return self.prefetch_related("reviews").with_review_stats()

    def low_stock(self):
        """Products below the low-stock threshold (out of stock included): LOW_STOCK."""
        return self.filter(LOW_STOCK)

    # --- Figures -------------------------------------------------------------------------

    def with_review_stats(self):
        """``review_count`` (0 when none), ``avg_rating``, ``min_rating`` and ``max_rating``
        (None when none), computed from the reviews (``review_figures``)."""
        return self.annotate(**review_figures())

    def with_tag_count(self):
        """``tag_count``: how many tags the product has (0 when none), one subquery."""
        return self.annotate(tag_count=_tag_count())

    def with_tags_at_least(self, count: int):
        """Products with ``count`` tags or more (the guide's "products with multiple tags"),
        by the kept tag count (an index, not a count per product)."""
        return self.filter(kept_figures__tag_count__gte=count)

    def with_sales_stats(self):
        """``units_sold`` and ``revenue`` over items of orders that are not cancelled (0 if
        none), computed from the order items (``sales_figures``)."""
        return self.annotate(**sales_figures())

    def with_performance_grade(self):
        """``performance_grade`` A–D from counted revenue (needs ``with_sales_stats``)."""
        return self.annotate(performance_grade=performance_grade("revenue"))

    def with_stock_status(self):
        """``stock_status``: one of STOCK_STATUSES (0 / below 10 / below 25 / the rest)."""
        return self.annotate(stock_status=_case(STOCK_STATUS_CONDITIONS))

    def with_price_band(self):
        """``price_band``: one of PRICE_BANDS (below 50 / below 200 / the rest)."""
        return self.annotate(price_band=_case(PRICE_BAND_CONDITIONS))

    def with_catalog_stats(self):
        """CATALOG_FIGURES, every figure of the product list: reviews, sales, stock status and
        price band. The one method the product admin, its exports and the reports use.
        """
        return self.with_kept_figures().with_stock_status().with_price_band()

    def with_tag_names(self):
        """``tag_names``: the product's tag names in name order (a list), read with the rows
        by one subquery per row. ``prefetch_related("tags")`` builds a Tag and a related
        manager for every product listed: a tenth of the product list's time."""
        links = self.model.tags.through.objects.filter(product=OuterRef("pk"))
        names = scalar_subquery(links, "product", NameList("tag__name"), NameListField())
        return self.annotate(tag_names=names)

    def with_kept_figures(self):
        """Every figure ``ProductFigures`` keeps, under the names the source methods
        give them (``with_review_stats``, ``with_tag_count``, ``with_sales_stats``): one join
        on the product's id instead of a subquery per figure per row, and sorted by an index."""
        return self.annotate(**kept_figures("ProductFigures"))

    def with_category_position(self):
        """Window functions placing each product in its category (the "in its category" panel).

        ``price_rank`` (1 = dearest, ties share a rank), ``prev_price`` / ``next_price`` (the
        next cheaper / next dearer product's price: Lag/Lead over ascending price),
        ``category_avg_price``, ``category_product_count``, ``date_position`` (nth product added
        to the category), ``running_inventory_value`` (price × stock summed over the category's
        products up to this one, by date added) and ``category_inventory_value`` (the whole sum).
        Window functions run after WHERE: filter the category, never the product, before this.
        """
        category = [F("category_id")]
        by_price = [F("price").asc(), F("pk").asc()]
        by_date = [F("created_at").asc(), F("pk").asc()]
        return self.annotate(
            price_rank=Window(Rank(), partition_by=category, order_by=F("price").desc()),
            prev_price=Cents(Window(Lag("price"), partition_by=category, order_by=by_price)),
            next_price=Cents(Window(Lead("price"), partition_by=category, order_by=by_price)),
            category_avg_price=Cents(
                Window(Avg("price", output_field=MONEY), partition_by=category)
            ),
            category_product_count=Window(Count("pk"), partition_by=category),
            date_position=Window(RowNumber(), partition_by=category, order_by=by_date),
            running_inventory_value=Cents(
                Window(
                    Sum(INVENTORY_VALUE),
                    partition_by=category,
                    order_by=by_date,
                    frame=models.RowRange(start=None, end=0),
                )
            ),
            category_inventory_value=Cents(Window(Sum(INVENTORY_VALUE), partition_by=category)),
        )

    def with_category_position_of(self, ids):
        """The products ``ids`` with ``with_category_position()``'s figures, each computed over
        its whole category: the windows run over every product of those products' categories,
        then these rows are picked. A filter on a window annotation (``_row_id``, the row's
        own id as a window) is applied after the windows, in an outer query, whereas
        ``filter(pk__in=ids)`` would shrink every window to these rows."""
        categories = self.model._base_manager.filter(pk__in=ids).values("category_id")
        return (
            self.filter(category_id__in=categories)
            .with_category_position()
            .annotate(_row_id=Window(Max("pk"), partition_by=[F("pk")]))
            .filter(_row_id__in=ids)
        )

    def with_newest_first_number(self):
        """``newest_first_number``: the product's row number among these products, newest
        first (by date added, then id): the guide's ``RowNumber`` example."""
        return self.annotate(
            newest_first_number=Window(RowNumber(), order_by=NEWEST_FIRST),
        )

    def newest_first_numbers(self, ids) -> dict:
        """{id: ``newest_first_number``} of the products ``ids`` among all of these: one
        window over these products' ids and dates (an index walk), then those rows picked
        after it, as ``with_category_position_of`` does."""
        numbered = (
            self.with_newest_first_number()
            .annotate(_row_id=Window(Max("pk"), partition_by=[F("pk")]))
            .filter(_row_id__in=ids)
        )
        return dict(numbered.values_list("pk", "newest_first_number"))

    def summary(self) -> dict:
        """Totals of these products (one query): the guide's ``aggregate()`` example plus its
        conditional aggregation "count products by price range", per PRICE_BANDS label.

        ``product_count``, ``avg_price``/``min_price``/``max_price`` (None when empty),
        ``total_stock`` and ``bands`` ({label: count}).
        """
        bands = {
            f"band_{i}": Count("pk", filter=condition)
            for i, condition in enumerate(PRICE_BAND_CONDITIONS.values())
        }
        totals = self.order_by().aggregate(
            product_count=Count("pk"),
            avg_price=Cents(Avg("price", output_field=MONEY)),
            min_price=Cents(Min("price")),
            max_price=Cents(Max("price")),
            total_stock=Coalesce(Sum("stock_quantity"), 0),
            **bands,
        )
        totals["bands"] = {band: totals.pop(f"band_{i}") for i, band in enumerate(PRICE_BANDS)}
        return totals

    def catalogue_summary(self) -> dict:
        """``summary()`` of every product, from the kept ``CategoryFigures`` (every product
        has a category): fifty rows instead of a hundred thousand. For the unfiltered list."""
        from backoffice.models import CategoryFigures

        totals = CategoryFigures.objects.aggregate(
            product_count=Coalesce(Sum("product_count"), 0),
            price_sum=Sum("price_sum"),
            min_price=Cents(Min("min_price")),
            max_price=Cents(Max("max_price")),
            total_stock=Coalesce(Sum("total_stock"), 0),
            **{field: Coalesce(Sum(field), 0) for field in PRICE_BAND_FIELDS.values()},
        )
        price_sum = totals.pop("price_sum")
        totals["avg_price"] = (
            cents(price_sum / totals["product_count"]) if totals["product_count"] else None
        )
        totals["bands"] = {band: totals.pop(field) for band, field in PRICE_BAND_FIELDS.items()}
        return totals

    # --- Filters (one per list filter) ----------------------------------------------------

    def in_stock_status(self, status: str):
        """Products whose stock falls in this STOCK_STATUSES label."""
        return self.filter(STOCK_STATUS_CONDITIONS[status])

    def in_price_band(self, band: str):
        """Products whose price falls in this PRICE_BANDS label."""
        return self.filter(PRICE_BAND_CONDITIONS[band])

    def reviewed(self, reviewed: bool = True):
        """Products with at least one review (or, with False, with none)."""
        from backoffice.models import Review

        has_review = Exists(Review.objects.filter(product=OuterRef("pk")))
        return self.filter(has_review if reviewed else ~has_review)

    def with_top_reviews(self, rating: int = 4):
        """Prefetch each product's reviews of ``rating`` stars or more, best and newest first,
        as ``top_reviews`` (the guide's filtered ``Prefetch``): one query for all products."""
        from backoffice.models import Review

        top = (
            Review.objects.filter(rating__gte=rating)
            .select_related("customer__user")
            .order_by("-rating", "-created_at", "-pk")
        )
        return self.prefetch_related(Prefetch("reviews", queryset=top, to_attr="top_reviews"))

    def with_review_rated_at_least(self, rating: int):
        """Products with at least one review of ``rating`` stars or more."""
        from backoffice.models import Review

        return self.filter(
            Exists(Review.objects.filter(product=OuterRef("pk"), rating__gte=rating))
        )

    def from_suppliers_rated_at_least(self, rating: float):
        """Products whose supplier's own rating is at least ``rating``."""
        return self.filter(supplier__rating__gte=rating)

    def with_metadata(self, key: str, value: str):
        """Products whose metadata has the top-level ``key`` with the text ``value`` (exact).

        The key goes through ``KeyTextTransform``, never into a lookup string, so a key like
        ``color__contains`` is a key, not a lookup."""
        # Cast to text: a JSON key's own lookups would parse the value as JSON on SQLite
        # ("cotton" is malformed JSON), and numbers then compare as their text ("16").
        text = Cast(KeyTextTransform(key, "productmeta__metadata"), models.TextField())
        return self.alias(_metadata_value=text).filter(_metadata_value=value)

    def with_metadata_color(self, color: str):
        """Products whose metadata has ``"color": <color>`` (exact)."""
        return self.filter(productmeta__metadata__color=color)


class ActiveProductManager(models.Manager.from_queryset(ProductQuerySet)):
    """The guide's ``Product.active_objects``: only products on sale."""

    def get_queryset(self):
        return super().get_queryset().filter(is_active=True)


def metadata_colors() -> list[str]:
    """The distinct colours found in product metadata, sorted (the colour filter's choices)."""
    from backoffice.models import ProductMeta

    colors = (
        ProductMeta.objects.annotate(color=KeyTextTransform("color", "metadata"))
        .exclude(color__isnull=True)
        .order_by("color")
        .values_list("color", flat=True)
        .distinct()
    )
    # Blank values are dropped here: comparing the extracted text with "" in SQL makes SQLite
    # parse "" as JSON ("malformed JSON").
    return [color for color in colors if color.strip()]


def review_kept_figures() -> dict:
    """``ReviewFigures``: whether the review's customer bought its product in an order that
    counts (correlated on ``OuterRef("pk")``: a review's id, or its kept figures')."""
    from backoffice.models import OrderItem, Review

    review = Review._base_manager.filter(pk=OuterRef(OuterRef("pk")))
    bought = OrderItem.objects.filter(
        order__customer=Subquery(review.values("customer")[:1]),
        product=Subquery(review.values("product")[:1]),
    ).counted()
    return {"bought": Exists(bought)}


class ReviewQuerySet(KeptFiguresQuerySet):
    figure_key_fields = ("pk", "product_id")

    def figure_keys(self, rows) -> dict:
        """A review moves its product's review figures and its own "bought"."""
        rows = list(rows)
        return {
            "products": {value(row, "product_id") for row in rows},
            "reviews": {value(row, "pk") for row in rows},
        }

    def by_non_buyers(self):
        """Reviews whose customer never bought the product in an order that counts: the kept
        ``ReviewFigures.bought`` (an anti-join of every review against every order line took
        over a second at a real shop's size; a partial index holds the few that did not)."""
        return self.filter(kept_figures__bought=False)


def category_figures() -> dict:
    """Every figure ``CategoryFigures`` keeps, from its products (correlated on ``OuterRef("pk")``:
    a category's id, or its kept figures'), revenue from their kept figures."""
    from backoffice.models import Product

    products = Product.objects.filter(category=OuterRef("pk"))
    kept = _kept_product_figures().filter(product__category=OuterRef("pk"))
    return {
        "product_count": Coalesce(
            scalar_subquery(products, "category", Count("pk"), IntegerField()), Value(0)
        ),
        "active_product_count": Coalesce(
            scalar_subquery(products.active(), "category", Count("pk"), IntegerField()), Value(0)
        ),
        "price_sum": Coalesce(
            scalar_subquery(products, "category", Sum("price"), MONEY), ZERO_MONEY
        ),
        "min_price": scalar_subquery(products, "category", Min("price"), MONEY),
        "max_price": scalar_subquery(products, "category", Max("price"), MONEY),
        "total_stock": Coalesce(
            scalar_subquery(products, "category", Sum("stock_quantity"), IntegerField()),
            Value(0),
        ),
        "revenue": Coalesce(
            scalar_subquery(kept, "product__category", Sum("revenue"), MONEY), ZERO_MONEY
        ),
        **{
            PRICE_BAND_FIELDS[band]: Coalesce(
                scalar_subquery(
                    products.filter(condition), "category", Count("pk"), IntegerField()
                ),
                Value(0),
            )
            for band, condition in PRICE_BAND_CONDITIONS.items()
        },
    }


def _mean(total: str, count: str, output_field):
    """``total`` over ``count`` (None when the count is 0): an average from kept sums."""
    return ExpressionWrapper(
        Cast(F(total), output_field) / NullIf(F(count), 0), output_field=output_field
    )


class CategoryQuerySet(models.QuerySet):
    def with_product_stats(self):
        """Per category: product counts, price figures, total stock, revenue, share of products.

        ``product_count``, ``active_product_count``, ``avg_price``, ``min_price``, ``max_price``
        (None without products), ``total_stock``, ``revenue`` (its products' kept revenue:
        non-cancelled order items), ``product_share`` (percent of all products, 0 when there are
        none). Read from ``CategoryFigures`` (``category_figures``): one join, not an aggregate
        over thousands of products per category.
        """
        from backoffice.models import CategoryFigures

        # every product has a category (required, protected), so all products are the sum of
        # the kept counts: fifty rows, where a COUNT(*) of the products reads every one
        every_category = CategoryFigures.objects.order_by().annotate(everything=Value(1))
        kept = kept_figures("CategoryFigures")
        return self.annotate(
            product_count=kept["product_count"],
            active_product_count=kept["active_product_count"],
            avg_price=Cents(_mean("kept_figures__price_sum", "kept_figures__product_count", MONEY)),
            min_price=Cents(kept["min_price"]),
            max_price=Cents(kept["max_price"]),
            total_stock=kept["total_stock"],
            revenue=Cents(kept["revenue"]),
            all_product_count=Subquery(
                every_category.values("everything").annotate(n=Sum("product_count")).values("n"),
                output_field=IntegerField(),
            ),
            product_share=Case(
                When(
                    all_product_count__gt=0,
                    then=(
                        Cast(F("product_count"), FloatField())
                        * Value(100.0)
                        / Cast(F("all_product_count"), FloatField())
                    ),
                ),
                default=Value(0.0),
                output_field=FloatField(),
            ),
        )

    def with_products(self, present: bool = True):
        """Categories that have at least one product (or, with False, none)."""
        from backoffice.models import Product

        has_product = Exists(Product.objects.filter(category=OuterRef("pk")))
        return self.filter(has_product if present else ~has_product)


SUPPLIER_RATING_BANDS = {
    "4.5+": ("4.5 and above", Q(rating__gte=4.5)),
    "4.0-4.5": ("4.0 to 4.5", Q(rating__gte=4.0, rating__lt=4.5)),
    "below-4.0": ("below 4.0", Q(rating__lt=4.0)),
}


def supplier_figures() -> dict:
    """Every figure ``SupplierFigures`` keeps, from its products (correlated on
    ``OuterRef("pk")``), review and revenue figures from their kept figures."""
    from backoffice.models import Product

    products = Product.objects.filter(supplier=OuterRef("pk"))
    kept = _kept_product_figures().filter(product__supplier=OuterRef("pk"))
    return {
        "product_count": Coalesce(
            scalar_subquery(products, "supplier", Count("pk"), IntegerField()), Value(0)
        ),
        "price_sum": Coalesce(
            scalar_subquery(products, "supplier", Sum("price"), MONEY), ZERO_MONEY
        ),
        "review_count": Coalesce(
            scalar_subquery(kept, "product__supplier", Sum("review_count"), IntegerField()),
            Value(0),
        ),
        "rating_sum": Coalesce(
            scalar_subquery(kept, "product__supplier", Sum("rating_sum"), IntegerField()),
            Value(0),
        ),
        "total_stock": Coalesce(
            scalar_subquery(products, "supplier", Sum("stock_quantity"), IntegerField()),
            Value(0),
        ),
        "revenue": Coalesce(
            scalar_subquery(kept, "product__supplier", Sum("revenue"), MONEY), ZERO_MONEY
        ),
    }


class SupplierQuerySet(models.QuerySet):
    def with_performance(self):
        """Per supplier: ``product_count``, ``avg_product_price``, ``review_count``,
        ``avg_review_rating`` (None without reviews), ``total_stock``, ``revenue`` (its products'
        kept revenue: counted sales) and ``performance_grade`` (A–D, the guide's thresholds).

        The guide's "suppliers performance" joins products and reviews in one aggregate (E10);
        here every figure is kept in ``SupplierFigures`` (``supplier_figures``, one subquery per
        figure), so none is multiplied by another relation and the list reads one join. The
        average rating is the sum of the products' rating sums over the sum of their counts.
        """
        kept = kept_figures("SupplierFigures")
        return self.annotate(
            product_count=kept["product_count"],
            avg_product_price=Cents(
                _mean("kept_figures__price_sum", "kept_figures__product_count", MONEY)
            ),
            review_count=kept["review_count"],
            avg_review_rating=_mean(
                "kept_figures__rating_sum", "kept_figures__review_count", FloatField()
            ),
            total_stock=kept["total_stock"],
            revenue=Cents(kept["revenue"]),
        ).annotate(performance_grade=performance_grade("revenue"))

    def by_review_rating(self):
        """Best reviewed first; suppliers without reviews last on every database (E10)."""
        return self.order_by(F("avg_review_rating").desc(nulls_last=True), "name")

    def in_rating_band(self, band: str):
        """Suppliers whose own rating is in the SUPPLIER_RATING_BANDS entry ``band``."""
        return self.filter(SUPPLIER_RATING_BANDS[band][1])


class TagQuerySet(models.QuerySet):
    def delete(self):
        """The links go with the tags, without signals: their products' tag counts are
        reported here (one query for all the tags)."""
        products = set(
            _product_tag_links().filter(tag__in=self.values("pk")).values_list("product", flat=True)
        )
        result = super().delete()
        touched(products=products)
        return result

    def with_product_count(self):
        """``product_count``: how many products carry the tag."""
        from backoffice.models import Product

        links = Product.tags.through.objects.filter(tag=OuterRef("pk"))
        # COUNT(tag_id), not COUNT(id): the tag's index alone answers it (an index-only scan)
        return self.annotate(
            product_count=Coalesce(
                scalar_subquery(links, "tag", Count("tag"), IntegerField()), Value(0)
            )
        )
