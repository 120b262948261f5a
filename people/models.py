import uuid
from pathlib import Path

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from people.permissions import can_view_unpublished
from people.search import normalize_search_text


def photo_upload_to(instance, filename):
    # Never keep the uploader's file name: it often holds the person's name.
    return f"photos/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


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


class Person(models.Model):
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
    date_of_birth = models.DateField(
        _("date of birth"), null=True, blank=True, help_text=_("Private: never shown publicly.")
    )
    alien_number = models.CharField(
        _("alien number"),
        max_length=50,
        blank=True,
        help_text=_("US A-number or other government identifier. Private: never shown publicly."),
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
        upload_to=photo_upload_to,
        blank=True,
        help_text=_("Shown publicly only when the person consents."),
    )
    consent_to_publish = models.BooleanField(
        _("consents to publication"),
        default=False,
        help_text=_("Without it none of this person's cases is shown publicly."),
    )
    consent_recorded_on = models.DateField(
        _("consent recorded on"),
        null=True,
        blank=True,
        help_text=_("When the consent (or its withdrawal) was recorded."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["full_name", "pk"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        permissions = [
            (
                "view_private_fields",
                "Can see private fields (identifiers, birth dates, private and internal notes)",
            )
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


class Alias(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("alias"), max_length=200)
    search_name = models.CharField(max_length=200, editable=False, db_index=True)

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
