"""Customer and user list filters (the contract: ``backoffice.admin.common.filters``)."""

from django.conf import settings
from django.db.models import Q

from backoffice.admin.common.filters import KnownChoiceFilter, YesNoFilter
from backoffice.querysets.sales import INACTIVE_AFTER_DAYS, SEGMENTS


class HasOrdersFilter(KnownChoiceFilter):
    """Cancelled orders don't count (docs/customer-segments.md); "only cancelled" finds the
    customers whose every order was cancelled."""

    title = "orders"
    parameter_name = "has_orders"

    def lookups(self, request, model_admin):
        return [
            ("yes", "Has orders"),
            ("no", "No orders"),
            ("only_cancelled", "Only cancelled orders"),
        ]

    def filter(self, queryset, value):
        if value == "yes":
            return queryset.with_orders()
        if value == "no":
            return queryset.without_orders()
        return queryset.without_orders().filter(cancelled_order_count__gt=0)


class SegmentFilter(KnownChoiceFilter):
    title = "segment"
    parameter_name = "segment"

    def lookups(self, request, model_admin):
        return [(segment, segment) for segment in SEGMENTS]

    def filter(self, queryset, value):
        return queryset.in_segment(value)


class InactiveFilter(KnownChoiceFilter):
    title = f"no order in the last {INACTIVE_AFTER_DAYS} days"
    parameter_name = "inactive"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No (ordered recently)")]

    def filter(self, queryset, value):
        inactive = queryset.inactive()
        return inactive if value == "yes" else queryset.exclude(pk__in=inactive.values("pk"))


class HasCustomerProfileFilter(YesNoFilter):
    """On the user list: accounts with or without a customer profile (reverse one-to-one)."""

    title = "has customer profile"
    parameter_name = "has_customer"
    condition = Q(customer__isnull=False)


class LockedOutFilter(YesNoFilter):
    """django-axes' ``IsLockedOutFilter`` (same title, parameter and condition)."""

    title = "locked out"
    parameter_name = "locked_out"

    @property
    def condition(self):
        return Q(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
