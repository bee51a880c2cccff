"""The form renderer (``FORM_RENDERER``): Django's own, with its plain ``<input>`` widgets
written directly instead of through the template engine.

Django renders every widget through its templates: ``input.html`` and its include of
``attrs.html``, about a tenth of a millisecond each. An editable list renders several per row
(the value, the hidden id, the values the editor saw), so the product list's fifty rows spent
more time on four hundred ``<input>`` tags than a stock admin spends on its whole page. The
markup of those templates is two lines; this renderer writes the same markup, escaped the same
way, for exactly the widget templates that are nothing but an include of ``input.html``, read
from Django's own files when the renderer starts (a Django that changes them falls back to the
templates); so is a plain ``<select>`` with its options (a supplier field has 500, each an
include); an empty error list (one per editable cell) is written as nothing, as its
template does. Everything else, and any template an installed app overrides, still goes
through the engine. ``tests/admin/test_form_renderer.py`` compares both outputs for every such widget.
"""

from functools import cached_property
from html import escape
from pathlib import Path

import django.forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

WIDGET_TEMPLATES = Path(django.forms.__file__).parent / "templates" / "django" / "forms" / "widgets"
INPUT_TEMPLATE = "django/forms/widgets/input.html"
INPUT_SOURCE = (
    '<input type="{{ widget.type }}" name="{{ widget.name }}"{% if widget.value != None %} '
    "value=\"{{ widget.value|stringformat:'s' }}\"{% endif %}"
    '{% include "django/forms/widgets/attrs.html" %}>'
)
ATTRS_SOURCE = (
    "{% for name, value in widget.attrs.items %}{% if value is not False %} {{ name }}"
    "{% if value is not True %}=\"{{ value|stringformat:'s' }}\"{% endif %}{% endif %}"
    "{% endfor %}"
)
INCLUDE_OF_INPUT = '{% include "django/forms/widgets/input.html" %}'
SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"
# A <select> renders each of its options through the engine too: a supplier field's 500.
SELECT_SOURCE = (
    '<select name="{{ widget.name }}"{% include "django/forms/widgets/attrs.html" %}>'
    "{% for group_name, group_choices, group_index in widget.optgroups %}{% if group_name %}\n"
    '  <optgroup label="{{ group_name }}">{% endif %}{% for option in group_choices %}\n'
    "  {% include option.template_name with widget=option %}{% endfor %}{% if group_name %}\n"
    "  </optgroup>{% endif %}{% endfor %}\n"
    "</select>"
)
OPTION_SOURCE = (
    "<option value=\"{{ widget.value|stringformat:'s' }}\""
    '{% include "django/forms/widgets/attrs.html" %}>{{ widget.label }}</option>'
)
FORMS_TEMPLATES = WIDGET_TEMPLATES.parent
# An error list renders nothing when it is empty: the list's editable cells render one each.
ERROR_LIST_TEMPLATES = {
    "django/forms/errors/list/default.html": '{% include "django/forms/errors/list/ul.html" %}',
    "django/forms/errors/list/ul.html": "{% if errors %}",  # how it starts
}


def plain_input_templates() -> frozenset[str]:
    """The widget templates whose output is ``input.html``'s, as Django ships them; none if
    Django's ``input.html`` or ``attrs.html`` is not the markup ``input_html`` writes."""
    if (WIDGET_TEMPLATES / "input.html").read_text().strip() != INPUT_SOURCE:
        return frozenset()
    if (WIDGET_TEMPLATES / "attrs.html").read_text().strip() != ATTRS_SOURCE:
        return frozenset()
    names = {INPUT_TEMPLATE}
    for path in WIDGET_TEMPLATES.glob("*.html"):
        if path.read_text().strip() == INCLUDE_OF_INPUT:
            names.add(f"django/forms/widgets/{path.name}")
    return frozenset(names)


