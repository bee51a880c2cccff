"""The one list-filter contract of the admin, and its range filters.

Every choice filter is a ``KnownChoiceFilter``: ``title``, ``parameter_name``, ``lookups()``
and ``filter(queryset, value)``, which runs only for a value among its choices; a value it
does not offer (an address typed by hand, an old bookmark) is ignored and the staff member is
told so once, never an error page or a silently empty list. ``filter()`` stays one cheap
QuerySet call: Django's facets call ``queryset()`` once per choice.

The range filters are django-admin-rangefilter's, made strict: the library ignores an invalid
form silently; here a bad bound or a reversed range is ignored with a message that says why.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.db.models import Q
from rangefilter.filters import DateRangeFilter, NumericRangeFilter

from backoffice.admin.common.messages import warn_once


def warn_unknown_choice(request, title: str, value: str) -> None:
    """The one message for a filter value the filter does not offer."""
    warn_once(request, f'The filter "{title}" has no choice "{value}"; it was ignored.')


class KnownChoiceFilter(admin.SimpleListFilter):
    """A SimpleListFilter that ignores, with a message, any value not among its choices.

    Checked when the filter is built: a filter without choices (no colours yet) is left out of
    the list and its ``queryset()`` never runs, but its value must still be reported.
    """

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        value = self.value()
        self.known_values = {str(key) for key, _ in self.lookup_choices}
        if value is not None and value not in self.known_values:
            warn_unknown_choice(request, self.title, value)

    def queryset(self, request, queryset):
        value = self.value()  # facet counts set each choice in turn, so check every call
        if value is None or value not in self.known_values:
            return queryset
        return self.filter(queryset, value)

    def filter(self, queryset, value: str):
        raise NotImplementedError


class YesNoFilter(KnownChoiceFilter):
    """A yes/no filter: ``condition`` is the Q object for "yes"."""

    condition: Q

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def filter(self, queryset, value):
        return (
            queryset.filter(self.condition) if value == "yes" else queryset.exclude(self.condition)
        )


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
