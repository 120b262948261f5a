"""DRF authentication: hashed, expiring API tokens, and sessions that honour two-factor login."""

import datetime

from django.contrib.auth import get_user_model
from django.db import router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from casetracker.prepared import PreparedRows
from security.models import ApiToken, hash_key
from security.otp import session_lacks_second_factor

# last_used_at is for people deciding which tokens to revoke: minute precision
# spares a write on every request of a polling client.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


def token_rows(key_hash):
    """The token with this key hash as a row of its columns then its user's
    (named user__<column>): select_related("user"), as rows."""
    token_columns = [field.attname for field in ApiToken._meta.concrete_fields]
    user_columns = [f"user__{field.attname}" for field in get_user_model()._meta.concrete_fields]
    return ApiToken.objects.filter(key_hash=key_hash).values_list(*token_columns, *user_columns, named=True)


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`, checked against ApiToken's stored hashes."""

    # Compiled once: building the query was 0.7 ms of every request a
    # partner system makes with a token, a third of a status poll.
    rows = PreparedRows(token_rows, ApiToken._meta.get_field("key_hash"))

    def authenticate_credentials(self, key):
        token = self.token_with_user(hash_key(key))
        if token is None or token.revoked_at is not None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.is_expired:
            raise exceptions.AuthenticationFailed(_("Token has expired; ask for a new one."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def token_with_user(self, key_hash):
        """The token with this key hash and its user, loaded as the ORM loads
        them (Model.from_db), or None."""
        using = router.db_for_read(ApiToken)
        rows = self.rows(key_hash, using=using)
        if not rows:
            return None
        (row,) = rows  # key_hash is unique
        split = len(ApiToken._meta.concrete_fields)
        token = ApiToken.from_db(using, row._fields[:split], row[:split])
        user_columns = [name.removeprefix("user__") for name in row._fields[split:]]
        token.user = get_user_model().from_db(using, user_columns, row[split:])
        return token


class SessionAuthentication(authentication.SessionAuthentication):
    """The admin session, unless it still owes the second factor: a password
    alone must not reach through the API what the admin would refuse."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and session_lacks_second_factor(request._request):
            return None
        return result
