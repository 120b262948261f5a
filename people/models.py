from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from audit.models import VersionedModel, audit_history
from people.fields import EncryptedCharField, EncryptedDateField
from people.permissions import can_view_unpublished
from people.search import normalize_search_text


class PersonQuerySet(models.QuerySet):
    def consenting(self):
        """People who agreed to have their case published."""
        return self.filter(consent_to_publish=True)

    def visible_to(self, user):
        """People a user may look up: every one for the two groups, none otherwise.

        The public meets people only through their public cases.
        """
        return self if can_view_unpublished(user) else self.none()

    def search(self, text):
        """Name or any alias, accent- and case-insensitive."""
        needle = normalize_search_text(text)
        if not needle:
            return self
        alias_match = Alias.objects.filter(person=OuterRef("pk"), search_name__contains=needle)
        return self.filter(Q(search_name__contains=needle) | Exists(alias_match))


class Person(VersionedModel):
    class Branch(models.TextChoices):
        ARMY = "army", _("Army")
        NAVY = "navy", _("Navy")
        AIR_FORCE = "air_force", _("Air force")
        NATIONAL_GUARD = "national_guard", _("National guard")
        MILITIA = "militia", _("Militia")
        OTHER = "other", _("Other")

    full_name = models.CharField(
        _("full name"),
        max_length=200,
        help_text=_("Shown publicly only when the person consents and a case is published."),
    )
    search_name = models.CharField(
        max_length=200, editable=False, db_index=True, help_text="Normalised full name for search."
    )
    rank = models.CharField(_("rank"), max_length=100, blank=True, help_text=_("e.g. Major."))
    branch = models.CharField(
        _("branch"),
        max_length=20,
        choices=Branch,
        blank=True,
        help_text=_("Leave blank when the reports do not say."),
    )
    nationality = CountryField(_("nationality"), blank=True)
    date_of_birth = EncryptedDateField(
        _("date of birth"),
        null=True,
        blank=True,
        help_text=_("Private: never shown publicly. Encrypted at rest."),
    )
    alien_number = EncryptedCharField(
        _("alien number"),
        max_length=50,
        blank=True,
        help_text=_(
            "US A-number or other government identifier. Private: never shown publicly. Encrypted at rest."
        ),
    )
    public_summary = models.TextField(
        _("public summary"),
        blank=True,
        help_text=_("Shown publicly on published cases: no confidential details."),
    )
    private_notes = models.TextField(
        _("private notes"), blank=True, help_text=_("Private: seen only by advocates.")
    )
    photo = models.ImageField(
        _("photo"),
        upload_to="photos/",
        blank=True,
        help_text=_(
            "JPEG, PNG or WebP. Re-encoded without metadata and stored under a random name. "
            "Shown publicly only with photo consent."
        ),
    )
    photo_thumbnail = models.ImageField(upload_to="photos/", blank=True, editable=False)
    # The consent flags summarise the consent ledger (ConsentRecord); only
    # people.services.record_consent writes them.
    consent_to_publish = models.BooleanField(
        _("consents to publication"),
        default=False,
        editable=False,
        help_text=_("Name scope granted. Without it none of this person's cases is shown publicly."),
    )
    photo_consent = models.BooleanField(_("photo may be published"), default=False, editable=False)
    summary_consent = models.BooleanField(_("summary may be published"), default=False, editable=False)
    accounts_consent = models.BooleanField(_("accounts may be published"), default=False, editable=False)
    consent_recorded_on = models.DateField(
        _("consent recorded on"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the latest grant or withdrawal of consent was recorded."),
    )
    erased_at = models.DateTimeField(
        _("erased at"), null=True, blank=True, editable=False, help_text=_("Identifying data purged.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PersonQuerySet.as_manager()
    history = audit_history(excluded_fields=["search_name"])

    class Meta:
        ordering = ["full_name", "pk"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        permissions = [
            (
                "view_private_fields",
                "Can see private fields (identifiers, birth dates, private and internal notes)",
            ),
            ("erase_person", "Can erase a person's identifying data (irreversible)"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(full_name=""), name="people_person_full_name_required"),
            models.CheckConstraint(
                condition=Q(consent_to_publish=False) | Q(consent_recorded_on__isnull=False),
                name="people_person_consent_has_date",
                violation_error_message=_("Record the date on which consent was given."),
            ),
        ]

    def __str__(self):
        return f"{self.rank} {self.full_name}".strip()

    def save(self, *args, **kwargs):
        self.search_name = normalize_search_text(self.full_name)
        if "update_fields" in kwargs and "full_name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        super().save(*args, **kwargs)

    @property
    def photo_is_public(self):
        return bool(self.consent_to_publish and self.photo_consent and self.photo)

    @staticmethod
    def summary_may_be_public(consent_to_publish, summary_consent):
        """THE rule for a person's summary, for rows read without a Person
        instance too (the API's case rows): both consents."""
        return bool(consent_to_publish and summary_consent)

    @property
    def summary_is_public(self):
        return self.summary_may_be_public(self.consent_to_publish, self.summary_consent)


class Alias(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("alias"), max_length=200)
    search_name = models.CharField(max_length=200, editable=False, db_index=True)

    history = audit_history(excluded_fields=["search_name"])

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")
        constraints = [
            models.UniqueConstraint(fields=["person", "name"], name="people_alias_unique_per_person"),
            models.CheckConstraint(condition=~Q(name=""), name="people_alias_name_required"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_name = normalize_search_text(self.name)
        super().save(*args, **kwargs)


class ConsentScope(models.TextChoices):
    NAME = "name", _("Name (the case may be published)")
    PHOTO = "photo", _("Photo")
    SUMMARY = "summary", _("Summary")
    ACCOUNTS = "accounts", _("Accounts and quotes")


class ConsentMethod(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("By phone")
    WRITING = "writing", _("In writing")
    LAWYER = "lawyer", _("Through a lawyer")
    FAMILY = "family", _("Through a family member")


class ConsentRecord(models.Model):
    """One grant or withdrawal of consent for one scope. Never edited: a later
    record for the same scope supersedes it. Written by
    people.services.record_consent."""

    Scope = ConsentScope
    Method = ConsentMethod

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="consents", verbose_name=_("person")
    )
    scope = models.CharField(_("scope"), max_length=10, choices=ConsentScope)
    granted = models.BooleanField(_("granted"), help_text=_("Unticked: consent withdrawn or refused."))
    method = models.CharField(_("obtained"), max_length=10, choices=ConsentMethod)
    note = models.TextField(_("note"), blank=True, help_text=_("Private: seen only by advocates."))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    history = audit_history()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        constraints = [
            models.CheckConstraint(
                condition=Q(scope__in=ConsentScope.values), name="people_consentrecord_scope_valid"
            ),
            models.CheckConstraint(
                condition=Q(method__in=ConsentMethod.values), name="people_consentrecord_method_valid"
            ),
        ]

    def __str__(self):
        verb = _("granted") if self.granted else _("withdrawn")
        return f"{self.get_scope_display()}: {verb} ({self.recorded_at:%Y-%m-%d})"
