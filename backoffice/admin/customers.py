from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from backoffice.admin.base import BackofficeAdmin
from backoffice.models import Customer
from backoffice.resources import CustomerResource, UserResource

User = get_user_model()


@admin.register(Customer)
class CustomerAdmin(BackofficeAdmin):
    resource_classes = [CustomerResource]
    list_display = ["__str__", "phone", "date_of_birth"]
    list_select_related = ["user"]
    search_fields = [
        "user__first_name",
        "user__last_name",
        "user__email",
        "user__username",
        "phone",
    ]
    ordering = ["user__last_name", "user__first_name"]


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(BackofficeAdmin, DjangoUserAdmin):
    resource_classes = [UserResource]
