"""Order list filters.

Each follows the one contract of ``backoffice.admin.common.filters`` (a value it does not offer
is ignored with a message); ``filter()`` is one cheap QuerySet call.
"""

from django import forms
from django.contrib import admin
from django.db.models import Q
from django.utils.html import format_html

from backoffice.admin.common.filters import KnownChoiceFilter, YesNoFilter, warn_unknown_choice
from backoffice.admin.customers.filters import SegmentFilter
from backoffice.admin.sales.widgets import PreloadedAutocompleteSelect
from backoffice.models import Category, OrderItem, OrderStatus, Product


class OrderStatusFilter(KnownChoiceFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return OrderStatus.choices

    def filter(self, queryset, value):
        return queryset.filter(status=value)


class DeliveredFilter(YesNoFilter):
    title = "delivered"
    parameter_name = "delivered"
    condition = Q(status=OrderStatus.DELIVERED)


class TotalDiffersFilter(YesNoFilter):
    title = "total differs from items"
    parameter_name = "total_differs"
    condition = Q(total_differs=True)  # annotated by OrderQuerySet.with_item_totals()


class CustomerSegmentFilter(SegmentFilter):
    """On the order list: the segment of the order's customer (the customer list's choices)."""

    title = "customer segment"

    def filter(self, queryset, value):
        return queryset.of_segment(value)


class ProductCategoryFilter(KnownChoiceFilter):
    title = "contains a product of category"
    parameter_name = "category"

    def lookups(self, request, model_admin):
        return list(Category.objects.order_by("name").values_list("pk", "name"))

    def filter(self, queryset, value):
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


class ProductAutocompleteFilter(admin.SimpleListFilter):
    """A filter on one product, chosen with the admin's product autocomplete: a list of every
    product (Django's related-field filter) would be a hundred thousand links at size.
    Subclasses say what "of this product" means (``for_product``); the list's admin adds the
    widget's media (``product_autocomplete_media``)."""

    title = "product"
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
                warn_unknown_choice(request, self.title, value)
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
        return self.for_product(queryset, self.product.pk)

    def for_product(self, queryset, product_id):
        raise NotImplementedError

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

    def filter(self, queryset, value):
        return queryset.filter(order__status=value)


class ItemCategoryFilter(ProductCategoryFilter):
    """On the order lines list: the category of the line's product."""

    title = "category"

    def filter(self, queryset, value):
        return queryset.filter(product__category_id=int(value))


class ContainsProductFilter(ProductAutocompleteFilter):
    """Orders with a line of one product."""

    title = "contains product"

    def for_product(self, queryset, product_id):
        return queryset.containing_product(product_id)


def product_autocomplete_media(admin_site):
    """What a list page needs for ``ProductAutocompleteFilter``'s widget."""
    return PreloadedAutocompleteSelect(OrderItem._meta.get_field("product"), admin_site).media
