"""The order page's form and how it saves: one service call, one transaction, one run.

Django's changeform view validates the form and the lines, then calls ``save_model`` and
``save_related`` inside the transaction it opens for the POST. Here ``save_model`` does nothing
and ``save_related`` makes the page's one write: ``order_save_with_items`` locks the order and
its lines, checks the version the page was opened at, the lines, the status move and the stock,
and only then writes the order, its lines, its stock and its status timeline.

What can be known before that (a line's total, one line per product, at least one line, the
stock the lines ask for, against locked rows) is checked while validating, so the page shows
every problem at once. A refusal from the save itself (a page opened before someone else's
change, ``EditConflict``; stock taken meanwhile where rows are not locked; a status move that
can't happen) rolls the transaction back and is caught in one place, ``changeform_view``, which
shows the same page again with the refusal on the line or field it concerns. The view runs once:
nothing is validated twice and nothing travels on the request (docs/editing.md).
"""

from django.contrib.admin import helpers
from django.contrib.admin.options import IS_POPUP_VAR, TO_FIELD_VAR
from django.utils.translation import gettext as _

from backoffice.admin.common.edits import SeenValuesForm, SeenVersionAdminMixin, seen_version_of
from backoffice.admin.common.widgets import preload_choice
from backoffice.models import Order, OrderItem, OrderStatus
from backoffice.querysets.sales import CHARGE_FIELDS
from backoffice.services.inventory import StockError
from backoffice.services.orders import (
    ALLOWED_MOVES,
    CHARGES_EDITABLE_STATUSES,
    EditConflict,
    OrderError,
    OrderStatusError,
    order_save_with_items,
)

__all__ = ["OrderAdminSaveMixin", "OrderForm", "RefusedSave"]

#: what ``order_save_with_items`` refuses with (nothing written)
SAVE_REFUSALS = (StockError, OrderError, EditConflict)


class OrderForm(SeenValuesForm):
    class Meta:
        model = Order
        fields = [
            "customer",
            "order_date",
            "status",
            "shipping_amount",
            "tax_amount",
            "discount_amount",
            "external_ref",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "status" in self.fields:
            current = self.instance.status
            allowed = {current, *ALLOWED_MOVES.get(current, ())}
            if self.is_bound:
                # The status the page showed stays a valid choice, so a page that is stale
                # because the status moved is refused as stale (naming the move), not as an
                # invalid choice; a real move is still checked by the save.
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
            if self.instance.status not in CHARGES_EDITABLE_STATUSES:
                # shown, not editable: the save would refuse a change (OrderChargesError)
                for name in CHARGE_FIELDS:
                    if name in self.fields:
                        self.fields[name].disabled = True
                        self.fields[
                            name
                        ].help_text = "Changes only while the order is pending or processing."

    def status_move(self) -> str | None:
        """The status the editor chose, None when they left it alone. ``changed_data`` is
        relative to what the page showed: a status the editor did not touch is never "moved
        back" to what a stale page showed."""
        return self.cleaned_data.get("status") if "status" in self.changed_data else None

    def show_refusal(self, refusal: Exception) -> None:
        if isinstance(refusal, OrderStatusError):
            self.add_error("status" if "status" in self.fields else None, str(refusal))
        elif isinstance(refusal, OrderError):
            self.add_error(None, str(refusal))
        else:
            super().show_refusal(refusal)

    def conflict_message(self) -> str:
        changes = self.changes_since_seen()
        what = "; ".join(changes) if changes else "its lines or status, listed below"
        return (
            f"Someone else changed this order since you opened this page ({what}). Nothing was "
            "saved: the page now shows the current order beside your changes; check and save "
            "again."
        )


class RefusedSave(Exception):
    """The save refused the page (``refusal``); ``form`` and ``formsets`` are the page's, as
    validated, to show it again."""

    def __init__(self, refusal: Exception, form, formsets):
        super().__init__(str(refusal))
        self.refusal, self.form, self.formsets = refusal, form, formsets


class OrderAdminSaveMixin(SeenVersionAdminMixin):
    """Saving an order page through the order services (see the module docstring)."""

    def save_model(self, request, obj, form, change):
        """Nothing yet: ``save_related`` saves the order together with its lines."""

    def save_related(self, request, form, formsets, change):
        items = next((fs for fs in formsets if fs.model is OrderItem), None)
        editable = items is not None and items.lines_editable
        try:
            result = order_save_with_items(
                order=form.instance,
                lines=items.desired_lines() if editable else None,
                user=request.user,
                seen_version=seen_version_of(form) if change else None,
                to_status=form.status_move() if change else None,
            )
        except SAVE_REFUSALS as refusal:
            raise RefusedSave(refusal, form, formsets) from refusal
        if items is not None:  # what Django's change message reads from a saved formset
            items.new_objects = result.created
            items.changed_objects = result.changed
            items.deleted_objects = result.deleted
        for formset in formsets:
            if formset is not items:
                self.save_formset(request, form, formset, change=change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except RefusedSave as refused:
            # Django's transaction has rolled the whole save back: show the page again.
            return self.refused_save_page(request, refused, object_id, form_url, extra_context)

    def refused_save_page(self, request, refused, object_id, form_url, extra_context):
        """The page as Django shows a POST that did not validate, with the refusal on the
        form or the line it concerns (the context of ``ModelAdmin._changeform_view``)."""
        form, formsets = refused.form, refused.formsets
        form.show_refusal(refused.refusal)
        for formset in formsets:
            if hasattr(formset, "show_refusal"):
                formset.show_refusal(refused.refusal)
        add = object_id is None
        obj = None if add else form.instance
        admin_form = helpers.AdminForm(
            form,
            list(self.get_fieldsets(request, obj)),
            self.get_prepopulated_fields(request, obj),
            self.get_readonly_fields(request, obj),
            model_admin=self,
        )
        inline_formsets = self.get_inline_formsets(
            request, formsets, self.get_inline_instances(request, obj), obj
        )
        media = self.media + admin_form.media
        for inline_formset in inline_formsets:
            media += inline_formset.media
        title = _("Add %s") if add else _("Change %s")
        context = {
            **self.admin_site.each_context(request),
            "title": title % self.opts.verbose_name,
            "subtitle": str(obj) if obj else None,
            "adminform": admin_form,
            "object_id": object_id,
            "original": obj,
            "is_popup": IS_POPUP_VAR in request.POST or IS_POPUP_VAR in request.GET,
            "to_field": request.POST.get(TO_FIELD_VAR, request.GET.get(TO_FIELD_VAR)),
            "media": media,
            "inline_admin_formsets": inline_formsets,
            "errors": helpers.AdminErrorList(form, formsets),
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        return self.render_change_form(
            request, context, add=add, change=not add, obj=obj, form_url=form_url
        )
