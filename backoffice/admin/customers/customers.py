"""Customers, with the guide's order analytics.

The customer list reads ``CustomerQuerySet.with_order_stats()``: every figure is a correlated
subquery, so one query serves a page whatever the number of orders. A new customer is created
with their account on one page (``customer_create``). The accounts themselves are in ``users``.
"""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import ngettext

from backoffice.admin.common.action_pages import action_page
from backoffice.admin.common.base import BackofficeAdmin
from backoffice.admin.common.columns import annotation_column
from backoffice.admin.common.filters import CheckedDateRangeFilter
from backoffice.admin.common.messages import count_of
from backoffice.admin.common.readonly import ReadOnlyPermissionsMixin
from backoffice.admin.common.show_query import ShowQueryMixin
from backoffice.admin.customers.filters import (
    HasOrdersFilter,
    InactiveFilter,
    SegmentFilter,
)
from backoffice.admin.customers.forms import CustomerCreationForm
from backoffice.admin.sales.orders import status_badge
from backoffice.models import Customer, Order
from backoffice.querysets.sales import CUSTOMER_FIGURES
from backoffice.resources import CustomerResource
from backoffice.services.customers import customer_create, customers_deactivate


class CustomerOrderInline(ReadOnlyPermissionsMixin, admin.TabularInline):
    """The customer's orders, read-only, each linked to its page."""

    model = Order
    fields = ["order_link", "status_badge", "order_date", "total_amount", "items_total", "lines"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "orders (newest first)"

    def get_queryset(self, request):
        return super().get_queryset(request).with_item_totals().order_by("-order_date", "-id")

    @admin.display(description="order")
    def order_link(self, order):
        url = reverse("admin:backoffice_order_change", args=[order.pk])
        return format_html('<a href="{}">#{}</a>', url, order.pk)

    @admin.display(description="status")
    def status_badge(self, order):
        return status_badge(order.status, order.get_status_display())

    @admin.display(description="items total")
    def items_total(self, order):
        return order.items_total

    @admin.display(description="lines")
    def lines(self, order):
        return order.item_count


@admin.action(permissions=["deactivate"], description="Deactivate the selected customers' accounts")
def deactivate_accounts(modeladmin, request, queryset):
    def apply(_data):
        ids = list(queryset.values_list("pk", flat=True))
        deactivated, already = customers_deactivate(customer_ids=ids, user=request.user)
        modeladmin.message_user(
            request, f"{count_of(deactivated, 'account')} deactivated; they can no longer log in."
        )
        if already:
            modeladmin.message_user(
                request,
                ngettext("%(n)s was already inactive.", "%(n)s were already inactive.", already)
                % {"n": count_of(already, "account")},
                messages.INFO,
            )

    return action_page(
        modeladmin,
        request,
        queryset,
        title="Deactivate customer accounts",
        explanation=(
            "The customers keep their profile, orders and history; their user accounts are "
            "switched off and can no longer log in. An administrator can switch one back on "
            "from the user's page."
        ),
        confirm_label="Yes, deactivate",
        apply=apply,
    )


@admin.register(Customer)
class CustomerAdmin(ShowQueryMixin, BackofficeAdmin):
    resource_classes = [CustomerResource]
    list_display = [
        "full_name",
        "email",
        "phone",
        *CUSTOMER_FIGURES,  # CustomerQuerySet.with_order_stats(), in its order
    ]
    list_filter = [
        HasOrdersFilter,
        SegmentFilter,
        InactiveFilter,
        ("date_of_birth", CheckedDateRangeFilter),
        ("user__date_joined", CheckedDateRangeFilter),
    ]
    search_fields = [
        "^user__first_name",
        "^user__last_name",
        "=user__email",
        "^user__username",
        "phone",
        "=external_ref",
    ]
    search_help_text = (
        "The start of a name or username, an exact e-mail address, a phone, or an external "
        "reference (whole)."
    )
    ordering = ["user__last_name", "user__first_name"]
    inlines = [CustomerOrderInline]
    actions = [deactivate_accounts]
    add_form = CustomerCreationForm
    add_fieldsets = [
        ("Account", {"fields": ["username", "first_name", "last_name", "email"]}),
        ("Password (optional)", {"fields": ["password1", "password2"]}),
        ("Profile", {"fields": ["phone", "address", "date_of_birth"]}),
    ]
    fieldsets = [
        (None, {"fields": ["account", "phone", "address", "date_of_birth", "external_ref"]}),
    ]
    readonly_fields = ["account"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").with_order_stats()

    def get_autocomplete_queryset(self, request):
        return super().get_queryset(request).select_related("user")  # the name, no figures

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, **kwargs)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        # ``obj`` is the form's unsaved profile: the service saves it with its new account.
        customer_create(
            customer=obj,
            **form.account_data(),
            **{name: form.cleaned_data[name] for name in ("phone", "address", "date_of_birth")},
        )

    def has_deactivate_permission(self, request):
        """Switching accounts off needs the right to change customers and user accounts."""
        return self.has_change_permission(request) and request.user.has_perm("auth.change_user")

    @admin.display(description="account")
    def account(self, customer):
        url = reverse("admin:auth_user_change", args=[customer.user_id])
        state = "" if customer.user.is_active else " (inactive)"
        return format_html('<a href="{}">{}</a>{}', url, customer.user.username, state)

    @admin.display(description="name", ordering="user__last_name")
    def full_name(self, customer):
        return str(customer)

    @admin.display(description="email", ordering="user__email")
    def email(self, customer):
        return customer.user.email

    order_count = annotation_column("order_count", "orders")
    total_spent = annotation_column("total_spent", "total spent")
    avg_order_value = annotation_column("avg_order_value", "average order")
    first_order_date = annotation_column("first_order_date", "first order")
    last_order_date = annotation_column("last_order_date", "last order")
    latest_order_total = annotation_column("latest_order_total", "latest order total")
    has_order_over_500 = annotation_column("has_order_over_500", "order over $500", boolean=True)

    @admin.display(description="segment", ordering="total_spent")
    def segment(self, customer):
        return customer.segment
