"""Junk in a list's address gives the list and a message, never an error page."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    "params",
    [
        {"price__gt": "abc"},
        {"no_such_field": "1"},
        {"created_at__gte": "not-a-date", "q": "mac"},
    ],
)
def test_junk_filter_parameters_redirect_to_the_list_with_a_message(admin_client, seed, params):
    url = reverse("admin:backoffice_product_changelist")
    response = admin_client.get(url, params, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain, "expected a redirect to the cleaned list"
    final_url = response.redirect_chain[-1][0]
    assert "e=1" not in final_url
    if "q" in params:
        assert "q=mac" in final_url
    text = " ".join(str(m) for m in response.context["messages"])
    assert "could not be applied" in text
    assert response.context["cl"].result_count >= 1
