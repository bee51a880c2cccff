"""Order list filters.

Every filter here ignores a value it does not offer and says so in a message: an address typed
by hand or kept from an old bookmark gives the whole list and an explanation, never an error
page or a silently empty list. The ``queryset()`` of each stays one cheap ``filter()`` (Django's
facets call it once per choice).
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.utils.html import format_html
from rangefilter.filters import DateRangeFilter

from backoffice.admin.sales.widgets import PreloadedAutocompleteSelect
from backoffice.models import Category, OrderItem, OrderStatus, Product
from backoffice.querysets.sales import SEGMENTS

_WARNED = "_backoffice_ignored_filters"


def warn_ignored(request, title, value) -> None:
    """Tell staff once per request that a filter value was ignored."""
    warned = request.__dict__.setdefault(_WARNED, set())
    if (title, value) in warned:
        return
    warned.add((title, value))
    messages.warning(
        request, f"The filter “{title}” has no choice “{value}”; it was ignored and all are shown."
    )


class ChoiceFilter(admin.SimpleListFilter):
    """A list filter that applies only the choices it offers (``apply`` does the filtering)."""

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value not in {str(choice) for choice, _ in self.lookup_choices}:
            warn_ignored(request, self.title, value)
            return queryset
        return self.apply(queryset, value)

    def apply(self, queryset, value):
        raise NotImplementedError


class YesNoFilter(ChoiceFilter):
    """A yes/no filter: ``condition`` is the Q object for "yes"."""

    condition: Q

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def apply(self, queryset, value):
        return (
            queryset.filter(self.condition) if value == "yes" else queryset.exclude(self.condition)
        )


class CheckedDateRangeFilter(DateRangeFilter):
    """django-admin-rangefilter's date range, which also says when it ignored a bad date."""

    def queryset(self, request, queryset):
        if self.used_parameters and not self.form.is_valid():
            shown = ", ".join(f"{k}={v}" for k, v in sorted(self.used_parameters.items()))
            warn_ignored(request, self.title, shown)
            return queryset
        return super().queryset(request, queryset)


class OrderStatusFilter(ChoiceFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return OrderStatus.choices

    def apply(self, queryset, value):
        return queryset.filter(status=value)


class DeliveredFilter(YesNoFilter):
    title = "delivered"
    parameter_name = "delivered"
    condition = Q(status=OrderStatus.DELIVERED)


class TotalDiffersFilter(YesNoFilter):
    title = "total differs from items"
    parameter_name = "total_differs"
    condition = Q(total_differs=True)  # annotated by OrderQuerySet.with_item_totals()


class CustomerSegmentFilter(ChoiceFilter):
    title = "customer segment"
    parameter_name = "segment"

    def lookups(self, request, model_admin):
        return [(segment, segment) for segment in SEGMENTS]

    def apply(self, queryset, value):
        return queryset.of_segment(value)


class ProductCategoryFilter(ChoiceFilter):
    title = "contains a product of category"
    parameter_name = "category"

    def lookups(self, request, model_admin):
        return list(Category.objects.order_by("name").values_list("pk", "name"))

    def apply(self, queryset, value):
        return queryset.containing_category(int(value))


class _ProductChoiceForm(forms.Form):
    def __init__(self, *args, admin_site, parameter_name, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[parameter_name] = forms.ModelChoiceField(
            queryset=Product.objects.all(),
            required=False,
            label="",
            widget=PreloadedAutocompleteSelect(
                OrderItem._meta.get_field("product"), admin_site, attrs={"style": "width: 100%"}
            ),
        )


class ContainsProductFilter(admin.SimpleListFilter):
    """Orders with a line of one product, chosen with the admin's product autocomplete."""

    title = "contains product"
    parameter_name = "product"
    template = "admin/backoffice/order/autocomplete_filter.html"

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.product = None
        value = self.value()
        if value is not None:
            if value.isdigit():
                self.product = Product.objects.filter(pk=int(value)).first()
            if self.product is None:
                warn_ignored(request, self.title, value)
        form = _ProductChoiceForm(
            initial={self.parameter_name: self.product.pk if self.product else None},
            admin_site=model_admin.admin_site,
            parameter_name=self.parameter_name,
        )
        field = form[self.parameter_name]
        field.field.widget.preload(self.product)
        self.widget_id = f"id_filter_{self.parameter_name}"
        self.widget_html = field.as_widget(attrs={"id": self.widget_id})

    def lookups(self, request, model_admin):
        return []

    def has_output(self):
        return True

    def queryset(self, request, queryset):
        if self.product is None:
            return queryset
        return queryset.containing_product(self.product.pk)

    def choices(self, changelist):
        # The page's script swaps PRODUCT_ID for the chosen product's id.
        self.url_template = changelist.get_query_string({self.parameter_name: "PRODUCT_ID"})
        yield {
            "selected": self.product is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "All",
        }
        if self.product is not None:
            yield {
                "selected": True,
                "query_string": changelist.get_query_string({self.parameter_name: self.product.pk}),
                "display": format_html("{}", self.product.name),
            }


class ItemOrderStatusFilter(OrderStatusFilter):
    """On the order lines list: the status of the line's order."""

    title = "order status"
    parameter_name = "order_status"

    def apply(self, queryset, value):
        return queryset.filter(order__status=value)


class ItemCategoryFilter(ProductCategoryFilter):
    """On the order lines list: the category of the line's product."""

    title = "category"

    def apply(self, queryset, value):
        return queryset.filter(product__category_id=int(value))
