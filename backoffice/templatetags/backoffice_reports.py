"""Formatting of report cells by kind (money, percent, dates, yes/no)."""

from datetime import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def report_cell(value, kind: str):
    if value is None or value == "":
        return "—"
    if kind == "money":
        return f"${value:,.2f}"
    if kind == "percent":
        return f"{value:.1f}%"
    if kind == "float":
        return f"{value:g}"
    if kind == "bool":
        return "yes" if value else "no"
    if kind == "datetime" and isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value


@register.filter
def dictget(mapping, key):
    """``mapping[key]``, or "" when absent (templates cannot index a dict by a variable)."""
    return mapping.get(key, "") if mapping else ""
