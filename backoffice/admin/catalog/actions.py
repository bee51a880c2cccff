"""Product list actions. Each one confirms on an intermediate page, then calls a service.

Every action declares the permission it needs (a view-only user never sees it, and Django
refuses it if posted anyway), runs its writes atomically inside the service, and ends with a
message saying how many products changed and which were refused and why.
"""

from collections.abc import Callable
from decimal import Decimal

from django import forms
from django.contrib import admin, messages

from backoffice.admin.common.action_pages import action_page
from backoffice.admin.common.messages import count_of
from backoffice.models import Product, Tag
from backoffice.services.pricing import prices_adjust
from backoffice.services.products import products_set_active
from backoffice.services.tags import (
    product_tags_add,
    product_tags_clear,
    product_tags_remove,
    product_tags_replace,
)

ROUNDING_RULE = (
    "New prices are rounded to the cent, half a cent up: 39.99 less 10% is 35.991, so 35.99. "
    "A price that would break a product's rules (at or below its cost, under its category's "
    "minimum) is left as it was and reported."
)


def products(count: int) -> str:
    return count_of(count, Product)


def selected_ids(queryset) -> list[int]:
    return list(queryset.order_by().values_list("pk", flat=True))


def report_refusals(modeladmin, request, refusals: dict[int, str]) -> None:
    if refusals:
        modeladmin.message_user(
            request,
            f"Refused for {products(len(refusals))}: " + " ".join(refusals.values()),
            messages.WARNING,
        )


def report_outcome(modeladmin, request, done: str, unchanged: int, unchanged_text: str) -> None:
    """One success message: what changed, then how many selected products were left as they
    were and why (nothing is said of them when there are none)."""
    text = done + (f" {products(unchanged)} {unchanged_text}" if unchanged else "")
    modeladmin.message_user(request, text, messages.SUCCESS)


def _confirm(modeladmin, request, queryset, *, title, explanation, label, apply: Callable):
    return action_page(
        modeladmin,
        request,
        queryset,
        title=title,
        explanation=explanation,
        confirm_label=label,
        apply=apply,
    )


# --- On sale / off sale ---------------------------------------------------------------------


def _set_active(modeladmin, request, queryset, active: bool):
    ids = selected_ids(queryset)
    word = "activated" if active else "deactivated"

    def apply(_data):
        changed = products_set_active(product_ids=ids, active=active, user=request.user)
        state = "active" if active else "inactive"
        done = f"{products(changed)} {word}."
        report_outcome(modeladmin, request, done, len(ids) - changed, f"already {state}.")

    return _confirm(
        modeladmin,
        request,
        queryset,
        title=f"{'Activate' if active else 'Deactivate'} products",
        explanation=(
            "Active products are on sale."
            if active
            else "Inactive products are taken off sale; their history stays."
        ),
        label=f"Yes, {word[:-1]}",
        apply=apply,
    )


@admin.action(permissions=["change"], description="Activate selected products (put on sale)")
def activate_products(modeladmin, request, queryset):
    return _set_active(modeladmin, request, queryset, True)


@admin.action(permissions=["change"], description="Deactivate selected products (take off sale)")
def deactivate_products(modeladmin, request, queryset):
    return _set_active(modeladmin, request, queryset, False)


# --- Prices ---------------------------------------------------------------------------------


