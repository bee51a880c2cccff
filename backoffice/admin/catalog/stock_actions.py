"""Product list actions that move stock: restock and transfer, through the inventory services.

Both write one ``InventoryLog`` row per stock change (``stock_apply_changes``) and refuse, with
the reason in a message, what would take stock below zero.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from backoffice.admin.catalog.actions import products, report_refusals, selected_ids
from backoffice.admin.common.action_pages import action_page
from backoffice.models import Product
from backoffice.services.inventory import StockError, stock_restock, stock_transfer

# --- Stock ----------------------------------------------------------------------------------


class RestockForm(forms.Form):
    quantity = forms.IntegerField(
        label="Units to add to each product", min_value=1, max_value=1_000_000
    )
    reason = forms.CharField(
        max_length=200, help_text="Recorded in the inventory log, e.g. a delivery note number."
    )


@admin.action(permissions=["change"], description="Restock selected products by N units")
def restock(modeladmin, request, queryset):
    ids = selected_ids(queryset)

    def apply(data):
        try:
            stock_restock(
                product_ids=ids, quantity=data["quantity"], note=data["reason"], user=request.user
            )
        except StockError as error:  # a product deleted meanwhile: nothing was restocked
            report_refusals(modeladmin, request, error.refusals)
            return
        modeladmin.message_user(
            request,
            f"{products(len(ids))} restocked by {data['quantity']} units each "
            f"(logged as restock: {data['reason']}).",
            messages.SUCCESS,
        )

    return action_page(
        modeladmin,
        request,
        queryset,
        title="Restock",
        form_class=RestockForm,
        apply=apply,
        explanation="Each selected product gets this many more units; each change is logged.",
        confirm_label="Restock",
    )


class TransferForm(forms.Form):
    to_product = forms.ModelChoiceField(queryset=Product.objects.none(), label="To product")
    quantity = forms.IntegerField(label="Units to move", min_value=1)
    note = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, source: Product, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source
        self.fields["to_product"].queryset = (
            Product.objects.exclude(pk=source.pk).select_related("category").order_by("name")
        )
        # Help texts are markup to Django's admin templates (fieldset.html prints them unescaped):
        # a product's name is staff-written text, so it goes in through format_html, escaped.
        self.fields["quantity"].help_text = format_html(
            "{} has {} in stock.", source.name, source.stock_quantity
        )

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity > self.source.stock_quantity:
            raise ValidationError(
                f"{self.source.name} has only {self.source.stock_quantity} in stock."
            )
        return quantity


@admin.action(permissions=["change"], description="Transfer stock from the selected product")
def transfer_stock(modeladmin, request, queryset):
    selected = list(queryset.order_by()[:2])
    if len(selected) != 1:
        modeladmin.message_user(
            request,
            "Select exactly one product, the one to take the units from; nothing was moved.",
            messages.ERROR,
        )
        return None
    source = selected[0]

    def apply(data):
        target = data["to_product"]
        try:
            stock_transfer(
                from_product_id=source.pk,
                to_product_id=target.pk,
                quantity=data["quantity"],
                note=data["note"],
                user=request.user,
            )
        except StockError as error:
            report_refusals(modeladmin, request, error.refusals)
            return
        modeladmin.message_user(
            request,
            f"{data['quantity']} units moved from {source.name} to {target.name}.",
            messages.SUCCESS,
        )

    return action_page(
        modeladmin,
        request,
        queryset,
        title=f"Transfer stock from {source.name}",
        form_class=TransferForm,
        form_kwargs={"source": source},
        apply=apply,
        explanation="Both stock changes and their log rows are written together, or not at all.",
        confirm_label="Move the units",
    )


STOCK_ACTIONS = [restock, transfer_stock]
