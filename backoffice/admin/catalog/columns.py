"""What the catalog lists share: money shown to the cent, the read-only table of a category's,
supplier's or tag's products, and a list ordered by its figures by default."""

from collections.abc import Callable

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from backoffice.admin.common.base import BackofficeAdmin
from backoffice.admin.common.changelist import PageFirstChangeList
from backoffice.admin.common.columns import money


def products_table(products) -> str:
    """A read-only table of products, each name linking to its change page."""
    rows = [
        (
            reverse("admin:backoffice_product_change", args=[product.pk]),
            product.name,
            money(product.price),
            product.stock_quantity,
            "yes" if product.is_active else "no",
        )
        for product in products
    ]
    if not rows:
        return "No products."
    return format_html(
        '<table class="related-products"><thead><tr><th>product</th><th>price</th>'
        "<th>stock</th><th>active</th></tr></thead><tbody>{}</tbody></table>",
        format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>',
            rows,
        ),
    )


class FiguresOrderedChangeList(PageFirstChangeList):
    """A list whose default order is by an annotated figure.

    ``ModelAdmin.ordering`` must name model fields, and other lists' related-field filters reuse
    it to order their choices (where the annotation does not exist), so the admin leaves
    ``ordering`` empty and names the list's default order in ``list_default_ordering``.
    """

    def _get_default_ordering(self):
        return list(self.model_admin.list_default_ordering)


class FiguresOrderedAdmin(BackofficeAdmin):
    """An admin whose list is ordered by its figures by default (``FiguresOrderedChangeList``):
    the category and supplier lists."""

    ordering = None
    list_default_ordering: list = []

    def get_changelist(self, request, **kwargs):
        return FiguresOrderedChangeList


def product_rows(queryset):
    return queryset.order_by("name", "pk").only(
        "pk", "name", "price", "stock_quantity", "is_active"
    )


def product_table_field(description: str, products_of: Callable[[Model], QuerySet]):
    """The read-only ``product_table`` of a category's, supplier's or tag's change page: the
    products ``products_of(obj)`` picks, linked; a row not saved yet has none to show."""

    @admin.display(description=description)
    def product_table(modeladmin, obj):
        if obj is None or obj.pk is None:
            return "—"
        return products_table(product_rows(products_of(obj)))

    return product_table
