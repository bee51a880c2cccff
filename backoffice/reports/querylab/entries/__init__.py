"""Query Lab entries, one module per section of the guide. Importing registers them.

The lab lists the sections in the order of ``registry.SECTIONS`` and, within a section, the
entries in the order their module defines them.
"""

from backoffice.reports.querylab.entries import (  # noqa: F401
    advanced,
    aggregation,
    basic,
    bulk,
    examples,
    filtering,
    functions,
    joins,
    managers,
    performance,
    raw_sql,
    testing,
    transactions,
    validation,
    windows,
)
