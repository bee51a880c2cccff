"""Every admin registration, by area of the shop.

Each area's package imports its modules; each module registers its own admins with
``@admin.register``. Nothing registers as a side effect of another module importing a helper.

- ``common/``: the base admin class, filters, messages, stale-edit checks, action pages (no
  registrations)
- ``catalog/``: products, categories, suppliers, tags, reviews, product metadata
- ``sales/``: orders and order lines
- ``customers/``: customers, staff users and groups, login lockouts
- ``history``: the read-only history lists (stock movements, status changes, imports)
- ``jobs``: the import and export jobs and each job's page (progress, confirm, cancel)
- ``reports``: the dashboard, reports and Query Lab pages (wired in by ``backoffice.sites``)
"""

from backoffice.admin import catalog, customers, history, jobs, sales  # noqa: F401
