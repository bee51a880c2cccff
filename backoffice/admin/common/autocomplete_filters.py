"""List filters on one row of a big table (a product, a supplier, a tag), chosen with the
admin's own autocomplete: Django's related-field filter lists every row as a link, which at a
real shop's size is a hundred thousand products, or five hundred suppliers rendered on every
page of the product list (the biggest cost of that page after its rows)."""

from django import forms
from django.contrib import admin
from django.utils.html import format_html

from backoffice.admin.common.filters import warn_unknown_choice
from backoffice.admin.common.widgets import PreloadedAutocompleteSelect

# The page's script (backoffice/js/autocomplete_filter.js) puts the chosen id in its place.
CHOSEN_ID = "CHOSEN_ID"


class AutocompleteFilter(admin.SimpleListFilter):
    """A filter on one row of ``chosen_model``, chosen in an autocomplete that asks the admin of
    that model through the relation ``widget_field`` (model, field name); the list's admin adds
    the widget's media (``autocomplete_filter_media``). ``extra_choices`` ((value, label)) are
    offered as links beside it; subclasses say what the choice means (``for_choice``,
    ``for_extra``). A value that is neither is ignored with a message."""

    template = "admin/backoffice/autocomplete_filter.html"
    chosen_model = None
    widget_field: tuple = ()
    extra_choices: tuple[tuple[str, str], ...] = ()

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.chosen = None
        value = self.value()
        if value is not None and value not in dict(self.extra_choices):
            if value.isdigit() and len(value) < 19:  # a key, within the id column's range
                self.chosen = self.chosen_model._default_manager.filter(pk=int(value)).first()
            if self.chosen is None:
                warn_unknown_choice(request, self.title, value)
        widget = self.widget(model_admin.admin_site)
        field = forms.ModelChoiceField(
            queryset=self.chosen_model._default_manager.all(), required=False, widget=widget
        )
        widget.choices = field.choices
        widget.preload(self.chosen)
        self.widget_id = f"id_filter_{self.parameter_name}"
        self.widget_html = widget.render(
            self.parameter_name,
            self.chosen.pk if self.chosen else None,
            attrs={"id": self.widget_id},
        )

    @classmethod
    def widget(cls, admin_site):
        related_model, field_name = cls.widget_field
        return PreloadedAutocompleteSelect(
            related_model._meta.get_field(field_name), admin_site, attrs={"style": "width: 100%"}
        )

    def lookups(self, request, model_admin):
        return []

    def has_output(self):
        return True

    def queryset(self, request, queryset):
        if self.chosen is not None:
            return self.for_choice(queryset, self.chosen.pk)
        if self.value() in dict(self.extra_choices):
            return self.for_extra(queryset, self.value())
        return queryset

    def for_choice(self, queryset, pk):
        """By default the list's rows whose relation ``widget_field`` is the chosen row (the
        list is of that model); a filter through another model says what it means."""
        model, field_name = self.widget_field
        if queryset.model is not model:
            raise NotImplementedError
        return queryset.filter(**{field_name: pk})

    def for_extra(self, queryset, value):
        raise NotImplementedError

    def choices(self, changelist):
        self.url_template = changelist.get_query_string({self.parameter_name: CHOSEN_ID})
        yield {
            "selected": self.value() is None
            or (self.chosen is None and self.value() not in dict(self.extra_choices)),
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "All",
        }
        for value, label in self.extra_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }
        if self.chosen is not None:
            yield {
                "selected": True,
                "query_string": changelist.get_query_string({self.parameter_name: self.chosen.pk}),
                "display": format_html("{}", str(self.chosen)),
            }


def autocomplete_filter_media(admin_site, *filters):
    """What a list page needs for its ``AutocompleteFilter`` widgets (the same for all)."""
    media = forms.Media()
    for list_filter in filters:
        media += list_filter.widget(admin_site).media
    return media
