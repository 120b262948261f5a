"""Failed logins lock an account and an address (django-axes), on the admin
and the token endpoint alike, until the cool-off passes or a superuser unlocks."""

import datetime

from axes.models import AccessAttempt
from django.test import Client

from tests.conftest import make_user
from tests.security.conftest import PASSWORD, admin_login, obtain_token


def fail_admin_logins(username, times, address="10.0.0.1"):
    client = Client(REMOTE_ADDR=address)
    for _ in range(times):
        response = admin_login(client, username, "wrong password")
    return response


def test_admin_refuses_the_right_password_after_repeated_failures(staff):
    assert fail_admin_logins("staffer", 2).status_code == 200
    locked = fail_admin_logins("staffer", 1)
    assert locked.status_code == 429
    response = admin_login(Client(REMOTE_ADDR="10.0.0.1"), "staffer")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Login locked" in page
    assert "Try again in 15 minutes" in page
    assert "_auth_user_id" not in response.wsgi_request.session


def test_lockout_is_per_account_from_any_address(staff):
    fail_admin_logins("staffer", 3, address="10.0.0.1")
    assert admin_login(Client(REMOTE_ADDR="10.0.0.2"), "staffer").status_code == 429


def test_lockout_is_per_address_for_any_account(staff, django_user_model):
    make_user(django_user_model, "other", is_staff=True)
    for username in ("a", "b", "c"):
        fail_admin_logins(username, 1, address="10.0.0.9")
    assert admin_login(Client(REMOTE_ADDR="10.0.0.9"), "other").status_code == 429
    assert admin_login(Client(REMOTE_ADDR="10.0.0.10"), "other").status_code == 302


def test_lockout_ends_when_the_cool_off_has_passed(staff):
    fail_admin_logins("staffer", 3)
    AccessAttempt.objects.update(attempt_time=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    assert admin_login(Client(REMOTE_ADDR="10.0.0.1"), "staffer").status_code == 302


def test_superuser_unlocks_in_the_admin(staff, superuser, client):
    fail_admin_logins("staffer", 3)
    client.force_login(superuser)
    changelist = client.get("/admin/axes/accessattempt/")
    assert "staffer" in changelist.content.decode()
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert admin_login(Client(REMOTE_ADDR="10.0.0.1"), "staffer").status_code == 302


def test_token_endpoint_locks_out_with_a_clear_json_answer(staff):
    for _ in range(2):
        assert obtain_token("staffer", "wrong").status_code == 400
    response = obtain_token("staffer", "wrong")
    assert response.status_code == 429
    response = obtain_token("staffer")
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert response.json() == {
        "detail": "Too many failed logins for this account or from this address: logins are refused, "
        "the right password too, until the wait is over. Expected available in 900 seconds."
    }


def test_token_endpoint_failures_lock_the_admin_too(staff):
    for _ in range(3):
        obtain_token("staffer", "wrong")
    assert admin_login(Client(REMOTE_ADDR="10.0.0.99"), "staffer").status_code == 429


def test_token_endpoint_locks_an_address_for_every_account(staff, django_user_model):
    make_user(django_user_model, "other")
    for username in ("a", "b", "c"):
        obtain_token(username, "wrong")
    assert obtain_token("other", PASSWORD).status_code == 429
