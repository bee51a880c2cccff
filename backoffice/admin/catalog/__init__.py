"""The catalog's admins: products (with their metadata), categories, suppliers, tags, reviews."""

from backoffice.admin.catalog import lists, products, reviews  # noqa: F401
