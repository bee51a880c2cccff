"""Query Lab entries, one module per section of the guide. Importing registers them."""

from backoffice.reports.querylab.entries import basic  # noqa: F401
