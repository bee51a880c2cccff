"""Orders, order lines and the status timeline in the admin.

Reads come from ``OrderQuerySet`` (one query per list page, whatever its length); writes go
through ``backoffice.services.orders`` so that an order, its lines, its stock and its status
history change together or not at all.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from backoffice.admin.common.base import BackofficeAdmin
from backoffice.admin.common.columns import annotation_column
from backoffice.admin.common.filters import CheckedDateRangeFilter
from backoffice.admin.common.show_query import ShowQueryMixin
from backoffice.admin.common.widgets import PreloadedAutocompleteMixin, limit_related_links
from backoffice.admin.sales import actions as sales_actions
from backoffice.admin.sales.filters import (
    ContainsProductFilter,
    CustomerSegmentFilter,
    DeliveredFilter,
    OrderStatusFilter,
    ProductCategoryFilter,
    TotalDiffersFilter,
    product_autocomplete_media,
)
from backoffice.admin.sales.forms import OrderAdminSaveMixin, OrderForm
from backoffice.admin.sales.inlines import OrderItemInline
from backoffice.models import Order, OrderStatus, Product
from backoffice.querysets.sales import CHARGE_FIELDS
from backoffice.resources import OrderResource

STATUS_COLOURS = {
    OrderStatus.PENDING: "#8a6d00",
    OrderStatus.PROCESSING: "#1f5fa8",
    OrderStatus.SHIPPED: "#6a3fa0",
    OrderStatus.DELIVERED: "#1e7a34",
    OrderStatus.CANCELLED: "#a12a2a",
}


def status_badge(status: str, label: str):
    return format_html(
        '<span class="order-status order-status-{}" style="color: #fff; background: {}; '
        'padding: 2px 8px; border-radius: 10px; white-space: nowrap;">{}</span>',
        status,
        STATUS_COLOURS.get(status, "#555"),
        label,
    )


@admin.register(Order)
class OrderAdmin(ShowQueryMixin, OrderAdminSaveMixin, PreloadedAutocompleteMixin, BackofficeAdmin):
    resource_classes = [OrderResource]
    form = OrderForm
    inlines = [OrderItemInline]
    change_list_template = "admin/backoffice/order/change_list.html"
    change_form_template = "admin/backoffice/order/change_form.html"
    list_display = [
        "number",
        "customer_name",
        "status_badge",
        "order_date",
        "delivery_date",
        "total_amount",
        "items_total",
        "total_differs",
        "item_count",
        "prev_order_total",
        "next_order_total",
    ]
    list_display_links = ["number"]
    list_filter = [
        OrderStatusFilter,
        ("order_date", CheckedDateRangeFilter),
        ("delivery_date", CheckedDateRangeFilter),
        DeliveredFilter,
        TotalDiffersFilter,
        CustomerSegmentFilter,
        ContainsProductFilter,
        ProductCategoryFilter,
    ]
    # "id__exact" compares the number as text, so a name typed in the box is no error.
    search_fields = [
        "id__exact",
        "customer__user__first_name",
        "customer__user__last_name",
        "customer__user__email",
        "customer__user__username",
        "=external_ref",
        "=customer__external_ref",
        "items__product__name",
    ]
    search_help_text = (
        "Order number (exact, e.g. 12 or #12), customer name, user name or e-mail, product "
        "name, or an order's or customer's external reference (whole)."
    )
    date_hierarchy = "order_date"
    ordering = ["-order_date", "-id"]
    autocomplete_fields = ["customer"]
    preloaded_autocomplete_fields = ("customer",)
    readonly_fields = ["delivery_date", "totals_panel", "status_timeline"]
    actions = [
        sales_actions.mark_processing,
        sales_actions.mark_shipped,
        sales_actions.mark_delivered,
        sales_actions.mark_cancelled,
        sales_actions.recalculate_totals,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).for_list()

    def get_fieldsets(self, request, obj=None):
        # seen_version: the hidden version the page was opened at (admin/common/edits.py).
        main = ["customer", "order_date"] + (["status", "delivery_date"] if obj else [])
        main.append("external_ref")
        main += self.seen_version_fields(request, obj)
        return [
            (None, {"fields": main}),
            ("Charges", {"fields": [tuple(CHARGE_FIELDS)]}),
            ("Totals", {"fields": ["totals_panel"]}),
            ("Status timeline", {"fields": ["status_timeline"]}),
        ]

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if term.startswith("#") and term[1:].isdigit():
            return queryset.filter(pk=int(term[1:])), False
        return super().get_search_results(request, queryset, search_term)

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Deleting an order would lose its stock history; cancel it instead.
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        """Only deletable orders (``Order.deletable``: the cancelled ones) can be deleted."""
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.deletable)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "customer":  # a new customer may be added from here, not deleted
            return limit_related_links(formfield, add=True)
        return formfield

    @property
    def media(self):
        # The product filter uses the autocomplete widget on the list page too.
        return super().media + product_autocomplete_media(self.admin_site)

    def get_urls(self):
        prices = path(
            "product-prices/",
            self.admin_site.admin_view(self.product_prices_view),
            name="backoffice_order_product_prices",
        )
        return [prices, *super().get_urls()]

    def product_prices_view(self, request):
        """Today's price of the products in ``?ids=1,2`` (for the order page's price hint)."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        ids = [int(pk) for pk in request.GET.get("ids", "").split(",") if pk.isdigit()][:100]
        prices = Product.objects.filter(pk__in=ids).values_list("pk", "price")
        return JsonResponse({str(pk): str(price) for pk, price in prices})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "product_prices_url": reverse("admin:backoffice_order_product_prices"),
        }
        return super().changeform_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        cl = getattr(response, "context_data", {}).get("cl")
        if cl is not None:
            response.context_data["status_summary"] = status_summary(cl.queryset)
        return response

    # --- list columns ---

    @admin.display(description="number", ordering="pk")
    def number(self, order):
        return f"#{order.pk}"

    @admin.display(description="customer", ordering="customer__user__last_name")
    def customer_name(self, order):
        return str(order.customer)

    @admin.display(description="status", ordering="status")
    def status_badge(self, order):
        return status_badge(order.status, order.get_status_display())

    items_total = annotation_column("items_total", "items total")
    total_differs = annotation_column("total_differs", "differs", boolean=True)
    item_count = annotation_column("item_count", "lines")
    # Not sortable: sorting by a neighbour computes a window over every order (20 s at a
    # million orders), and "orders by their customer's previous total" answers no question.
    prev_order_total = annotation_column(
        "prev_order_total", "customer's previous order", sortable=False
    )
    next_order_total = annotation_column(
        "next_order_total", "customer's next order", sortable=False
    )

    # --- change page panels ---

    @admin.display(description="items, charges and total charged")
    def totals_panel(self, order):
        if order is None or order.pk is None or not hasattr(order, "items_total"):
            return "Calculated from the lines and charges when the order is saved."
        # items + shipping + tax − discount: the SQL ``charged_for``'s twin, on the shown row
        expected = order.charged_for(order.items_total)
        difference = order.total_amount - expected
        if difference:
            more_or_less = "more" if difference > 0 else "less"
            note = format_html(
                ' <strong class="totals-differ">charged {} {} than its items and charges; the '
                "order list's “Recalculate totals from items” action sets the total to "
                "{}.</strong>",
                abs(difference),
                more_or_less,
                expected,
            )
        else:
            note = ""
        return format_html(
            '<table class="order-totals"><tbody>'
            '<tr><th>Items total</th><td class="items-total">{}</td></tr>'
            '<tr><th>+ Shipping</th><td class="shipping">{}</td></tr>'
            '<tr><th>+ Tax</th><td class="tax">{}</td></tr>'
            '<tr><th>− Discount</th><td class="discount">{}</td></tr>'
            '<tr><th>Items and charges</th><td class="charge-for-items">{}</td></tr>'
            '<tr><th>Total charged</th><td class="total-charged">{}</td></tr>'
            '<tr><th>Charged − (items and charges)</th><td class="difference">{}{}</td></tr>'
            "</tbody></table>",
            order.items_total,
            order.shipping_amount,
            order.tax_amount,
            order.discount_amount,
            expected,
            order.total_amount,
            difference,
            note,
        )

    @admin.display(description="status changes")
    def status_timeline(self, order):
        if order is None or order.pk is None:
            return "Starts when the order is saved (pending)."
        changes = list(order.status_changes.select_related("user"))
        if not changes:
            return f"No recorded changes: imported as {order.get_status_display().lower()}."
        rows = format_html_join(
            "",
            '<tr class="timeline-step"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (
                    change.changed_at.strftime("%Y-%m-%d %H:%M"),
                    change.get_from_status_display() or "—",
                    change.get_to_status_display(),
                    change.user.get_username() if change.user else "system",
                    change.note,
                )
                for change in changes
            ),
        )
        return format_html(
            '<table class="status-timeline"><thead><tr><th>When</th><th>From</th><th>To</th>'
            "<th>Who</th><th>Note</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )


def status_summary(queryset):
    """The filtered list's orders per status and money (one conditional aggregate)."""
    summary = queryset.status_summary()
    return {
        "total_orders": summary["total_orders"],
        "statuses": [
            {
                "label": label,
                "count": summary["by_status"][value]["count"],
                "badge": status_badge(value, label),
            }
            for value, label in OrderStatus.choices
        ],
        "charged": summary["charged"],
        "cancelled_amount": summary["cancelled_amount"],
    }
