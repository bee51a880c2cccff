"""Order list filters.

Each follows the one contract of ``backoffice.admin.common.filters`` (a value it does not offer
is ignored with a message); ``filter()`` is one cheap QuerySet call.
"""

from django.db.models import Q

from backoffice.admin.common.autocomplete_filters import (
    AutocompleteFilter,
    autocomplete_filter_media,
)
from backoffice.admin.common.filters import KnownChoiceFilter, YesNoFilter
from backoffice.admin.customers.filters import SegmentFilter
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


class ProductAutocompleteFilter(AutocompleteFilter):
    """A filter on one product, chosen with the admin's product autocomplete: a list of every
    product (Django's related-field filter) would be a hundred thousand links at size.
    Subclasses say what "of this product" means (``for_product``); the list's admin adds the
    widget's media (``product_autocomplete_media``)."""

    title = "product"
    parameter_name = "product"
    chosen_model = Product
    widget_field = (OrderItem, "product")

    @property
    def product(self):
        return self.chosen

    def for_choice(self, queryset, pk):
        return self.for_product(queryset, pk)

    def for_product(self, queryset, product_id):
        raise NotImplementedError


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
    return autocomplete_filter_media(admin_site, ProductAutocompleteFilter)