class PercentForm(forms.Form):
    """One percentage, between 0.01 and ``highest`` (a discount stays under 100%)."""

    def __init__(self, *args, highest: Decimal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["percent"] = forms.DecimalField(
            label="Percentage",
            min_value=Decimal("0.01"),
            max_value=highest,
            max_digits=6,
            decimal_places=2,
            help_text=ROUNDING_RULE,
        )


def _adjust_prices(modeladmin, request, queryset, *, sign: int, highest: Decimal):
    ids = selected_ids(queryset)
    verb = "discounted" if sign < 0 else "raised"

    def apply(data):
        result = prices_adjust(product_ids=ids, percent=sign * data["percent"], user=request.user)
        done = f"{products(result.changed)} {verb} by {data['percent']}%."
        rounded = "unchanged (the change rounds to 0 cents)."
        report_outcome(modeladmin, request, done, result.unchanged, rounded)
        report_refusals(modeladmin, request, result.refusals)

    return action_page(
        modeladmin,
        request,
        queryset,
        title="Apply a discount" if sign < 0 else "Raise prices",
        explanation=(
            "Every selected price goes down by this percentage."
            if sign < 0
            else "Every selected price goes up by this percentage."
        ),
        confirm_label="Apply the discount" if sign < 0 else "Raise the prices",
        form_class=PercentForm,
        form_kwargs={"highest": highest},
        apply=apply,
    )


@admin.action(permissions=["change"], description="Apply a discount of N%% to selected products")
def discount_prices(modeladmin, request, queryset):
    return _adjust_prices(modeladmin, request, queryset, sign=-1, highest=Decimal("99.99"))


@admin.action(permissions=["change"], description="Raise prices of selected products by N%%")
def raise_prices(modeladmin, request, queryset):
    return _adjust_prices(modeladmin, request, queryset, sign=1, highest=Decimal("1000"))


# --- Tags -----------------------------------------------------------------------------------


class TagForm(forms.Form):
    tag = forms.ModelChoiceField(queryset=Tag.objects.order_by("name"), empty_label=None)


class TagsForm(forms.Form):
    tags = forms.ModelMultipleChoiceField(
        queryset=Tag.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        help_text="The selected products end up with exactly these tags.",
    )


@admin.action(permissions=["change"], description="Add a tag to selected products")
def add_tag(modeladmin, request, queryset):
    ids = selected_ids(queryset)

    def apply(data):
        added = product_tags_add(product_ids=ids, tag=data["tag"], user=request.user)
        done = f'Tag "{data["tag"]}" added to {products(added)}.'
        report_outcome(modeladmin, request, done, len(ids) - added, "already had it.")

    return action_page(
        modeladmin,
        request,
        queryset,
        title="Add a tag",
        form_class=TagForm,
        apply=apply,
        confirm_label="Add the tag",
    )


@admin.action(permissions=["change"], description="Remove a tag from selected products")
def remove_tag(modeladmin, request, queryset):
    ids = selected_ids(queryset)

    def apply(data):
        removed = product_tags_remove(product_ids=ids, tag=data["tag"], user=request.user)
        done = f'Tag "{data["tag"]}" removed from {products(removed)}.'
        report_outcome(modeladmin, request, done, len(ids) - removed, "did not have it.")

    return action_page(
        modeladmin,
        request,
        queryset,
        title="Remove a tag",
        form_class=TagForm,
        apply=apply,
        confirm_label="Remove the tag",
    )


@admin.action(permissions=["change"], description="Replace all tags of selected products")
def replace_tags(modeladmin, request, queryset):
    ids = selected_ids(queryset)

    def apply(data):
        changed = product_tags_replace(product_ids=ids, tags=data["tags"], user=request.user)
        names = ", ".join(tag.name for tag in data["tags"])
        done = f"Tags of {products(changed)} replaced by: {names}."
        same = "already had exactly these tags."
        report_outcome(modeladmin, request, done, len(ids) - changed, same)

    return action_page(
        modeladmin,
        request,
        queryset,
        title="Replace all tags",
        form_class=TagsForm,
        apply=apply,
        confirm_label="Replace the tags",
    )


@admin.action(permissions=["change"], description="Clear all tags of selected products")
def clear_tags(modeladmin, request, queryset):
    ids = selected_ids(queryset)

    def apply(_data):
        cleared = product_tags_clear(product_ids=ids, user=request.user)
        modeladmin.message_user(
            request, f"All tags removed from {products(cleared)}.", messages.SUCCESS
        )

    return _confirm(
        modeladmin,
        request,
        queryset,
        title="Clear all tags",
        explanation="Every tag is removed from the selected products.",
        label="Yes, clear the tags",
        apply=apply,
    )


# The stock actions (restock, transfer) are in stock_actions.
PRICE_AND_TAG_ACTIONS = [
    activate_products,
    deactivate_products,
    discount_prices,
    raise_prices,
    add_tag,
    remove_tag,
    replace_tags,
    clear_tags,
]
