"""Admin registrations, one module per area of the shop."""

from backoffice.admin import catalog, customers, imports, inventory, reviews, sales  # noqa: F401
