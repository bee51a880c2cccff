"""List filters of the catalog admin.

Each filter's ``filter()`` calls one ``ProductQuerySet`` (or Supplier/Category) method, so the
condition lives in one place; the contract (unknown values ignored with a message) and the
range filters are in ``backoffice.admin.common.filters``.
"""

from django.contrib import admin
from django.contrib.admin.views.main import PAGE_VAR

from backoffice.admin.common.autocomplete_filters import AutocompleteFilter
from backoffice.admin.common.filters import KnownChoiceFilter
from backoffice.admin.common.messages import warn_once
from backoffice.cache import metadata_colors_cached
from backoffice.models import Category, Product, Supplier, Tag
from backoffice.querysets.catalog import (
    PRICE_BANDS,
    PRICE_CHEAP,
    PRICE_CHEAP_BELOW,
    PRICE_EXPENSIVE,
    PRICE_MEDIUM,
    PRICE_MEDIUM_BELOW,
    STOCK_LOW,
    STOCK_LOW_BELOW,
    STOCK_MEDIUM,
    STOCK_MEDIUM_BELOW,
    STOCK_OUT,
    STOCK_STATUSES,
    STOCK_WELL,
    SUPPLIER_RATING_BANDS,
    metadata_colors,
)


class PriceBandFilter(KnownChoiceFilter):
    title = "price band"
    parameter_name = "price_band"

    def lookups(self, request, model_admin):
        low, high = PRICE_CHEAP_BELOW, PRICE_MEDIUM_BELOW
        hints = {
            PRICE_CHEAP: f"under {low}",
            PRICE_MEDIUM: f"{low} to under {high}",
            PRICE_EXPENSIVE: f"{high} and more",
        }
        return [(band, f"{band} ({hints[band]})") for band in PRICE_BANDS]

    def filter(self, queryset, value):
        return queryset.in_price_band(value)


class StockStatusFilter(KnownChoiceFilter):
    title = "stock status"
    parameter_name = "stock_status"

    def lookups(self, request, model_admin):
        low, medium = STOCK_LOW_BELOW, STOCK_MEDIUM_BELOW
        hints = {
            STOCK_OUT: "0",
            STOCK_LOW: f"1 to {low - 1}",
            STOCK_MEDIUM: f"{low} to {medium - 1}",
            STOCK_WELL: f"{medium} or more",
        }
        return [(status, f"{status} ({hints[status]})") for status in STOCK_STATUSES]

    def filter(self, queryset, value):
        return queryset.in_stock_status(value)


class HasReviewsFilter(KnownChoiceFilter):
    title = "reviews"
    parameter_name = "has_reviews"

    def lookups(self, request, model_admin):
        return [("yes", "Has reviews"), ("no", "Has no reviews")]

    def filter(self, queryset, value):
        return queryset.reviewed(value == "yes")


class HighRatedReviewFilter(KnownChoiceFilter):
    title = "4+ star reviews"
    parameter_name = "review_4_plus"

    def lookups(self, request, model_admin):
        return [("yes", "Has a review of 4 stars or more")]

    def filter(self, queryset, value):
        return queryset.with_review_rated_at_least(4)


class TagCountFilter(KnownChoiceFilter):
    title = "number of tags"
    parameter_name = "tag_count"

    def lookups(self, request, model_admin):
        return [("2+", "2 or more tags"), ("0", "No tags")]

    def filter(self, queryset, value):
        if value == "2+":
            return queryset.with_tags_at_least(2)
        return queryset.filter(tags__isnull=True)


class SupplierRatedFilter(KnownChoiceFilter):
    title = "supplier rating"
    parameter_name = "supplier_rated"

    def lookups(self, request, model_admin):
        return [("4.0+", "Supplier rated 4.0 or more")]

    def filter(self, queryset, value):
        return queryset.from_suppliers_rated_at_least(4.0)


class MetadataColorFilter(KnownChoiceFilter):
    title = "colour (metadata)"
    parameter_name = "color"

    def lookups(self, request, model_admin):
        # Cached on the request (facet counts rebuild every filter once per filter), and in
        # the shared cache between requests (``backoffice.cache``: dropped on every write).
        colors = request.__dict__.get("_metadata_colors")
        if colors is None:
            colors = metadata_colors_cached(metadata_colors)
            request.__dict__["_metadata_colors"] = colors
        return [(color, color) for color in colors]

    def filter(self, queryset, value):
        return queryset.with_metadata_color(value)


class MetadataFilter(admin.SimpleListFilter):
    """Any top-level metadata key and value, typed as ``key=value`` (``with_metadata``).

    Not a list of choices: the pairs are open-ended, and listing them would read every
    product's metadata on every page. A value without ``=`` is ignored with a message."""

    title = "metadata (key=value)"
    parameter_name = "metadata"
    template = "admin/backoffice/product/metadata_filter.html"

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.pair = None
        value = self.value()
        if value is not None:
            key, sep, wanted = value.partition("=")
            if sep and key.strip():
                self.pair = (key.strip(), wanted.strip())
            else:
                warn_once(
                    request,
                    f'The filter "{self.title}" needs key=value, not "{value}"; it was ignored.',
                )

    def lookups(self, request, model_admin):
        return []

    def has_output(self):
        return True

    def queryset(self, request, queryset):
        if self.pair is None:
            return queryset
        return queryset.with_metadata(*self.pair)

    def choices(self, changelist):
        # the form submits only its own field: carry the list's other parameters along
        # (not the page number: a new filter starts at the first page)
        self.kept_parameters = [
            (name, value)
            for name, values in changelist.params.items()
            if name not in {self.parameter_name, PAGE_VAR}
            for value in (values if isinstance(values, list) else [values])
        ]
        yield {
            "selected": self.pair is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "All",
        }


class CategoryHasProductsFilter(KnownChoiceFilter):
    title = "products"
    parameter_name = "has_products"

    def lookups(self, request, model_admin):
        return [("yes", "Has products"), ("no", "Has no products")]

    def filter(self, queryset, value):
        return queryset.with_products(value == "yes")


class SupplierRatingBandFilter(KnownChoiceFilter):
    title = "own rating"
    parameter_name = "rating_band"

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _) in SUPPLIER_RATING_BANDS.items()]

    def filter(self, queryset, value):
        return queryset.in_rating_band(value)


class CategoryAutocompleteFilter(AutocompleteFilter):
    """Products of one category, chosen in the category autocomplete: a real catalogue's
    hundreds of categories are no list of links on every page (Django's related-field filter
    renders each one). Django's own parameter, so links to ``?category__id__exact=`` hold."""

    title = "category"
    parameter_name = "category__id__exact"
    chosen_model = Category
    widget_field = (Product, "category")


class SupplierAutocompleteFilter(AutocompleteFilter):
    """Products of one supplier, chosen in the supplier autocomplete (five hundred suppliers are
    no list of links). Django's own parameter, so links to ``?supplier__id__exact=`` hold."""

    title = "supplier"
    parameter_name = "supplier__id__exact"
    chosen_model = Supplier
    widget_field = (Product, "supplier")


class TagAutocompleteFilter(AutocompleteFilter):
    """Products carrying one tag, chosen in the tag autocomplete; "no tags" is the "number of
    tags" filter's. Django's own parameter, so links to ``?tags__id__exact=`` hold."""

    title = "tag"
    parameter_name = "tags__id__exact"
    chosen_model = Tag
    widget_field = (Product, "tags")
