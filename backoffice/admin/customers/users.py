"""Staff and customer accounts: Django's user and group admins, with the customer profile
shown on the user (the reverse side of ``Customer.user``) and junk parameters handled."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef

from backoffice.admin.common.base import BackofficeAdmin, JunkParametersMixin
from backoffice.admin.common.columns import annotation_column
from backoffice.admin.customers.filters import HasCustomerProfileFilter
from backoffice.models import Customer
from backoffice.resources import UserResource

User = get_user_model()


class CustomerProfileInline(admin.StackedInline):
    """The user's shop profile: the reverse side of ``Customer.user`` (one-to-one)."""

    model = Customer
    fields = ["phone", "address", "date_of_birth"]
    can_delete = False
    max_num = 1
    verbose_name_plural = "customer profile"


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(JunkParametersMixin, DjangoGroupAdmin):
    """Django's own, with the junk-parameter handling every other list has."""


@admin.register(User)
class UserAdmin(BackofficeAdmin, DjangoUserAdmin):
    resource_classes = [UserResource]
    inlines = [CustomerProfileInline]
    list_display = [*DjangoUserAdmin.list_display, "has_customer_profile"]
    list_filter = [*DjangoUserAdmin.list_filter, HasCustomerProfileFilter]

    def get_queryset(self, request):
        profiles = Customer.objects.filter(user=OuterRef("pk"))
        return super().get_queryset(request).annotate(has_customer_profile=Exists(profiles))

    def get_inlines(self, request, obj):
        # Django's two-step "add user" page stays as it is; the profile comes on the next page.
        return self.inlines if obj is not None else []

    has_customer_profile = annotation_column(
        "has_customer_profile", "customer profile", boolean=True
    )
