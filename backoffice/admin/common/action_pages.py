"""An intermediate page for admin actions that change data.

Django's own ``delete_selected`` shows a confirmation page before it acts; actions that take
parameters (a percentage, a tag, a quantity) need the same, with a form. ``action_page`` renders
that page for the selected rows and, once the staff member confirms with a valid form, calls
``apply`` with the cleaned data.
"""

from collections.abc import Callable

from django import forms
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

CONFIRM_FIELD = "confirm_action"


class ConfirmForm(forms.Form):
    """A form with no fields: the page is a plain "are you sure?"."""


def action_page(
    modeladmin,
    request,
    queryset,
    *,
    title: str,
    apply: Callable[[dict], None],
    form_class: type[forms.Form] = ConfirmForm,
    form_kwargs: dict | None = None,
    explanation: str = "",
    confirm_label: str = "Yes, apply",
):
    """Return the intermediate page, or None after ``apply`` ran (back to the list)."""
    form_kwargs = form_kwargs or {}
    if request.POST.get(CONFIRM_FIELD) == "yes":
        form = form_class(request.POST, **form_kwargs)
        if form.is_valid():
            apply(form.cleaned_data)
            return None
    else:
        form = form_class(**form_kwargs)
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "subtitle": None,
        "explanation": explanation,
        "confirm_label": confirm_label,
        "form": form,
        "objects": list(queryset[:50]),
        "object_count": queryset.count(),
        "selected_pks": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"),
        "action": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "confirm_field": CONFIRM_FIELD,
        "opts": opts,
        "app_label": opts.app_label,
        "media": modeladmin.media + form.media,
    }
    return TemplateResponse(request, "admin/backoffice/action_page.html", context)
