"""An autocomplete select that doesn't query for the option it already knows.

Django's ``AutocompleteSelect`` renders the chosen option by querying its model, once per
widget: an order page with 50 lines would run 50 product queries. The order page already has
each line's product (``select_related``), so the form hands it over with ``preload`` and the
page keeps a fixed number of queries whatever the number of lines.
"""

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect, RelatedFieldWidgetWrapper
from django.core.exceptions import ValidationError


class PreloadedAutocompleteSelect(AutocompleteSelect):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.preloaded: dict[str, str] = {}

    def preload(self, obj) -> None:
        """Render ``obj`` as the chosen option without a query (when it is the chosen one)."""
        if obj is not None and obj.pk is not None:
            self.preloaded = {str(obj.pk): self.choices.field.label_from_instance(obj)}

    def optgroups(self, name, value, attr=None):
        # A value that is no key at all (``?customer=abc`` on the add page, a junk POST) would
        # make Django's own lookup of the chosen option raise: it is simply not shown.
        value = [v for v in value if self.is_key(v)]
        chosen = [str(v) for v in value if str(v) not in self.choices.field.empty_values]
        if not chosen or any(v not in self.preloaded for v in chosen):
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required:
            options.append(self.create_option(name, "", "", False, 0))
        for pk in chosen:
            options.append(self.create_option(name, pk, self.preloaded[pk], True, len(options)))
        return [(None, options, 0)]

    def is_key(self, value) -> bool:
        if value in self.choices.field.empty_values:
            return True
        key = self.field.remote_field.get_related_field()
        try:
            key.run_validators(key.to_python(value))  # type and the column's integer range
        except ValidationError:
            return False
        return True


class PreloadedAutocompleteMixin:
    """For a ModelAdmin or an inline: its ``preloaded_autocomplete_fields`` (foreign keys also
    in ``autocomplete_fields``) get ``PreloadedAutocompleteSelect``, so a page that hands the
    chosen row over with ``preload_choice`` renders it without a query."""

    preloaded_autocomplete_fields: tuple[str, ...] = ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.preloaded_autocomplete_fields:
            kwargs["widget"] = PreloadedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def autocomplete_widget(field) -> PreloadedAutocompleteSelect | None:
    """The autocomplete widget inside a form field (the admin may wrap it for +/edit links)."""
    widget = field.widget
    widget = getattr(widget, "widget", widget)
    return widget if isinstance(widget, PreloadedAutocompleteSelect) else None


def preload_choice(form: forms.BaseForm, field_name: str, obj) -> None:
    if field_name in form.fields and (widget := autocomplete_widget(form.fields[field_name])):
        widget.preload(obj)


def limit_related_links(formfield, *, add=False, change=False, delete=False):
    """Hide the admin's add / change / delete links next to a choice: from an order line, a
    product is chosen, never edited or deleted (the "view" link stays)."""
    widget = getattr(formfield, "widget", None)
    if isinstance(widget, RelatedFieldWidgetWrapper):
        widget.can_add_related = widget.can_add_related and add
        widget.can_change_related = widget.can_change_related and change
        widget.can_delete_related = widget.can_delete_related and delete
    return formfield
