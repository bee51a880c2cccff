"""The Content-Security-Policy that makes one missed escape not enough (issue 9, point 1)."""

import pytest
from django.urls import reverse

from backoffice.reports.registry import REPORTS


def directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, "no Content-Security-Policy header"
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:index"),
        reverse("admin:backoffice_product_changelist"),
        reverse("admin:backoffice_order_add"),
        reverse("admin:report", args=[next(iter(REPORTS))]),
        reverse("admin:querylab"),
    ],
)
def test_admin_pages_forbid_inline_scripts(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 200
    policy = directives(response)
    assert policy["script-src"][0] == "'self'"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert all(s == "'self'" or s.startswith("'nonce-") for s in policy["script-src"])
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]


def test_login_page_has_the_policy_too(client):
    response = client.get(reverse("admin:login"))
    assert "'unsafe-inline'" not in directives(response)["script-src"]


def test_project_templates_have_no_inline_script():
    """Every <script> of our own templates loads a file: the policy would block inline code."""
    import re
    from pathlib import Path

    from django.conf import settings

    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        for tag in re.findall(r"<script\b[^>]*>", template.read_text()):
            assert "src=" in tag, f"{template}: inline script {tag}"
