import pytest

from tests.seed import rows

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_logs_in_and_sees_the_products(seed, logged_in_page, live_server):
    page = logged_in_page
    assert page.title().startswith("Dashboard")
    page.goto(f"{live_server.url}/admin/backoffice/product/")
    names = page.locator("#result_list tbody tr th a, #result_list tbody tr td.field-name a")
    product_names = {row["name"] for row in rows("products")}
    assert page.locator("#result_list tbody tr").count() == len(product_names)
    assert {names.nth(i).inner_text() for i in range(names.count())} == product_names


def test_wrong_password_is_refused(page, live_server, django_user_model):
    django_user_model.objects.create_superuser("boss", "boss@example.com", "right-password-123")
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "wrong")
    page.click("input[type=submit]")
    assert page.locator(".errornote").is_visible()


def test_repeated_wrong_passwords_lock_the_login_with_a_message(page, live_server, settings):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("boss", "boss@example.com", "right-password-123")
    for password in ["wrong"] * settings.AXES_FAILURE_LIMIT + ["right-password-123"]:
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", "boss")
        page.fill("#id_password", password)
        page.click("input[type=submit]")
    assert page.locator("h1").inner_text() == "Login locked"
    assert "Too many failed logins" in page.locator(".errornote").inner_text()
    page.goto(f"{live_server.url}/admin/")
    assert page.url.startswith(f"{live_server.url}/admin/login/")
