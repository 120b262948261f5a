import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from tests.conftest import make_user

PASSWORD = "pw-for-tests-1"


@pytest.fixture(autouse=True)
def _security_settings(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.CASETRACKER_REQUIRE_2FA = False
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None},
    }


@pytest.fixture
def superuser(db, django_user_model):
    return django_user_model.objects.create_superuser(username="root", password=PASSWORD)


@pytest.fixture
def staff(db, django_user_model):
    return make_user(django_user_model, "staffer", is_staff=True, is_superuser=True)


def add_device(user, *, confirmed=True):
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=confirmed)


def code_for(device):
    """The code the device's app shows now."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def admin_login(client, username, password=PASSWORD, **extra):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password, **extra})


def obtain_token(username, password=PASSWORD, **extra):
    return APIClient().post("/api/v1/auth/token/", {"username": username, "password": password, **extra})
