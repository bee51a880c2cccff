"""Driving the admin like a browser: CSRF-checked clients, actions through their pages."""

import re
from html.parser import HTMLParser

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

PRODUCTS_URL = "admin:backoffice_product_changelist"


def csrf_client(user) -> Client:
    """A client that enforces CSRF like the real site, logged in as ``user``."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def csrf_token(response) -> str:
    """The CSRF token of the first form on a rendered page."""
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    assert match, "no CSRF token on the page"
    return match.group(1)


def messages_of(response) -> list[str]:
    """The messages shown on a rendered page (or queued by a redirect)."""
    if response.context is not None and "messages" in response.context:
        return [str(message) for message in response.context["messages"]]
    return [str(message) for message in get_messages(response.wsgi_request)]


def start_action(client, action: str, pks, url_name: str = PRODUCTS_URL):
    """Select rows and choose an action on the list, as the list's form does."""
    url = reverse(url_name)
    token = csrf_token(client.get(url))
    return client.post(
        url,
        {
            "action": action,
            ACTION_CHECKBOX_NAME: [str(pk) for pk in pks],
            "index": "0",
            "csrfmiddlewaretoken": token,
        },
    )


def run_action(client, action: str, pks, data=None, url_name: str = PRODUCTS_URL):
    """Choose an action, then confirm its intermediate page with ``data``; the final response.

    The confirmation posts the hidden fields the intermediate page renders (checked here).
    """
    page = start_action(client, action, pks, url_name)
    assert page.status_code == 200, "expected the intermediate page"
    html = page.content.decode()
    assert 'name="confirm_action" value="yes"' in html
    for pk in pks:
        assert f'name="{ACTION_CHECKBOX_NAME}" value="{pk}"' in html
    return client.post(
        reverse(url_name),
        {
            "action": action,
            ACTION_CHECKBOX_NAME: [str(pk) for pk in pks],
            "select_across": "0",
            "confirm_action": "yes",
            "csrfmiddlewaretoken": csrf_token(page),
            **(data or {}),
        },
        follow=True,
    )


class _FormParser(HTMLParser):
    """What a browser would submit from the page's form ``form_id``, as ``{name: [values]}``."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, {}
        self._select = self._textarea = None

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "name" not in attrs and tag not in {"option"}:
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self._add(attrs["name"], attrs.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select":
            self._select = attrs["name"]
            self.data.setdefault(self._select, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self._add(self._select, attrs.get("value", ""))
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self._add(self._textarea, "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += (
                data.removeprefix("\n") if not self.data[self._textarea][-1] else data
            )


def page_form_data(response, form_id: str) -> dict[str, list[str]]:
    """The fields a browser submits from the rendered form (hidden ones included)."""
    parser = _FormParser(form_id)
    parser.feed(response.content.decode())
    return {name: values for name, values in parser.data.items() if values}
