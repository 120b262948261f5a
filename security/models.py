import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def hash_key(key):
    # Keys are 256 random bits: a plain SHA-256 cannot be reversed or guessed,
    # so a slow password hash would only slow every API request down.
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        """Tokens that still authenticate: not revoked, not expired."""
        now = timezone.now()
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now), revoked_at__isnull=True)

    def visible_to(self, user):
        """A user's own tokens; a superuser's view covers everyone's."""
        return self if user.is_superuser else self.filter(user=user)

    def issue(self, *, user, name=""):
        """A new token for user; returns (token, key). The key exists only in
        this return value: the database keeps its hash."""
        key = secrets.token_urlsafe(32)
        ttl_days = settings.API_TOKEN_TTL_DAYS
        expires_at = timezone.now() + datetime.timedelta(days=ttl_days) if ttl_days else None
        token = self.create(user=user, name=name, key_hash=hash_key(key), expires_at=expires_at)
        return token, key


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(
        _("name"),
        max_length=100,
        blank=True,
        help_text=_("The owner's label for it, e.g. the partner system that uses it."),
    )
    key_hash = models.CharField(
        _("key hash"),
        max_length=64,
        unique=True,
        editable=False,
        help_text=_("SHA-256 of the key. The key itself was shown once, when the token was made."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(
        _("expires at"),
        null=True,
        blank=True,
        help_text=_("Refused from this moment on. Empty: never expires (API_TOKEN_TTL_DAYS=0 when made)."),
    )
    last_used_at = models.DateTimeField(
        _("last used at"), null=True, blank=True, help_text=_("Updated at most once a minute.")
    )
    revoked_at = models.DateTimeField(
        _("revoked at"), null=True, blank=True, help_text=_("Refused from this moment on.")
    )
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.user} · {self.name or self.pk}"

    @property
    def is_expired(self):
        return self.expires_at is not None and self.expires_at <= timezone.now()

    def revoke(self, *, by):
        self.revoked_at = timezone.now()
        self.revoked_by = by
        self.save(update_fields=["revoked_at", "revoked_by"])
