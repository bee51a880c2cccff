"""The sample data loads whether or not staff accounts already hold the guide's user ids
(issue 11, bug 1): users are matched by username, the customers' user by username, the guide's
ids are kept where they are free, and no staff account is ever touched."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from backoffice.models import Customer, Order
from backoffice.services.seed import SEED_DIR
from tests.importing.conftest import confirm, import_url, page_text, upload
from tests.seed import rows

User = get_user_model()
pytestmark = pytest.mark.django_db


def first_superuser():
    """What ``createsuperuser`` on a fresh database makes: the account with id 1."""
    return User.objects.create_superuser(
        pk=1, username="admin", email="admin@shop.example", password="a-long-passphrase-1"
    )


def assert_the_guides_people_are_loaded(admin):
    seed_users = {u["id"]: u for u in rows("users")}
    for customer in rows("customers"):
        username = seed_users[customer["user_id"]]["username"]
        assert Customer.objects.get(pk=customer["id"]).user.username == username
    for order in rows("orders"):  # orders follow their customer, so their people are right too
        assert Order.objects.get(pk=order["id"]).customer_id == order["customer_id"]
    for user in seed_users.values():  # the guide's ids are kept where they are free
        account = User.objects.get(username=user["username"])
        if user["id"] != admin.pk:
            assert account.pk == user["id"]
        assert not account.is_staff and not account.has_usable_password()
    admin.refresh_from_db()
    assert (admin.username, admin.email, admin.is_staff, admin.is_superuser) == (
        "admin",
        "admin@shop.example",
        True,
        True,
    )
    assert admin.check_password("a-long-passphrase-1")
    assert not hasattr(admin, "customer") or not Customer.objects.filter(user=admin).exists()


def test_a_superuser_made_first_then_the_load(db):
    admin = first_superuser()
    call_command("load_seed_data", stdout=StringIO())
    assert User.objects.get(username="john_doe").pk != 1
    assert_the_guides_people_are_loaded(admin)


def test_make_runs_if_empty_load_after_the_first_superuser(db):
    admin = first_superuser()
    out = StringIO()
    call_command("load_seed_data", "--if-empty", stdout=out)
    assert Customer.objects.count() == len(rows("customers"))
    assert_the_guides_people_are_loaded(admin)


def test_the_load_then_a_superuser_then_the_load_again(db):
    call_command("load_seed_data", stdout=StringIO())
    admin = User.objects.create_superuser("admin", "admin@shop.example", "a-long-passphrase-1")
    out = StringIO()
    call_command("load_seed_data", stdout=out)
    assert "new" in out.getvalue()
    assert User.objects.get(username="john_doe").pk == 1
    assert_the_guides_people_are_loaded(admin)


def test_users_json_through_the_admins_import_as_the_first_superuser(client):
    admin = first_superuser()
    client.force_login(admin)
    content = (SEED_DIR / "users.json").read_bytes()
    preview = upload(
        client, "user", "users.json", content, "json", url=import_url("user", app_label="auth")
    )
    report = preview.context["report"]
    assert report.ok, (report.problems, [(r.line, r.problems) for r in report.error_rows])
    assert [r.kind for r in report.rows] == ["new"] * len(rows("users"))
    confirm(client, "user", preview, url=import_url("user", "process_import", app_label="auth"))
    assert User.objects.get(username="john_doe").pk != 1
    assert set(User.objects.values_list("username", flat=True)) == {"admin"} | {
        u["username"] for u in rows("users")
    }
    admin.refresh_from_db()
    assert admin.username == "admin" and admin.check_password("a-long-passphrase-1")


def test_a_customer_file_never_hangs_a_profile_on_a_staff_account(client):
    """customers.json's user_id 1 is the guide's john_doe; here id 1 is the administrator:
    the row is refused, saying how to name the account, instead of being linked to the admin."""
    admin = first_superuser()
    client.force_login(admin)
    upload_users = upload(
        client,
        "user",
        "users.json",
        (SEED_DIR / "users.json").read_bytes(),
        "json",
        url=import_url("user", app_label="auth"),
    )
    confirm(
        client, "user", upload_users, url=import_url("user", "process_import", app_label="auth")
    )
    preview = upload(
        client, "customer", "customers.json", (SEED_DIR / "customers.json").read_bytes(), "json"
    )
    text = page_text(preview)
    assert "'admin' (id 1) is a staff account" in text
    assert "'user' column" in text
    assert not Customer.objects.filter(user=admin).exists()


@pytest.mark.postgres_only
def test_after_an_import_the_next_account_added_gets_a_free_id(client):
    """Imported ids are kept, the remapped john_doe's included; PostgreSQL's sequence is moved
    past them (the library's ``ModelResource.after_import``), so the next account collides
    with none."""
    admin = first_superuser()
    client.force_login(admin)
    preview = upload(
        client,
        "user",
        "users.json",
        (SEED_DIR / "users.json").read_bytes(),
        "json",
        url=import_url("user", app_label="auth"),
    )
    confirm(client, "user", preview, url=import_url("user", "process_import", app_label="auth"))
    highest = User.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert User.objects.create_user("new_clerk").pk == highest + 1
