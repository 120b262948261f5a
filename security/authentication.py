"""DRF authentication: hashed, expiring API tokens, and sessions that honour two-factor login."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from security.models import ApiToken, hash_key
from security.otp import session_lacks_second_factor

# last_used_at is for people deciding which tokens to revoke: minute precision
# spares a write on every request of a polling client.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`, checked against ApiToken's stored hashes."""

    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
        if token is None or token.revoked_at is not None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.is_expired:
            raise exceptions.AuthenticationFailed(_("Token has expired; ask for a new one."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token


class SessionAuthentication(authentication.SessionAuthentication):
    """The admin session, unless it still owes the second factor: a password
    alone must not reach through the API what the admin would refuse."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and session_lacks_second_factor(request._request):
            return None
        return result
