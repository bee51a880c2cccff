"""List filters of the catalog admin.

Each filter's ``queryset()`` calls one ``ProductQuerySet`` (or Supplier/Category) method, so the
condition lives in one place. Junk in the address never breaks a list: a value a filter does
not know is ignored and the staff member is told so in a message (``BackofficeAdmin`` already
does the same for Django's own field filters).
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from rangefilter.filters import DateRangeFilter, NumericRangeFilter

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


def warn_once(request, text: str) -> None:
    """Add a warning message once per request (a list may build its filters more than once)."""
    seen = request.__dict__.setdefault("_catalog_filter_warnings", set())
    if text not in seen:
        seen.add(text)
        messages.warning(request, text)


class KnownValueFilter(admin.SimpleListFilter):
    """A SimpleListFilter that ignores, with a message, any value not among its choices.

    Checked when the filter is built: a filter without choices (no colours yet) is left out of
    the list and its ``queryset()`` never runs, but its value must still be reported.
    """

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        value = self.value()
        self.known_values = {str(key) for key, _ in self.lookup_choices}
        if value is not None and value not in self.known_values:
            warn_once(
                request,
                f'The filter "{self.title}" has no choice "{value}"; it was ignored.',
            )

    def queryset(self, request, queryset):
        value = self.value()  # facet counts set each choice in turn, so check every call
        if value is None or value not in self.known_values:
            return queryset
        return self.filter(queryset, value)

    def filter(self, queryset, value: str):
        raise NotImplementedError


class PriceBandFilter(KnownValueFilter):
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


class StockStatusFilter(KnownValueFilter):
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


class HasReviewsFilter(KnownValueFilter):
    title = "reviews"
    parameter_name = "has_reviews"

    def lookups(self, request, model_admin):
        return [("yes", "Has reviews"), ("no", "Has no reviews")]

    def filter(self, queryset, value):
        return queryset.reviewed(value == "yes")


class HighRatedReviewFilter(KnownValueFilter):
    title = "4+ star reviews"
    parameter_name = "review_4_plus"

    def lookups(self, request, model_admin):
        return [("yes", "Has a review of 4 stars or more")]

    def filter(self, queryset, value):
        return queryset.with_review_rated_at_least(4)


class SupplierRatedFilter(KnownValueFilter):
    title = "supplier rating"
    parameter_name = "supplier_rated"

    def lookups(self, request, model_admin):
        return [("4.0+", "Supplier rated 4.0 or more")]

    def filter(self, queryset, value):
        return queryset.from_suppliers_rated_at_least(4.0)


class MetadataColorFilter(KnownValueFilter):
    title = "colour (metadata)"
    parameter_name = "color"

    def lookups(self, request, model_admin):
        # Cached on the request: facet counts rebuild every filter once per filter.
        colors = request.__dict__.get("_metadata_colors")
        if colors is None:
            colors = request.__dict__["_metadata_colors"] = metadata_colors()
        return [(color, color) for color in colors]

    def filter(self, queryset, value):
        return queryset.with_metadata_color(value)


class RangeFormMessageMixin:
    """Range filters of django-admin-rangefilter ignore an invalid form silently; say why."""

    def queryset(self, request, queryset):
        if self.form.is_bound and not self.form.is_valid():
            problems = "; ".join(
                str(error) for errors in self.form.errors.values() for error in errors
            )
            warn_once(request, f'The filter "{self.title}" was ignored: {problems}')
            return queryset
        return super().queryset(request, queryset)


class CheckedDateRangeFilter(RangeFormMessageMixin, DateRangeFilter):
    """Created-date range (both days included); bad dates or a reversed range give a message."""

    def get_form(self, request):
        form = super().get_form(request)
        form.clean = lambda: _ordered_range(form, self.lookup_kwarg_gte, self.lookup_kwarg_lte)
        return form


class DecimalRangeFilter(RangeFormMessageMixin, NumericRangeFilter):
    """A price range that is exact on decimals.

    rangefilter's NumericRangeFilter parses bounds with a FloatField: "49.99" becomes a binary
    float that Django then rounds back to 10 significant digits. That happens to work for
    two-decimal input, but a bound like 49.98999999999 silently becomes 49.99 and takes a 49.99
    product in, and a bound like 1e400 becomes infinity. Prices are DecimalField(10, 2), so the
    bounds are parsed as Decimal with at most 2 decimal places; anything else is refused with a
    message. Both bounds are inclusive: 49.99 is inside 49.99-50.
    """

    def _get_form_fields(self):
        fields = super()._get_form_fields()
        for name, placeholder in ((self.lookup_kwarg_gte, "From"), (self.lookup_kwarg_lte, "To")):
            fields[name] = forms.DecimalField(
                label="",
                required=False,
                max_digits=10,
                decimal_places=2,
                min_value=Decimal("0"),
                widget=forms.NumberInput(attrs={"placeholder": placeholder, "step": "0.01"}),
            )
        return fields

    def get_form(self, request):
        form = super().get_form(request)
        form.clean = lambda: _ordered_range(form, self.lookup_kwarg_gte, self.lookup_kwarg_lte)
        return form

    def _make_query_filter(self, request, validated_data):
        low = validated_data.get(self.lookup_kwarg_gte)
        high = validated_data.get(self.lookup_kwarg_lte)
        # low <= price <= high, either bound open, as the dict of conditions rangefilter takes.
        query = {}
        if low is not None:
            query[f"{self.field_path}__gte"] = low
        if high is not None:
            query[f"{self.field_path}__lte"] = high
        return query


def _ordered_range(form, low_name: str, high_name: str):
    low, high = form.cleaned_data.get(low_name), form.cleaned_data.get(high_name)
    if low is not None and high is not None and low > high:
        raise forms.ValidationError(f"the start ({low}) is after the end ({high}).")
    return form.cleaned_data


class CategoryHasProductsFilter(KnownValueFilter):
    title = "products"
    parameter_name = "has_products"

    def lookups(self, request, model_admin):
        return [("yes", "Has products"), ("no", "Has no products")]

    def filter(self, queryset, value):
        return queryset.with_products(value == "yes")


class SupplierRatingBandFilter(KnownValueFilter):
    title = "own rating"
    parameter_name = "rating_band"

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _) in SUPPLIER_RATING_BANDS.items()]

    def filter(self, queryset, value):
        return queryset.in_rating_band(value)
