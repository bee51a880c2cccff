from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

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


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("1", "too short"),
        ("password123", "too common"),
        ("83920174659201", "entirely numeric"),
        ("owner-shop", "too similar"),
    ],
)
def test_ensure_superuser_refuses_a_weak_password(monkeypatch, password, reason):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "owner-shop")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", password)
    with pytest.raises(CommandError, match="DJANGO_SUPERUSER_PASSWORD is not accepted") as error:
        call_command("ensure_superuser", stdout=StringIO())
    assert reason in str(error.value)
    assert not User.objects.filter(username="owner-shop").exists()


def test_a_plain_run_after_a_named_one_makes_no_second_superuser(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "alice")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long enough passphrase")
    call_command("ensure_superuser", stdout=StringIO())
    monkeypatch.delenv("DJANGO_SUPERUSER_USERNAME")
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD")
    out = StringIO()
    call_command("ensure_superuser", stdout=out)
    assert list(User.objects.filter(is_superuser=True).values_list("username", flat=True)) == [
        "alice"
    ]
    assert "A superuser already exists (alice)" in out.getvalue()


def test_a_non_superuser_named_admin_is_not_reported_as_a_superuser(monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_USERNAME", raising=False)
    User.objects.create_user("admin", password="clerk-password-1234", is_staff=True)
    with pytest.raises(CommandError, match="'admin' exists but is not a superuser"):
        call_command("ensure_superuser", stdout=StringIO())
    assert not User.objects.filter(is_superuser=True).exists()
    assert not User.objects.get(username="admin").is_superuser
