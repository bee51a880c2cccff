"""The people admins: customers, staff and customer accounts (users, groups), login lockouts."""

from backoffice.admin.customers import customers, lockouts, users  # noqa: F401
