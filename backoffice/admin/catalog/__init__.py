"""The catalog's admins: products (with their metadata), categories, suppliers, tags, reviews."""

from backoffice.admin.catalog import categories, products, reviews, suppliers, tags  # noqa: F401
