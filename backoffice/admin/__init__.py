"""Admin registrations, one module per area of the shop."""

from backoffice.admin import catalog, customers, inventory, reviews, sales  # noqa: F401
