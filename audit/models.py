"""Accountability: who read private fields, the history every audited model
keeps, and the version that stops one editor silently overwriting another.

This module imports nothing from people or cases: their models build on it.
"""

from urllib.parse import unquote

from django.conf import settings
from django.db import models, router, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class AccessRecord(models.Model):
    """One read of one object's private fields. Written by
    audit.services.record_access; never edited."""

    # No database constraint: it checked the user row, under a lock, once per
    # record at every commit (0.65 ms of an Advocate's page of 100 cases on
    # PostgreSQL). Deleting an account still empties the field (SET_NULL, done
    # by Django), and username says who it was.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        db_constraint=False,
        related_name="+",
        verbose_name=_("user"),
    )
    # Kept when the account is deleted, so the record still says who it was.
    username = models.CharField(_("username"), max_length=150)
    accessed_at = models.DateTimeField(_("accessed at"), default=timezone.now, db_index=True)
    model = models.CharField(
        _("model"), max_length=100, help_text=_("App label and model, e.g. people.person.")
    )
    object_id = models.PositiveBigIntegerField(_("object id"))
    fields = models.CharField(_("private fields"), max_length=300)
    # Method and path only: a query string can carry a searched name.
    via = models.CharField(_("via"), max_length=300, help_text=_("The page or API request that showed them."))

    class Meta:
        ordering = ["-accessed_at", "-pk"]
        verbose_name = _("access record")
        verbose_name_plural = _("access records")
        indexes = [models.Index(fields=["model", "object_id"], name="audit_access_object_idx")]

    def __str__(self):
        return f"{self.username} {self.model} {self.object_id} {self.accessed_at:%Y-%m-%d %H:%M:%S}"


class AuditedHistoricalRecords(HistoricalRecords):
    """simple-history's recorder, taking the reason from the request when the
    saving code gave none: the admin form's reason field (the admin puts it on
    the request) or the API's X-Change-Reason header. Every row written while
    serving the request (inlines, service side effects) carries it."""

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        # Django signals an add or remove of rows that were (not) there
        # already with an empty pk_set: nothing changed, nothing to record.
        if action in ("post_add", "post_remove") and not pk_set:
            return
        super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)

    def get_change_reason_for_object(self, instance, history_type, using):
        reason = super().get_change_reason_for_object(instance, history_type, using)
        request = getattr(self.context, "request", None)
        if reason or request is None:
            return reason or None
        # Headers are Latin-1: UTF-8 reasons come percent-encoded.
        return (
            getattr(request, "change_reason", None)
            or unquote(request.headers.get("X-Change-Reason", ""))
            or None
        )


def audit_history(**options):
    """The history manager for an audited model, with reasons of any length."""
    return AuditedHistoricalRecords(history_change_reason_field=models.TextField(null=True), **options)


class StaleVersionError(Exception):
    """The row changed (or went) since the instance being saved was read."""

    def __init__(self, instance):
        super().__init__(f"{instance._meta.label} {instance.pk} was changed by someone else.")
        self.instance = instance


class VersionedModel(models.Model):
    """A row that refuses a save made from an outdated copy.

    A full save of an existing row first claims it with a conditional
    UPDATE ... WHERE version = <the version read>; when a concurrent writer got
    there first nothing is left to claim and the save raises StaleVersionError
    instead of overwriting. The claim's row lock lasts until the transaction
    ends. A save with update_fields writes only the fields its caller means to
    set, so it cannot overwrite anything else: it only moves the version on.
    """

    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Goes up with every change; an edit made from an older version is refused."),
    )

    class Meta:
        abstract = True

    def save(self, **kwargs):
        if self._state.adding or kwargs.get("force_insert"):
            return super().save(**kwargs)
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        row = type(self)._base_manager.using(using).filter(pk=self.pk)
        with transaction.atomic(using=using):
            if kwargs.get("update_fields") is not None:
                row.update(version=F("version") + 1)
                self.refresh_from_db(using=using, fields=["version"])
            elif row.filter(version=self.version).update(version=F("version") + 1):
                self.version += 1
            else:
                raise StaleVersionError(self)
            return super().save(**kwargs)
