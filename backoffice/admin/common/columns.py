"""List columns that show a queryset annotation, sortable by it.

The admin's annotated column is an ``@admin.display(description=…, ordering="<annotation>")``
method named like the annotation that returns it. Most lists have several, each three lines
of the same shape; ``annotation_column`` writes that method once, and a column that formats
its value passes ``show``. Django's admin checks see a plain callable attribute, as before.
"""

from collections.abc import Callable

from django.contrib import admin
from django.db.models import F


def money(value) -> str:
    """A money figure as staff read it: thousands separated, two decimals, a dash for none."""
    return "—" if value is None else f"{value:,.2f}"


def rating(value) -> str | None:
    """An average rating to two decimals; None (no reviews) shows the column's empty value."""
    return None if value is None else f"{value:.2f}"


def rating_column(name: str, description: str):
    """An average-rating column: unreviewed rows sort as the lowest on every database (SQLite
    and PostgreSQL put NULLs at opposite ends) and read "no reviews"."""
    return annotation_column(
        name,
        description,
        show=rating,
        ordering=F(name).asc(nulls_first=True),
        empty_value="no reviews",
    )


def annotation_column(
    name: str,
    description: str,
    *,
    show: Callable | None = None,
    ordering=None,
    boolean: bool | None = None,
    empty_value: str | None = None,
    sortable: bool = True,
):
    """The admin display method of the annotation ``name`` (sorted by it unless ``ordering``
    says otherwise; ``show`` turns the value into what the cell shows)."""

    def column(model_admin, obj):
        value = getattr(obj, name)
        return value if show is None else show(value)

    column.__name__ = name
    return admin.display(
        description=description,
        ordering=(ordering or name) if sortable else None,
        boolean=boolean,
        empty_value=empty_value,
    )(column)
