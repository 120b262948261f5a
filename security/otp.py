"""Two-factor login (TOTP through django-otp): who owes a code, and checking one.

Optional per person: whoever has a confirmed authenticator device must give a
code with the password. With CASETRACKER_REQUIRE_2FA every staff member must
enrol one before the admin lets them in.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user, user_has_device


def must_enrol(user):
    return settings.CASETRACKER_REQUIRE_2FA and user.is_staff and not user_has_device(user)


def session_lacks_second_factor(request):
    """True when request.user logged in with a password but owes a code: they
    have a device and did not use it, or must enrol and have not."""
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return False
    return user_has_device(user) or must_enrol(user)


def check_second_factor(user, code):
    """The confirmed device of user that accepts code; None when user has no
    device. Raises ValidationError for a missing, wrong or throttled code."""
    error = None
    # Throttling counts a wrong code in the database: it must commit, so the
    # error leaves the transaction before it is raised.
    with transaction.atomic():
        devices = list(devices_for_user(user, for_verify=True))
        if not devices:
            return None
        if not code:
            error = ValidationError(
                _("Enter the 6-digit code from your authenticator app."), code="otp_required"
            )
        elif not all(device.verify_is_allowed()[0] for device in devices):
            error = ValidationError(
                _("Too many wrong codes: wait a minute, then try the newest code."), code="otp_throttled"
            )
        else:
            for device in devices:
                if device.verify_token(code):
                    return device
            error = ValidationError(
                _("That code is wrong or was used already: try the newest one."), code="otp_invalid"
            )
    raise error
