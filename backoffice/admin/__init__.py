"""Admin registrations, one module per area of the shop."""

from backoffice.admin import (  # noqa: F401
    catalog,
    customers,
    imports,
    inventory,
    lockouts,
    reviews,
    sales,
)
