"""Customers: a shop profile attached one-to-one to a Django user account."""

from django.conf import settings
from django.db import models

from backoffice.models.base import (
    ConstraintErrorsOnFieldsMixin,
    external_ref_field,
    external_ref_indexes,
    external_ref_unique,
)
from backoffice.models.indexes import SearchIndex
from backoffice.querysets import CustomerQuerySet


class Customer(ConstraintErrorsOnFieldsMixin, models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="customer"
    )
    phone = models.CharField(max_length=15)
    address = models.TextField()
    date_of_birth = models.DateField(null=True, blank=True)
    external_ref = external_ref_field()

    objects = CustomerQuerySet.as_manager()

    constraint_error_fields = {"customer_external_ref_unique": "external_ref"}

    class Meta:
        default_permissions = ("add", "change", "delete", "view", "export")
        ordering = ["user__last_name", "user__first_name", "id"]
        # the admin's search; the user's names and e-mail: auth_user's, 0010_search_indexes
        indexes = [
            SearchIndex.on_upper("phone", name="customer_phone_search"),
            *external_ref_indexes("customer"),
        ]
        constraints = [external_ref_unique("customer")]

    def __str__(self):
        full_name = f"{self.user.first_name} {self.user.last_name}".strip()
        return full_name or self.user.username
