"""The one way the admin counts things in messages, and warns once per request."""

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from backoffice.admin.common.messages import count_of, warn_once
from backoffice.models import Category, Product


@pytest.mark.parametrize(
    ("count", "noun", "expected"),
    [
        (1, Product, "1 product"),
        (3, Product, "3 products"),
        (0, Product, "0 products"),
        (2, Category, "2 categories"),  # the model's own verbose_name_plural
        (1, "unit", "1 unit"),
        (4, "unit", "4 units"),
    ],
)
def test_count_of_uses_the_singular_only_for_one(count, noun, expected):
    assert count_of(count, noun) == expected


def test_count_of_takes_an_irregular_plural():
    assert count_of(2, "box", "boxes") == "2 boxes"
    assert count_of(1, "box", "boxes") == "1 box"


def test_count_of_a_queryset_uses_its_model(db):
    assert count_of(2, Product.objects.none()) == "2 products"


def test_warn_once_sends_each_text_once_per_request():
    request = RequestFactory().get("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    warn_once(request, "The filter was ignored.")
    warn_once(request, "The filter was ignored.")
    warn_once(request, "Another one.")
    assert [m.message for m in get_messages(request)] == ["The filter was ignored.", "Another one."]
