"""``FastInputRenderer`` writes exactly what Django's widget templates write."""

from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.forms.utils import ErrorList
from hypothesis import given
from hypothesis import strategies as st

from backoffice.admin.common.renderer import FastInputRenderer

PLAIN_INPUTS = [
    forms.TextInput,
    forms.NumberInput,
    forms.EmailInput,
    forms.URLInput,
    forms.ColorInput,
    forms.SearchInput,
    forms.TelInput,
    forms.PasswordInput,
    forms.HiddenInput,
    forms.DateInput,
    forms.DateTimeInput,
    forms.TimeInput,
    forms.CheckboxInput,
    forms.FileInput,
]

TEMPLATES = DjangoTemplates()
FAST = FastInputRenderer()

text = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12)
attr_value = st.one_of(st.booleans(), text, st.integers(), st.decimals(places=2, allow_nan=False))
attr_name = st.from_regex(r"[a-z][a-z-]{0,8}", fullmatch=True).filter(
    lambda name: name not in ("type", "name", "value")
)


def test_the_project_renders_forms_with_it():
    assert isinstance(get_default_renderer(), FastInputRenderer)


def test_every_plain_input_widget_takes_the_direct_path():
    for widget in PLAIN_INPUTS:
        assert widget.template_name in FAST.direct_templates, widget.__name__
    assert forms.Textarea.template_name not in FAST.direct_templates
    assert forms.Select.template_name not in FAST.direct_templates
    assert FAST.empty_when_no_errors == {
        "django/forms/errors/list/default.html",
        "django/forms/errors/list/ul.html",
    }


@given(
    widget=st.sampled_from(PLAIN_INPUTS),
    name=text,
    value=st.one_of(st.none(), text, st.integers(), st.booleans()),
    attrs=st.dictionaries(attr_name, attr_value, max_size=4),
)
def test_the_direct_markup_is_the_templates_markup(widget, name, value, attrs):
    instance = widget(attrs=attrs)
    expected = instance.render(name, value, renderer=TEMPLATES)
    assert instance.render(name, value, renderer=FAST) == expected


def test_other_widgets_still_go_through_the_templates():
    select = forms.Select(choices=[("a", "<A>"), ("b", "B")])
    assert select.render("pick", "b", renderer=FAST) == select.render(
        "pick", "b", renderer=TEMPLATES
    )
    assert "<option" in select.render("pick", "b", renderer=FAST)


@given(errors=st.lists(text, max_size=3), field_id=st.one_of(st.none(), text))
def test_error_lists_are_the_templates_markup_empty_or_not(errors, field_id):
    def rendered(renderer):
        return str(ErrorList(errors, renderer=renderer, field_id=field_id))

    assert rendered(FAST) == rendered(TEMPLATES)
    assert (rendered(FAST) == "") == (not errors)


choice = st.tuples(text, text)
choices = st.one_of(
    st.lists(choice, max_size=5),
    st.lists(st.tuples(text, st.lists(choice, min_size=1, max_size=3)), max_size=3),  # groups
)


@given(
    widget=st.sampled_from([forms.Select, forms.SelectMultiple, forms.NullBooleanSelect]),
    choices=choices,
    value=st.one_of(st.none(), text, st.lists(text, max_size=2)),
    attrs=st.dictionaries(attr_name, attr_value, max_size=3),
)
def test_a_select_is_the_templates_markup_with_groups_and_choices(widget, choices, value, attrs):
    instance = widget(attrs=attrs)
    if widget is forms.NullBooleanSelect:  # its own three choices, and no list of values
        value = value if not isinstance(value, list) else None
    else:
        instance.choices = choices
    expected = instance.render("pick", value, renderer=TEMPLATES)
    assert instance.render("pick", value, renderer=FAST) == expected


def test_selects_take_the_direct_path_and_other_option_templates_do_not():
    assert FAST.direct_selects == {"django/forms/widgets/select.html"}

    class FancyOption(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    fancy = FancyOption(choices=[("a", "A")])
    assert fancy.render("x", "a", renderer=FAST) == fancy.render("x", "a", renderer=TEMPLATES)


def test_staff_written_text_in_values_attributes_and_option_labels_is_escaped():
    from tests.hostile import INJECTED, img, script

    hostile = script("value") + '" onfocus="x'
    text = forms.TextInput(attrs={"placeholder": img("attr")}).render("n", hostile, renderer=FAST)
    select = forms.Select(choices=[(hostile, img("label"))]).render("s", hostile, renderer=FAST)
    for html in (text, select):
        assert not INJECTED.search(html), html
        assert '" onfocus="' not in html
    assert "&lt;" in text and "&lt;" in select
