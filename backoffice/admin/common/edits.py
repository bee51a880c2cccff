"""Stale pages in the admin: the form side of ``backoffice.services.edits``.

``SeenValuesForm`` makes a form remember what the editor saw: every field renders its
value as a hidden "initial" input too (Django's ``show_hidden_initial``), so ``changed_data``
means "what this editor changed" rather than "what differs from the database now" (which would
count a sale made meanwhile as a stock edit), and the version the page was opened with travels
in ``seen_version``. A refused save (``EditConflict``, raised inside the admin's transaction, so
nothing was written) comes back as the same page: ``show_refusal`` names what changed
(old → new), the fields the editor did not touch show the current values, and the "seen" values
become the current ones, so a second save is checked against what the editor has now seen. The
product page and list get there through ``StaleEditAdminMixin`` (validating again with the
refusal attached); the order page shows it from the forms it validated, in the same run
(``backoffice.admin.sales.forms``). See docs/editing.md.
"""

import contextlib

from django import forms

from backoffice.services.edits import EditConflict

REFUSAL_ATTR = "_save_refusal"  # a refusal from a save that was rolled back, per request


def _shown(field, value) -> str:
    """A field's value as staff read it in a message (a related row by its name: one query by
    primary key, never the field's whole choice list)."""
    if isinstance(value, list | tuple) and not isinstance(field, forms.MultiValueField):
        value = [getattr(v, "pk", v) for v in value]  # the current m2m value holds objects
    with contextlib.suppress(forms.ValidationError):
        value = field.clean(value)
    if isinstance(value, list | tuple) or hasattr(value, "model"):  # many-to-many
        return ", ".join(sorted(str(v) for v in value)) or "(none)"
    if value in (None, ""):
        return "(empty)"
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        return str(dict(field.choices).get(value, value))
    return str(value)


def _put(data, key: str, widget, value) -> None:
    """Write ``value`` into POST-like ``data`` as ``widget`` would have posted it."""
    widget = getattr(widget, "widget", widget)  # the admin's related-field wrapper
    if isinstance(widget, forms.CheckboxInput):
        data.pop(key, None)
        if value:
            data[key] = "on"
    elif isinstance(widget, forms.MultiWidget):
        for suffix, part in zip(widget.widgets_names, widget.decompress(value), strict=False):
            data[f"{key}{suffix}"] = "" if part is None else str(part)
    elif isinstance(value, list | tuple):
        data.setlist(key, [str(v) for v in value])
    else:
        data[key] = "" if value is None else str(value)


class SeenValuesForm(forms.ModelForm):
    """Remembers what the editor saw (see the module docstring)."""

    refusal: Exception | None = None  # set per request by StaleEditAdminMixin (products)
    versioned = True  # the model has ``edit_version``
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.show_hidden_initial = True
        if self.versioned:
            self.fields["seen_version"].show_hidden_initial = False
            self.fields["seen_version"].initial = self.instance.edit_version
        else:
            del self.fields["seen_version"]

    def seen_value(self, name):
        """The value the editor's page showed for ``name`` (raw, as the widget posts it)."""
        field = self.fields[name]
        return field.hidden_widget().value_from_datadict(
            self.data, self.files, self.add_initial_prefix(name)
        )

    def changes_since_seen(self) -> list[str]:
        """What differs between the page the editor saw and the row now ("price: 10 → 12");
        the fields concerned are shown with their current value from here on."""
        changes, changed = [], []
        for name, field in self.fields.items():
            if name == "seen_version" or isinstance(field.widget, forms.HiddenInput):
                continue
            current = self.get_initial_for_field(field, name)
            seen = self.seen_value(name)
            if field.has_changed(current, seen):
                changes.append(
                    f"{field.label or name}: {_shown(field, seen)} → {_shown(field, current)}"
                )
                changed.append(name)
        self.show_current(changed)
        return changes

    def show_current(self, names) -> None:
        """Render ``names`` with the row's current values (unless the editor changed them),
        and every "seen" value (hidden initials, version) as now: the editor's next save is
        checked against what this page shows."""
        data = self.data.copy()
        for name, field in self.fields.items():
            if name == "seen_version":
                continue
            current = field.prepare_value(self.get_initial_for_field(field, name))
            if field.show_hidden_initial:
                _put(data, self.add_initial_prefix(name), field.hidden_widget(), current)
            if name in names and name not in self.changed_data:
                _put(data, self.add_prefix(name), field.widget, current)
        if self.versioned:
            data[self.add_prefix("seen_version")] = str(self.instance.edit_version)
        self.data = data

    def clean(self):
        cleaned = super().clean()
        if self.refusal is not None:
            self.show_refusal(self.refusal)
        return cleaned

    def show_refusal(self, refusal: Exception) -> None:
        """Put a refused save's reason on the field it concerns (or on the whole form)."""
        if isinstance(refusal, EditConflict) and refusal.pk == self.instance.pk:
            if refusal.field:
                self.add_error(refusal.field, str(refusal))
                self.show_current([])
            else:
                self.add_error(None, self.conflict_message())

    def conflict_message(self) -> str:
        changes = self.changes_since_seen()
        what = "; ".join(changes) if changes else "fields not on this page"
        return (
            f"Someone else changed this {self.instance._meta.verbose_name} since you opened "
            f"this page ({what}). Nothing was saved: the page now shows the current values "
            "beside your changes; check them and save again."
        )


class SeenVersionAdminMixin:
    """Puts the hidden ``seen_version`` on the change page of an ``EditVersioned`` model."""

    def seen_version_fields(self, request, obj) -> list[str]:
        """``["seen_version"]`` where the page can save (a viewer's page has nothing to send)."""
        return (
            ["seen_version"] if obj is not None and self.has_change_permission(request, obj) else []
        )

    def get_fieldsets(self, request, obj=None):
        """The hidden version goes on the page with the first fieldset."""
        fieldsets = super().get_fieldsets(request, obj)
        extra = self.seen_version_fields(request, obj)
        if not extra:
            return fieldsets
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], *extra]}), *rest]


class StaleEditAdminMixin(SeenVersionAdminMixin):
    """Shows a refused save (``refusal_types``) again as a form error (module docstring).

    The product page and list still validate a second time with the refusal attached; the
    order page shows its refusal without that second run (``backoffice.admin.sales.forms``).
    """

    refusal_types: tuple[type[Exception], ...] = (EditConflict,)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.refusal = getattr(request, REFUSAL_ATTR, None)
        return form

    def get_changelist_form(self, request, **kwargs):
        form = super().get_changelist_form(request, **kwargs)
        return type(form.__name__, (form,), {"refusal": getattr(request, REFUSAL_ATTR, None)})

    def _retry_with_refusal(self, view, request, *args):
        try:
            return view(request, *args)
        except self.refusal_types as refusal:
            # The admin's transaction has rolled everything back; validate again with the
            # refusal attached to the form, line or row it concerns.
            if request.method != "POST" or hasattr(request, REFUSAL_ATTR):
                raise
            setattr(request, REFUSAL_ATTR, refusal)
            return view(request, *args)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self._retry_with_refusal(
            super().changeform_view, request, object_id, form_url, extra_context
        )

    def changelist_view(self, request, extra_context=None):
        return self._retry_with_refusal(super().changelist_view, request, extra_context)


def seen_version_of(form) -> int | None:
    """The version the editor's page was opened at (None: the page did not say)."""
    return form.cleaned_data.get("seen_version")
