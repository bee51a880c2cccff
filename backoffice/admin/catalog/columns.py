"""What the catalog lists share: money shown to the cent, the read-only table of a category's,
supplier's or tag's products, and a list ordered by its figures by default."""

from collections.abc import Callable

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from backoffice.admin.common.base import BackofficeAdmin
from backoffice.admin.common.changelist import PageFirstChangeList
from backoffice.admin.common.columns import money

# Products listed on a category's, supplier's or tag's page: a category of thousands of products
# rendered them all (a second and megabytes of HTML); the rest are one link away.
PRODUCT_TABLE_ROWS = 50


def products_table(products, more: str = "") -> str:
    """A read-only table of products, each name linking to its change page; ``more`` (HTML)
    below it."""
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
        "<th>stock</th><th>active</th></tr></thead><tbody>{}</tbody></table>{}",
        format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>',
            rows,
        ),
        more,
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


def product_table_field(
    description: str, products_of: Callable[[Model], QuerySet], list_filter: str
):
    """The read-only ``product_table`` of a category's, supplier's or tag's change page: the
    first ``PRODUCT_TABLE_ROWS`` products ``products_of(obj)`` picks (by name), linked, and
    when there are more, how many and a link to all of them in the product list filtered by
    ``list_filter`` (its parameter for this object's id). A row not saved yet has none."""

    @admin.display(description=description)
    def product_table(modeladmin, obj):
        if obj is None or obj.pk is None:
            return "—"
        products = product_rows(products_of(obj))
        shown = list(products[: PRODUCT_TABLE_ROWS + 1])
        more = ""
        if len(shown) > PRODUCT_TABLE_ROWS:
            shown = shown[:PRODUCT_TABLE_ROWS]
            # the change page's row carries its product count (its admin's annotation)
            total = getattr(obj, "product_count", None)
            if total is None:
                total = products.count()
            link = reverse("admin:backoffice_product_changelist")
            more = format_html(
                '<p class="related-products-more">The first {} of {} products by name. '
                '<a href="{}?{}">See all {} in the product list</a></p>',
                PRODUCT_TABLE_ROWS,
                f"{total:,}",
                link,
                urlencode({list_filter: obj.pk}),
                f"{total:,}",
            )
        return products_table(shown, more)

    return product_table
