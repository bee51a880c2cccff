"""Reports, the Query Lab and the dashboard show personal data only to staff who may view it.

"View reports" and "use Query Lab" alone must not be a way around the customer list's 403; the
lab never shows a password hash, a session or a staff account's contact data, whoever asks.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse

from backoffice.models import Customer
from backoffice.reports.querylab.registry import load_entries
from backoffice.reports.querylab.runner import as_table, display, run_entry
from backoffice.reports.registry import REPORTS
from tests.factories import CustomerFactory, UserFactory, staff_user

ENTRIES = load_entries()
VIEW_CUSTOMER = "backoffice.view_customer"
HASH = re.compile(r"pbkdf2_|md5\$|argon2|bcrypt|scrypt\$|sha1\$")


def contact_data(*, staff: bool | None = None) -> set[str]:
    """Every e-mail, phone and address in the database (of staff only, or of non-staff)."""
    users = get_user_model().objects.all()
    customers = Customer.objects.all()
    if staff is not None:
        users = users.filter(is_staff=staff)
        customers = customers.filter(user__is_staff=staff)
    values = set(users.values_list("email", flat=True))
    for phone, address in customers.values_list("phone", "address"):
        values |= {phone, address}
    return {value for value in values if value}


def customer_names() -> set[str]:
    return {str(c) for c in Customer.objects.select_related("user")}


def leaks(text: str, secrets: set[str]) -> list[str]:
    return sorted(secret for secret in secrets if secret in text)


def text_of(run) -> str:
    return " | ".join(
        display(cell) for v in run.variants if v.result for row in v.result.rows for cell in row
    )


@pytest.fixture
def staff_with_profile(db):
    """A staff account with a customer profile, a password and an open session."""
    user = UserFactory(username="clerk", email="clerk-private@example.com", is_staff=True)
    user.set_password("pw-clerk-1")
    user.save()
    CustomerFactory(user=user, phone="555-9999-77", address="7 Staff Lane, Private Town")
    session = SessionStore()
    session["note"] = "staff session"
    session.create()
    return user, session.session_key


# --- reports --------------------------------------------------------------------------------


@pytest.mark.parametrize("csv", [False, True])
def test_view_reports_alone_gets_a_permission_page_on_customer_insights(client, seed, csv):
    client.force_login(staff_user("backoffice.view_reports"))
    url = reverse("admin:report", args=["customer-insights"])
    response = client.get(url, {"format": "csv"} if csv else {})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Can view customer" in html and VIEW_CUSTOMER in html
    assert not leaks(html, contact_data() | customer_names())


def test_view_customer_too_opens_customer_insights_and_its_csv(client, seed):
    client.force_login(staff_user("backoffice.view_reports", VIEW_CUSTOMER))
    url = reverse("admin:report", args=["customer-insights"])
    assert client.get(url).status_code == 200
    response = client.get(url, {"format": "csv"})
    assert response.status_code == 200
    emails = set(Customer.objects.values_list("user__email", flat=True))
    assert emails and emails <= set(re.findall(r"[\w.+-]+@[\w.-]+", response.getvalue().decode()))


def test_a_reports_only_user_sees_no_personal_data_anywhere(client, seed):
    client.force_login(staff_user("backoffice.view_reports"))
    secrets = contact_data() | customer_names()
    index = client.get(reverse("admin:reports")).content.decode()
    for slug, spec in REPORTS.items():
        link = reverse("admin:report", args=[slug])
        assert (link in index) == (not spec.requires), slug
        for params in ({}, {"format": "csv"}):
            response = client.get(link, params)
            assert response.status_code == (403 if spec.requires else 200), slug
            assert not leaks(response.getvalue().decode(), secrets), (slug, params)
    dashboard = client.get(reverse("admin:index")).content.decode()
    assert 'id="list-top-customers"' in dashboard and "Can view customer" in dashboard
    assert not leaks(dashboard, secrets)


def test_the_dashboard_names_top_customers_to_who_may_view_customers(client, seed):
    client.force_login(staff_user("backoffice.view_reports", VIEW_CUSTOMER))
    dashboard = client.get(reverse("admin:index")).content.decode()
    top = {
        row["name"]
        for row in client.get(reverse("admin:index")).context["dashboard"]["top_customers"]
    }
    assert top and all(name in dashboard for name in top)


# --- Query Lab ------------------------------------------------------------------------------


def test_entries_showing_personal_data_declare_it(seed):
    """Computed, not listed: any entry whose result names a customer needs view_customer."""
    secrets = contact_data() | customer_names()
    secrets |= set(get_user_model().objects.values_list("username", flat=True))
    undeclared = [
        slug
        for slug, entry in ENTRIES.items()
        if VIEW_CUSTOMER not in entry.requires
        and leaks(text_of(run_entry(entry, explain=False)), secrets)
    ]
    assert not undeclared


def test_a_lab_only_user_sees_no_personal_data_in_any_entry(client, seed):
    client.force_login(staff_user("backoffice.use_query_lab"))
    secrets = contact_data()
    index = client.get(reverse("admin:querylab")).content.decode()
    assert "Unavailable." in index
    for slug, entry in ENTRIES.items():
        response = client.get(reverse("admin:querylab_entry", args=[slug]))
        assert response.status_code == (403 if entry.requires else 200), slug
        html = response.content.decode()
        assert not leaks(html, secrets), slug
        if entry.requires:
            assert "Can view customer" in html
            assert (reverse("admin:querylab_entry", args=[slug]) in index) is False


def test_with_view_customer_and_view_user_the_entries_open(client, seed):
    client.force_login(staff_user("backoffice.use_query_lab", VIEW_CUSTOMER, "auth.view_user"))
    response = client.get(reverse("admin:querylab_entry", args=["one-to-one-hasattr"]))
    assert response.status_code == 200
    assert leaks(response.content.decode(), contact_data(staff=False))


def test_a_superusers_lab_never_shows_hashes_sessions_or_staff_contact_data(
    admin_client, seed, staff_with_profile
):
    _, session_key = staff_with_profile
    staff_secrets = contact_data(staff=True)
    assert "clerk-private@example.com" in staff_secrets
    for slug in ENTRIES:
        response = admin_client.get(reverse("admin:querylab_entry", args=[slug]))
        assert response.status_code == 200, slug
        run = response.context["run"]
        result = text_of(run)
        assert not HASH.search(result), slug
        assert session_key not in response.content.decode(), slug
        assert not leaks(result, staff_secrets), slug


def test_the_renderer_hides_what_an_entry_should_never_return(db, staff_with_profile):
    from backoffice.reports.querylab.runner import redact

    staff, session_key = staff_with_profile
    User = get_user_model()
    from django.contrib.sessions.models import Session

    tables = [
        as_table(User.objects.values("username", "password")),
        as_table({"password": staff.password, "who": staff.username}),
        as_table([[staff.username, staff.password]]),
        as_table(list(Session.objects.all())),
        as_table(list(Session.objects.values("session_key", "session_data"))),
        as_table([{"email": staff.email, "phone": staff.customer.phone}]),
    ]
    text = " ".join(
        display(cell)
        for table in tables
        for row in redact(table, {staff.email, staff.customer.phone}).rows
        for cell in row
    )
    assert staff.username in text
    assert not HASH.search(text)
    assert session_key not in text
    assert staff.email not in text and staff.customer.phone not in text
