"""Two-factor login (TOTP): asked of whoever has a device; of all staff with
CASETRACKER_REQUIRE_2FA."""

from django.utils.html import escape
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from security.models import ApiToken
from tests.conftest import make_user
from tests.security.conftest import add_device, admin_login, code_for, obtain_token


def test_without_a_device_the_password_is_enough(staff, client):
    assert admin_login(client, "staffer").status_code == 302
    assert client.get("/admin/").status_code == 200


def test_with_a_device_the_admin_asks_for_the_code(staff, client):
    device = add_device(staff)
    response = admin_login(client, "staffer")
    assert response.status_code == 200
    assert "Enter the 6-digit code from your authenticator app." in response.content.decode()
    wrong = admin_login(client, "staffer", otp_token="000000" if code_for(device) != "000000" else "111111")
    assert "That code is wrong or was used already" in wrong.content.decode()
    assert client.get("/admin/").status_code == 302
    # A wrong code holds the device back for a second (django-otp's throttle).
    device.throttle_reset()
    assert admin_login(client, "staffer", otp_token=code_for(device)).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_repeated_wrong_codes_are_throttled(staff, client):
    device = add_device(staff)
    for _ in range(2):
        admin_login(client, "staffer", otp_token="12345x")
    response = admin_login(client, "staffer", otp_token=code_for(device))
    assert "Too many wrong codes" in response.content.decode()


def test_device_added_after_login_sends_the_session_back_to_login(staff, client):
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
    add_device(staff)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_required_2fa_sends_staff_to_enrol_before_anything_else(staff, client, settings):
    settings.CASETRACKER_REQUIRE_2FA = True
    assert admin_login(client, "staffer").status_code == 302
    for path in ("/admin/", "/admin/cases/case/"):
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, "/admin/two-factor/")
    page = client.get("/admin/two-factor/")
    assert "Staff must use two-factor login here" in page.content.decode()
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    assert escape(device.config_url) in page.content.decode()
    assert client.post("/admin/two-factor/", {"otp_token": "12345x"}).status_code == 200
    device.throttle_reset()
    response = client.post("/admin/two-factor/", {"otp_token": code_for(device)})
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/cases/case/").status_code == 200
    assert "Two-factor login is on" in client.get("/admin/two-factor/").content.decode()


def test_required_2fa_still_lets_staff_log_out(staff, client, settings):
    settings.CASETRACKER_REQUIRE_2FA = True
    client.force_login(staff)
    assert client.post("/admin/logout/").status_code == 200
    assert "_auth_user_id" not in client.session


def test_required_2fa_leaves_non_staff_alone(settings, django_user_model):
    make_user(django_user_model, "plain")
    settings.CASETRACKER_REQUIRE_2FA = True
    assert obtain_token("plain").status_code == 200


def test_token_endpoint_needs_the_code_once_a_device_exists(staff):
    device = add_device(staff)
    response = obtain_token("staffer")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Enter the 6-digit code from your authenticator app."]}
    assert not ApiToken.objects.exists()
    assert obtain_token("staffer", otp_token=code_for(device)).status_code == 200


def test_required_2fa_refuses_tokens_to_staff_without_a_device(staff, settings):
    settings.CASETRACKER_REQUIRE_2FA = True
    response = obtain_token("staffer")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Two-factor login is required for staff: set it up in the admin first."]
    }


def test_api_ignores_a_session_that_owes_the_code(staff, settings):
    client = APIClient()
    client.force_login(staff)
    assert client.get("/api/v1/people/").status_code == 200
    add_device(staff)
    assert client.get("/api/v1/people/").status_code in {401, 403}
    settings.CASETRACKER_REQUIRE_2FA = True
    TOTPDevice.objects.all().delete()
    assert client.get("/api/v1/people/").status_code in {401, 403}
