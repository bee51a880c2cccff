"""The sales admins: orders (with their lines, actions and status timeline) and order lines."""

from backoffice.admin.sales import order_items, orders  # noqa: F401
