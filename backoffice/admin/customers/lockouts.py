"""Login lockouts (django-axes): the list of failed-login records, with an "Unlock" action.

django-axes registers its own admin for these records; we keep its columns and filters and add
the one thing staff need when a colleague is locked out: unlocking, logged like any delete; and
junk in their addresses gets a message like every other list's (``JunkParametersMixin``).
"""

import logging

from axes.admin import AccessAttemptAdmin, AccessLogAdmin, IsLockedOutFilter
from axes.helpers import get_cool_off
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.utils import timezone

from backoffice.admin.common.base import JunkParametersMixin
from backoffice.admin.common.messages import count_of
from backoffice.admin.customers.filters import LockedOutFilter

logger = logging.getLogger("backoffice.security")

admin.site.unregister(AccessAttempt)
admin.site.unregister(AccessLog)
# Kept only with AXES_ENABLE_ACCESS_FAILURE_LOG, which is off: the list would stay empty.
admin.site.unregister(AccessFailureLog)


@admin.register(AccessLog)
class LoginLogAdmin(JunkParametersMixin, AccessLogAdmin):
    """Every login and logout (django-axes' list), junk in the address handled like our lists."""


@admin.register(AccessAttempt)
class LockoutAdmin(JunkParametersMixin, AccessAttemptAdmin):
    """Failed logins by user name and address; the locked-out ones can be unlocked here."""

    actions = ["unlock", *AccessAttemptAdmin.actions]
    ordering = ["-attempt_time"]
    # django-axes' own "locked out" filter, on our filter contract (a junk value is reported).
    list_filter = [
        LockedOutFilter if flt is IsLockedOutFilter else flt
        for flt in AccessAttemptAdmin.list_filter
    ]

    @admin.action(
        permissions=["delete"],
        description="Unlock the selected logins (forget their failed attempts)",
    )
    def unlock(self, request, queryset):
        pairs = sorted({(a.username or "(no name)", a.ip_address or "?") for a in queryset})
        self.log_deletions(request, queryset)
        count, _ = queryset.delete()
        logger.warning(
            "%s unlocked %d login record(s): %s",
            request.user,
            count,
            ", ".join(f"{u}@{ip}" for u, ip in pairs),
        )
        self.message_user(
            request,
            f"Unlocked {count_of(count, 'login')}: "
            + ", ".join(f"{u} from {ip}" for u, ip in pairs)
            + ".",
            messages.SUCCESS,
        )

    @admin.action(
        permissions=["delete"],
        description="Clean up expired attempts (older than the lockout time)",
    )
    def cleanup_expired_attempts(self, request, queryset):
        """django-axes' action, which read a login's time from the request (an error page
        from the list) and was offered to staff who may only view; logged like unlock."""
        threshold = timezone.now() - get_cool_off(request)
        expired = AccessAttempt.objects.filter(attempt_time__lte=threshold)
        self.log_deletions(request, expired)
        count, _ = expired.delete()
        self.message_user(
            request, f"Cleaned up {count_of(count, 'expired login record')}.", messages.SUCCESS
        )
