"""Sales queries: orders, order items and customers."""

from django.db import models


class OrderQuerySet(models.QuerySet):
    pass


class OrderItemQuerySet(models.QuerySet):
    pass


class CustomerQuerySet(models.QuerySet):
    pass
