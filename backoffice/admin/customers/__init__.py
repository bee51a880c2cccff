"""The people admins: customers, staff users and groups, and login lockouts."""

from backoffice.admin.customers import customers, lockouts  # noqa: F401
