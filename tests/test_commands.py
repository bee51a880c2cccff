from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

User = get_user_model()
pytestmark = pytest.mark.django_db


def test_ensure_superuser_generates_and_prints_a_password_once(monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "manager")
    out = StringIO()
    call_command("ensure_superuser", stdout=out)
    password = out.getvalue().split("password: ")[1].split()[0]
    user = User.objects.get(username="manager")
    assert user.is_superuser and user.check_password(password)

    again = StringIO()
    call_command("ensure_superuser", stdout=again)
    assert "already exists" in again.getvalue()
    assert password not in again.getvalue()
    assert User.objects.filter(username="manager").count() == 1


def test_ensure_superuser_uses_the_given_password(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "owner")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "s3cret-enough-password")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "owner@shop.example")
    out = StringIO()
    call_command("ensure_superuser", stdout=out)
    user = User.objects.get(username="owner")
    assert user.email == "owner@shop.example"
    assert user.check_password("s3cret-enough-password")
    assert "s3cret" not in out.getvalue()
