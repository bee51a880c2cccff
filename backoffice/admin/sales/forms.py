"""The order page's form and how it saves: one service call, one transaction.

Django's admin saves the order (``save_model``) and then each inline (``save_related``). Here
``save_model`` does nothing and ``save_related`` hands the order and the wanted lines to
``order_save_with_items``, then a status change to ``order_set_status``; the admin runs the whole
POST in one transaction, so a refusal undoes everything.

Stock is checked while validating (the formset locks the rows and puts the error on the line),
so a refusal at save time only happens if someone else took the stock in between (possible on
SQLite, which has no row locks). Then the page is shown again with that refusal on the line
(or on the status), exactly as if validation had caught it (``StaleEditAdminMixin``).

A page opened before someone else changed the order or its lines is refused the same way
(``EditConflict`` from ``order_save_with_items``), with what changed named on the form and on
the lines (``admin/edits.py``, docs/editing.md).
"""

from backoffice.admin.common.edits import (
    REFUSAL_ATTR,
    SeenValuesForm,
    StaleEditAdminMixin,
    seen_version_of,
)
from backoffice.admin.sales.widgets import preload_choice
from backoffice.models import Order, OrderItem, OrderStatus
from backoffice.services.inventory import StockError
from backoffice.services.orders import (
    ALLOWED_MOVES,
    EditConflict,
    OrderError,
    OrderStatusError,
    order_save_with_items,
    order_set_status,
)

__all__ = ["REFUSAL_ATTR", "OrderAdminSaveMixin", "OrderForm"]  # REFUSAL_ATTR: for the inline


class OrderForm(SeenValuesForm):
    class Meta:
        model = Order
        fields = ["customer", "order_date", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "status" in self.fields:
            current = self.instance.status
            allowed = {current, *ALLOWED_MOVES.get(current, ())}
            if self.is_bound:
                # The status the page showed stays a valid choice, so a page that is stale
                # because the status moved is refused as stale (naming the move), not as an
                # invalid choice; a real move is still checked by order_set_status.
                allowed.add(self.data.get(self.add_initial_prefix("status")))
            self.fields["status"].choices = [
                (value, label) for value, label in OrderStatus.choices if value in allowed
            ]
            self.fields["status"].help_text = (
                "Only the next steps are offered: pending → processing → shipped → delivered, "
                "or cancelled before delivery (which returns the stock)."
            )
        if self.instance.pk:
            preload_choice(self, "customer", self.instance.customer)

    def clean(self):
        cleaned = super().clean()
        if isinstance(self.refusal, OrderStatusError):
            self.add_error("status" if "status" in self.fields else None, str(self.refusal))
        elif isinstance(self.refusal, OrderError):
            self.add_error(None, str(self.refusal))
        return cleaned

    def conflict_message(self) -> str:
        changes = self.changes_since_seen()
        what = "; ".join(changes) if changes else "its lines or status, listed below"
        return (
            f"Someone else changed this order since you opened this page ({what}). Nothing was "
            "saved: the page now shows the current order beside your changes; check and save "
            "again."
        )


class OrderAdminSaveMixin(StaleEditAdminMixin):
    """Saving an order page through the order services (see the module docstring)."""

    refusal_types = (StockError, OrderError, EditConflict)

    def save_model(self, request, obj, form, change):
        """Nothing yet: ``save_related`` saves the order together with its lines."""

    def save_related(self, request, form, formsets, change):
        items = next((fs for fs in formsets if fs.model is OrderItem), None)
        editable = items is not None and items.lines_editable
        result = order_save_with_items(
            order=form.instance,
            lines=items.desired_lines() if editable else None,
            user=request.user,
            seen_version=seen_version_of(form) if change else None,
        )
        if items is not None:  # what Django's change message reads from a saved formset
            items.new_objects = result.created
            items.changed_objects = result.changed
            items.deleted_objects = result.deleted
        for formset in formsets:
            if formset is not items:
                self.save_formset(request, form, formset, change=change)
        wanted = form.cleaned_data.get("status")
        # changed_data is relative to what the page showed: a status the editor left alone
        # is never "moved back" to what a stale page showed.
        if change and "status" in form.changed_data and wanted and wanted != form.instance.status:
            order_set_status(order=form.instance, to_status=wanted, user=request.user)
