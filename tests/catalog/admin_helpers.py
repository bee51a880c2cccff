"""Driving the admin like a browser: CSRF-checked clients, actions through their pages."""

import re

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
