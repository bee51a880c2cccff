"""The order page's line items: product autocomplete, price defaulting to today's price, and
stock checked against locked rows before anything is saved.

The formset never saves lines itself: the order admin hands ``desired_lines()`` to
``order_save_with_items``, which writes the order, its lines and the stock in one transaction.
If that save refuses, the admin shows the page again with ``show_refusal`` (``sales/forms.py``).
"""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from backoffice.admin.common.edits import SeenValuesForm
from backoffice.admin.common.widgets import (
    PreloadedAutocompleteMixin,
    limit_related_links,
    preload_choice,
)
from backoffice.models import Order, OrderItem
from backoffice.services.edits import EditConflict
from backoffice.services.inventory import StockError
from backoffice.services.orders import LINES_EDITABLE_STATUSES, OrderLine, order_stock_refusals


class OrderItemForm(SeenValuesForm):
    versioned = False  # lines count as edits of their order (its version)

    class Meta:
        model = OrderItem
        fields = ["product", "quantity", "price"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quantity"].initial = 1
        self.fields["price"].required = False
        self.fields["price"].help_text = "Empty: the product's current price."
        if self.instance.pk:
            preload_choice(self, "product", self.instance.product)

    def clean(self):
        cleaned = super().clean()
        product = cleaned.get("product")
        if product is not None and cleaned.get("price") in (None, ""):
            cleaned["price"] = product.price
        quantity, price = cleaned.get("quantity"), cleaned.get("price")
        if quantity is not None and price not in (None, ""):
            problem = total_too_large(quantity * price)
            if problem:
                self.add_error("quantity", f"This line's total ({quantity} × {price}) {problem}")
        return cleaned


def total_too_large(amount) -> str:
    """Why ``amount`` cannot be an order's total (its column's digits), or "" when it can.

    Checked in the form because the database would refuse it at save (PostgreSQL: numeric
    field overflow); the column's own validators say what fits.
    """
    field = Order._meta.get_field("total_amount")
    try:
        field.run_validators(amount)
    except ValidationError:
        largest = Decimal(10) ** (field.max_digits - field.decimal_places) - Decimal(1).scaleb(
            -field.decimal_places
        )
        return (
            f"is too large: an order's total holds at most {field.max_digits} digits ({largest:,})."
        )
    return ""


class OrderItemFormSet(forms.BaseInlineFormSet):
    """Checks the lines as a whole: at least one, one line per product, and enough stock."""

    lines_editable = True  # set per request by OrderItemInline.get_formset

    def desired_lines(self) -> list[OrderLine]:
        """The lines as the page asks for them (existing lines keep their id)."""
        lines = []
        for form in self.forms:
            item = form.instance
            if self.can_delete and self._should_delete_form(form):
                continue
            if item.pk is None and not form.has_changed():
                continue  # an empty extra row
            lines.append(OrderLine(item.product_id, item.quantity, item.price, item_id=item.pk))
        return lines

    def clean(self):
        super().clean()
        if not self.lines_editable or any(self.errors):
            return
        lines = self.desired_lines()
        if not lines:
            raise ValidationError(
                "An order needs at least one line. To drop every line, cancel the order."
            )
        problem = total_too_large(sum(line.quantity * (line.price or 0) for line in lines))
        if problem:
            raise ValidationError(f"The order's total of these lines {problem}")
        products = set()
        for form in self._kept_forms():
            if form.instance.product_id in products:
                form.add_error(
                    "product", "This product is already on another line: change its quantity."
                )
                return
            products.add(form.instance.product_id)
        elsewhere = self._show_on_lines(order_stock_refusals(order=self.instance, lines=lines))
        if elsewhere:
            raise ValidationError(elsewhere)

    def show_refusal(self, refusal: Exception) -> None:
        """After a refused save: a stale page lists the lines that changed, missing stock goes
        on the line that asks for it."""
        if isinstance(refusal, EditConflict):
            self._non_form_errors.append(self._conflict_message())
        elif isinstance(refusal, StockError):
            self._non_form_errors.extend(self._show_on_lines(refusal.refusals))

    def _show_on_lines(self, refusals: dict[int, str]) -> list[str]:
        """Each refusal on the quantity of its product's line; those of no line are returned."""
        forms_by_product = {form.instance.product_id: form for form in self._kept_forms()}
        elsewhere = []
        for product_id, message in refusals.items():
            if product_id in forms_by_product:
                forms_by_product[product_id].add_error("quantity", message)
            else:
                elsewhere.append(message)
        return elsewhere

    def _conflict_message(self) -> str:
        """The lines someone else changed since the page was opened (old → new)."""
        changes, shown_ids = [], set()
        for form in self.forms:
            item = form.instance
            if item.pk is None:
                continue
            shown_ids.add(item.pk)
            changes += [f"{item.product}: {change}" for change in form.changes_since_seen()]
        for item in self.get_queryset():
            if item.pk not in shown_ids:
                changes.append(f"{item.product}: line added (quantity {item.quantity})")
        what = "; ".join(changes) if changes else "no line changed"
        return f"Lines changed since you opened this page: {what}."

    def _kept_forms(self):
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            if form.instance.pk is None and not form.has_changed():
                continue
            yield form


class OrderItemInline(PreloadedAutocompleteMixin, admin.TabularInline):
    """Lines are part of the order: whoever may change the order may change its lines, while
    the order is pending or processing (docs/design.md: stock follows the lines until shipping)."""

    model = OrderItem
    form = OrderItemForm
    formset = OrderItemFormSet
    fields = ["product", "quantity", "price", "line_total"]
    readonly_fields = ["line_total"]
    autocomplete_fields = ["product"]
    preloaded_autocomplete_fields = ("product",)
    extra = 1

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        return limit_related_links(formfield) if db_field.name == "product" else formfield

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.lines_editable = self._can_edit_lines(request, obj)
        return formset

    @admin.display(description="line total")
    def line_total(self, item):
        return item.line_total if item.pk else "—"

    def _can_edit_lines(self, request, obj):
        if obj is None:
            return request.user.has_perm("backoffice.add_order")
        return (
            request.user.has_perm("backoffice.change_order")
            and obj.status in LINES_EDITABLE_STATUSES
        )

    def has_add_permission(self, request, obj=None):
        return self._can_edit_lines(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._can_edit_lines(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._can_edit_lines(request, obj)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("backoffice.view_order") or request.user.has_perm(
            "backoffice.change_order"
        )
