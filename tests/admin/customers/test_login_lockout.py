"""Login throttling (django-axes): repeated wrong passwords lock that user at that address out."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.admin import helpers
from django.contrib.admin.models import DELETION, LogEntry
from django.urls import reverse
from django.utils import timezone

from tests.factories import STAFF_PASSWORD, staff_user

LOGIN_URL = reverse("admin:login")
INDEX_URL = reverse("admin:index")
LOCKOUTS_URL = reverse("admin:axes_accessattempt_changelist")
PASSWORD = STAFF_PASSWORD
LIMIT = settings.AXES_FAILURE_LIMIT

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(django_user_model):
    return staff_user(username="clerk", email="clerk@shop.example")


def log_in(client, username, password, address="10.0.0.1"):
    return client.post(
        LOGIN_URL,
        {"username": username, "password": password, "next": INDEX_URL},
        REMOTE_ADDR=address,
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail(client, username, times, address="10.0.0.1"):
    for _ in range(times):
        response = log_in(client, username, "wrong", address)
        assert not logged_in(client)
    return response


def test_the_right_password_after_many_wrong_ones_is_refused_with_a_message(client, clerk):
    fail(client, "clerk", 50)
    response = log_in(client, "clerk", PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)
    page = response.content.decode()
    assert "Login locked" in page
    assert "Too many failed logins for “clerk”" in page
    assert client.get(INDEX_URL).status_code == 302  # still sent to the login page


def test_lockout_starts_at_the_limit_and_not_before(client, clerk):
    fail(client, "clerk", LIMIT - 1)
    assert log_in(client, "clerk", PASSWORD).status_code == 302
    assert logged_in(client)


def test_a_good_login_forgets_earlier_failures(client, clerk):
    fail(client, "clerk", LIMIT - 1)
    log_in(client, "clerk", PASSWORD)
    client.logout()
    fail(client, "clerk", LIMIT - 1)
    assert log_in(client, "clerk", PASSWORD).status_code == 302


def test_the_lockout_is_per_user_and_address(client, clerk, django_user_model):
    staff_user(username="packer")
    fail(client, "clerk", LIMIT)
    assert log_in(client, "clerk", PASSWORD).status_code == 429
    # A colleague at the same address, and the same user elsewhere, still log in.
    assert log_in(client, "packer", PASSWORD).status_code == 302
    client.logout()
    assert log_in(client, "clerk", PASSWORD, address="10.0.0.2").status_code == 302


def test_staff_see_the_lockout_and_unlock_it(client, admin_client, clerk):
    fail(client, "clerk", LIMIT)
    listing = admin_client.get(LOCKOUTS_URL, {"locked_out": "yes"})
    assert listing.status_code == 200
    assert [a.username for a in listing.context["cl"].result_list] == ["clerk"]

    attempt = AccessAttempt.objects.get(username="clerk")
    response = admin_client.post(
        LOCKOUTS_URL,
        {"action": "unlock", helpers.ACTION_CHECKBOX_NAME: [attempt.pk]},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert "Unlocked 1 login: clerk from 10.0.0.1." in messages
    assert not AccessAttempt.objects.exists()
    assert LogEntry.objects.filter(action_flag=DELETION, object_id=str(attempt.pk)).exists()
    assert log_in(client, "clerk", PASSWORD).status_code == 302


def test_unlocking_needs_the_delete_permission(client, clerk, django_user_model):
    fail(client, "clerk", LIMIT)
    viewer = staff_user("axes.view_accessattempt", username="viewer")
    viewer_client = client_class_like(client)
    viewer_client.force_login(viewer)
    listing = viewer_client.get(LOCKOUTS_URL)
    assert listing.status_code == 200
    action_form = listing.context["action_form"]
    assert action_form is None or "unlock" not in dict(action_form.fields["action"].choices)
    attempt = AccessAttempt.objects.get(username="clerk")
    viewer_client.post(
        LOCKOUTS_URL, {"action": "unlock", helpers.ACTION_CHECKBOX_NAME: [attempt.pk]}
    )
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()


def client_class_like(client):
    return type(client)()


def test_the_locked_out_filter_finds_locked_logins_and_reports_junk(client, clerk, admin_user):
    fail(client, "clerk", LIMIT)
    fail(client, "nobody", 1, address="10.0.0.9")
    admin_client = client_class_like(client)
    admin_client.force_login(admin_user)
    locked = admin_client.get(LOCKOUTS_URL, {"locked_out": "yes"})
    assert [a.username for a in locked.context["cl"].result_list] == ["clerk"]
    open_ = admin_client.get(LOCKOUTS_URL, {"locked_out": "no"})
    assert [a.username for a in open_.context["cl"].result_list] == ["nobody"]
    junk = admin_client.get(LOCKOUTS_URL, {"locked_out": "maybe"})
    assert junk.status_code == 200
    assert len(junk.context["cl"].result_list) == 2
    assert any('has no choice "maybe"' in str(m) for m in junk.context["messages"])


def failed_logins(*usernames, hours_ago=0.0):
    attempt_time = timezone.now() - timedelta(hours=hours_ago)
    for n, username in enumerate(usernames):
        attempt = AccessAttempt.objects.create(
            username=username,
            ip_address=f"10.0.1.{n}",
            user_agent="test",
            failures_since_start=1,
            get_data="",
            post_data="",
        )
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=attempt_time)
    return list(AccessAttempt.objects.filter(username__in=usernames).order_by("pk"))


def post_cleanup(client, pks):
    return client.post(
        LOCKOUTS_URL,
        {"action": "cleanup_expired_attempts", helpers.ACTION_CHECKBOX_NAME: pks, "index": "0"},
    )


def test_cleanup_expired_attempts_deletes_the_expired_ones_whatever_is_selected(admin_client):
    """django-axes' own action: every attempt older than the lockout time goes (it crashed on
    the list: axes read a login's time from the request), each deletion logged."""
    past = settings.AXES_COOLOFF_TIME + 0.1
    expired = failed_logins("old1", "old2", hours_ago=past)
    recent = failed_logins("new1", "new2")
    response = post_cleanup(admin_client, [recent[0].pk])
    assert response.status_code == 302
    assert set(AccessAttempt.objects.all()) == set(recent)
    logged = LogEntry.objects.filter(action_flag=DELETION, content_type__model="accessattempt")
    assert sorted(int(e.object_id) for e in logged) == sorted(a.pk for a in expired)
    messages = [str(m) for m in admin_client.get(LOCKOUTS_URL).context["messages"]]
    assert messages == [f"Cleaned up {len(expired)} expired login records."]


def test_cleanup_expired_attempts_needs_the_delete_permission(client):
    client.force_login(staff_user("axes.view_accessattempt", username="watcher"))
    expired = failed_logins("old1", "old2", hours_ago=settings.AXES_COOLOFF_TIME + 0.1)
    listing = client.get(LOCKOUTS_URL)
    assert listing.status_code == 200
    form = listing.context["action_form"]  # None: no action at all for this user
    assert form is None or "cleanup_expired_attempts" not in dict(form.fields["action"].choices)
    post_cleanup(client, [expired[0].pk])
    assert set(AccessAttempt.objects.all()) == set(expired)
