"""The sample data loads whether or not staff accounts already hold the guide's user ids
(issue 11, bug 1): users are matched by username, the customers' user by username, the guide's
ids are kept where they are free, and no staff account is ever touched."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from backoffice.models import Customer, ImportRecord, Order
from backoffice.services.seed import SEED_DIR
from tests.importing.conftest import confirm, import_url, page_text, upload
from tests.importing.seed_files import import_every_seed_file
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


def test_every_guide_file_through_the_admins_import_as_the_first_superuser(client):
    """The usual first session: the superuser (id 1) imports the guide's files one by one.
    users.json gives john_doe a free id and remembers the move; customers.json, which names
    accounts by user_id only, is read with it (and says so) instead of being refused."""
    admin = first_superuser()
    client.force_login(admin)
    reports = dict((table.file_name, report) for table, report in import_every_seed_file(client))
    john = User.objects.get(username="john_doe")
    assert john.pk != 1
    moved = f"1 → {john.pk}"
    assert any(moved in note for note in reports["users.json"].notes)
    assert any(moved in note for note in reports["customers.json"].notes)
    assert ImportRecord.objects.get(model_label="auth.User").id_remaps == {"1": john.pk}
    assert_the_guides_people_are_loaded(admin)


def test_the_load_then_a_superuser_then_every_guide_file_through_the_admin(client):
    """The other order: the command first, then a superuser, who imports the same files: every
    row is unchanged (matched by username and id), nothing moves."""
    call_command("load_seed_data", stdout=StringIO())
    admin = User.objects.create_superuser("admin", "admin@shop.example", "a-long-passphrase-1")
    client.force_login(admin)
    for table, report in import_every_seed_file(client):
        assert report.counts["unchanged"] == len(report.rows), (table.file_name, report.counts)
        assert not report.notes, (table.file_name, report.notes)
    assert User.objects.get(username="john_doe").pk == 1
    assert_the_guides_people_are_loaded(admin)


def test_a_customer_file_never_hangs_a_profile_on_a_staff_account(client):
    """Without a users import that moved id 1, a customers file's user_id 1 is simply this
    shop's administrator: the row is refused, saying how to name the account."""
    admin = first_superuser()
    client.force_login(admin)
    preview = upload(client, "customer", "customers.csv", "id,user_id,phone\n1,1,555-0101\n", "csv")
    text = page_text(preview)
    assert "'admin' (id 1) is a staff account" in text
    assert "'user' column" in text
    assert not Customer.objects.filter(user=admin).exists()


def test_a_customer_row_that_names_its_account_is_not_moved(client, django_user_model):
    """The remembered moves apply only to rows that name their account by id alone: a row
    with a username (any file this shop exported) means that account."""
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
        client,
        "customer",
        "customers.csv",
        "id,user_id,user,phone,address\n1,,jane_smith,555,1 Main St\n",
        "csv",
    )
    confirm(client, "customer", preview)
    assert Customer.objects.get(pk=1).user.username == "jane_smith"


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