def _escaped(value) -> str:
    """The template engine's autoescape of ``value`` (``conditional_escape``, whose lazy-string
    wrapper costs more than the escape itself)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(str(value))


def _tail(name: str, source: str) -> str | None:
    """What follows ``source`` in Django's template file ``name`` (its final newline, which the
    engine writes too), or None if the file is not ``source``."""
    raw = (WIDGET_TEMPLATES / name).read_text()
    return raw[len(source) :] if raw.startswith(source) and not raw[len(source) :].strip() else None


def select_templates() -> frozenset[str]:
    """``select.html`` if it and ``select_option.html`` are the markup ``select_html`` writes."""
    if (WIDGET_TEMPLATES / "attrs.html").read_text().strip() != ATTRS_SOURCE:
        return frozenset()
    if _tail("select.html", SELECT_SOURCE) is None or OPTION_TAIL is None:
        return frozenset()
    return frozenset({SELECT_TEMPLATE})


def _attrs_html(attrs: dict) -> str:
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {_escaped(name)}")
        if value is not True:
            parts.append(f'="{_escaped(str(value))}"')
    return "".join(parts)


def select_html(widget: dict) -> str | None:
    """``select.html`` with its options; None when an option has a template of its own."""
    parts = [f'<select name="{_escaped(widget["name"])}"{_attrs_html(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_escaped(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION_TEMPLATE:
                return None
            parts.append(
                f'\n  <option value="{_escaped(str(option["value"]))}"'
                f"{_attrs_html(option['attrs'])}>{_escaped(option['label'])}</option>"
                f"{OPTION_TAIL}"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")  # the renderer strips what follows (the file's last newline)
    return "".join(parts)


OPTION_TAIL = _tail("select_option.html", OPTION_SOURCE)  # an include keeps its newline


def input_html(widget: dict) -> str:
    """``input.html`` with ``attrs.html``, for a widget's template context."""
    parts = [f'<input type="{_escaped(widget["type"])}" name="{_escaped(widget["name"])}"']
    if widget["value"] is not None:
        parts.append(f' value="{_escaped(str(widget["value"]))}"')
    parts.append(_attrs_html(widget["attrs"]))
    parts.append(">")
    return "".join(parts)


def empty_error_list_templates() -> frozenset[str]:
    """The error list templates that render nothing for no errors, as Django ships them."""
    names = set()
    for name, start in ERROR_LIST_TEMPLATES.items():
        source = (FORMS_TEMPLATES.parent.parent / name).read_text().strip()
        if source == start or (source.startswith(start) and source.endswith("{% endif %}")):
            names.add(name)
    return frozenset(names) if len(names) == len(ERROR_LIST_TEMPLATES) else frozenset()


class FastInputRenderer(DjangoTemplates):
    def _from_django(self, names) -> frozenset[str]:
        """Those of ``names`` this renderer's engine finds in Django's own directory (an
        installed app may override one: that one stays a template)."""
        found = set()
        for name in names:
            _template, origin = self.engine.engine.find_template(name)
            if Path(origin.name).is_relative_to(FORMS_TEMPLATES):
                found.add(name)
        return frozenset(found)

    @cached_property
    def direct_templates(self) -> frozenset[str]:
        return self._from_django(plain_input_templates())

    @cached_property
    def empty_when_no_errors(self) -> frozenset[str]:
        return self._from_django(empty_error_list_templates())

    @cached_property
    def direct_selects(self) -> frozenset[str]:
        found = self._from_django(select_templates())
        # the options are included by the engine: they must be Django's own too
        return found if self._from_django({OPTION_TEMPLATE}) else frozenset()

    def render(self, template_name, context, request=None):
        # What is marked safe below does hold staff- and customer-written text (a value typed
        # in a field, a supplier's name as an option's label), but every piece of it went
        # through ``_escaped``, the engine's own autoescape: nothing arrives unescaped
        # (tests/admin/test_form_renderer.py, with hostile text and against the templates).
        if request is None:
            if template_name in self.direct_templates:
                return mark_safe(input_html(context["widget"]))
            if template_name in self.direct_selects:
                html = select_html(context["widget"])
                if html is not None:
                    return mark_safe(html)
            if template_name in self.empty_when_no_errors and not context["errors"]:
                return ""
        return super().render(template_name, context, request)
