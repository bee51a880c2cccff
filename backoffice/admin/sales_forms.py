"""The order page's form and how it saves: one service call, one transaction.

Django's admin saves the order (``save_model``) and then each inline (``save_related``). Here
``save_model`` does nothing and ``save_related`` hands the order and the wanted lines to
``order_save_with_items``, then a status change to ``order_set_status``; the admin runs the whole
POST in one transaction, so a refusal undoes everything.

Stock is checked while validating (the formset locks the rows and puts the error on the line),
so a refusal at save time only happens if someone else took the stock in between (possible on
SQLite, which has no row locks). Then the page is shown again with that refusal on the line
(or on the status), exactly as if validation had caught it.
"""

from django import forms

from backoffice.admin.sales_widgets import preload_choice
from backoffice.models import Order, OrderItem, OrderStatus
from backoffice.services.inventory import StockError
from backoffice.services.orders import (
    ALLOWED_MOVES,
    OrderError,
    OrderStatusError,
    order_save_with_items,
    order_set_status,
)

REFUSAL_ATTR = "_order_refusal"  # read by OrderItemInline.get_formset too


class OrderForm(forms.ModelForm):
    refusal: Exception | None = None  # set per request by get_form

    class Meta:
        model = Order
        fields = ["customer", "order_date", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "status" in self.fields:
            current = self.instance.status
            allowed = {current, *ALLOWED_MOVES.get(current, ())}
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


class OrderAdminSaveMixin:
    """Saving an order page through the order services (see the module docstring)."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.refusal = getattr(request, REFUSAL_ATTR, None)
        return form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (StockError, OrderError) as refusal:
            # The admin's transaction has rolled everything back; validate again with the
            # refusal attached to the form or the line it concerns.
            if request.method != "POST" or hasattr(request, REFUSAL_ATTR):
                raise
            setattr(request, REFUSAL_ATTR, refusal)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        """Nothing yet: ``save_related`` saves the order together with its lines."""

    def save_related(self, request, form, formsets, change):
        items = next((fs for fs in formsets if fs.model is OrderItem), None)
        editable = items is not None and items.lines_editable
        result = order_save_with_items(
            order=form.instance,
            lines=items.desired_lines() if editable else None,
            user=request.user,
        )
        if items is not None:  # what Django's change message reads from a saved formset
            items.new_objects = result.created
            items.changed_objects = result.changed
            items.deleted_objects = result.deleted
        for formset in formsets:
            if formset is not items:
                self.save_formset(request, form, formset, change=change)
        wanted = form.cleaned_data.get("status")
        if change and wanted and wanted != form.instance.status:
            order_set_status(order=form.instance, to_status=wanted, user=request.user)
