import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from cases.dates import DatePrecision, format_approximate_date, precision_field, truncate_to_precision
from people.permissions import can_view_unpublished
from people.search import normalize_search_text


def public_case_q(prefix=""):
    """THE rule for what the public may see of a case, usable through a relation.

    A case is public only when an advocate marked it public AND its person
    consents to publication. A group case with no named person has no one to
    identify, so is_public alone decides.
    """
    return Q(**{f"{prefix}is_public": True}) & (
        Q(**{f"{prefix}person__isnull": True}) | Q(**{f"{prefix}person__consent_to_publish": True})
    )


class Status(models.TextChoices):
    DETAINED = "detained", _("Detained")
    SHELTERED = "sheltered", _("Sheltered")
    RELEASED = "released", _("Released")
    PROTECTED = "protected", _("Protected (asylum or refugee status granted)")
    DEPORTED = "deported", _("Deported")
    MISSING = "missing", _("Missing")
    DECEASED = "deceased", _("Deceased")
    UNKNOWN = "unknown", _("Unknown")


class Disputable(models.Model):
    is_disputed = models.BooleanField(
        _("disputed"),
        default=False,
        help_text=_("Sources disagree or the fact is doubtful; shown publicly as disputed."),
    )
    dispute_note = models.TextField(
        _("dispute note"),
        blank=True,
        help_text=_("What is in doubt and why. Shown publicly with the fact."),
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(is_disputed=False) | ~Q(dispute_note=""),
                name="%(app_label)s_%(class)s_dispute_explained",
                violation_error_message=_("Say what is disputed in the dispute note."),
            )
        ]


class SourcedFact(Disputable):
    sources = models.ManyToManyField(
        "cases.SourceArticle",
        blank=True,
        related_name="cited_in_%(class)s",
        verbose_name=_("sources"),
        help_text=_("Published reports that back this fact."),
    )

    class Meta(Disputable.Meta):
        abstract = True


class Facility(models.Model):
    class Kind(models.TextChoices):
        IMMIGRATION_DETENTION = "immigration_detention", _("Immigration detention")
        PRISON = "prison", _("Prison")
        JAIL = "jail", _("Jail")
        MILITARY_PRISON = "military_prison", _("Military prison")
        POLICE_STATION = "police_station", _("Police station")
        DIPLOMATIC_MISSION = "diplomatic_mission", _("Diplomatic mission / shelter")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, help_text=_("Used in public URLs."))
    kind = models.CharField(_("kind"), max_length=30, choices=Kind, default=Kind.OTHER)
    operator = models.CharField(
        _("operator"), max_length=200, blank=True, help_text=_("Who runs it, e.g. a contractor.")
    )
    authority = models.CharField(
        _("authority"),
        max_length=200,
        blank=True,
        help_text=_("Who holds people there, e.g. ICE, Migración Colombia."),
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(
        _("region"), max_length=100, blank=True, help_text=_("State, department or province.")
    )
    country = CountryField(_("country"))
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True, help_text=_("Shown publicly: no confidential details."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="cases_facility_slug_unique"),
            models.CheckConstraint(condition=~Q(name=""), name="cases_facility_name_required"),
            models.CheckConstraint(condition=~Q(slug=""), name="cases_facility_slug_required"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="cases_facility_coordinates_valid",
                violation_error_message=_(
                    "Give both latitude (-90 to 90) and longitude (-180 to 180), or neither."
                ),
            ),
        ]

    def __str__(self):
        place = ", ".join(part for part in (self.city, self.region, self.country.code) if part)
        return f"{self.name} ({place})" if place else self.name

    def get_absolute_url(self):
        return reverse("facility-detail", kwargs={"slug": self.slug})


class SourceArticle(models.Model):
    class Relation(models.TextChoices):
        TRANSLATION_OF = "translation_of", _("Translation of")
        REPORTS_ON = "reports_on", _("Reports on")
        REPUBLICATION_OF = "republication_of", _("Republication of")

    title = models.CharField(_("title"), max_length=300)
    outlet = models.CharField(_("outlet"), max_length=200)
    author = models.CharField(_("author"), max_length=200, blank=True)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    published_on_precision = precision_field(_("published on precision"))
    language = models.CharField(
        _("language"), max_length=10, blank=True, help_text=_("ISO 639-1 code, e.g. en, es.")
    )
    excerpt = models.TextField(_("excerpt"), blank=True, help_text=_("Shown publicly."))
    related_article = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="derived_articles",
        verbose_name=_("related article"),
        help_text=_("The article this one translates, republishes or reports on."),
    )
    relation = models.CharField(_("relation"), max_length=20, choices=Relation, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-published_on", "title", "pk"]
        verbose_name = _("source article")
        verbose_name_plural = _("source articles")
        constraints = [
            models.UniqueConstraint(
                fields=["url"], condition=~Q(url=""), name="cases_sourcearticle_url_unique"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="cases_sourcearticle_title_required"),
            models.CheckConstraint(condition=~Q(outlet=""), name="cases_sourcearticle_outlet_required"),
            models.CheckConstraint(
                condition=Q(related_article__isnull=True, relation="")
                | Q(related_article__isnull=False) & ~Q(relation=""),
                name="cases_sourcearticle_relation_with_article",
                violation_error_message=_(
                    "A related article needs a relation, and a relation needs an article."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(related_article=F("pk")), name="cases_sourcearticle_not_related_to_itself"
            ),
        ]

    def __str__(self):
        return f"{self.outlet}: {self.title}"

    @property
    def published_display(self):
        return format_approximate_date(self.published_on, self.published_on_precision)


class CaseReferenceSequence(models.Model):
    """The last number handed out per year, so a reference is never reused."""

    year = models.PositiveIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    @classmethod
    def next_reference(cls, year):
        with transaction.atomic():
            cls.objects.get_or_create(year=year)
            # The UPDATE takes the row lock: concurrent callers queue here.
            cls.objects.filter(year=year).update(last_number=F("last_number") + 1)
            number = cls.objects.values_list("last_number", flat=True).get(year=year)
        return f"CT-{year}-{number:04d}"


class CaseQuerySet(models.QuerySet):
    def public(self):
        return self.filter(public_case_q())

    def visible_to(self, user):
        return self if can_view_unpublished(user) else self.public()

    def search(self, text):
        """Reference, person's name or alias, or group name; accent-insensitive."""
        from people.models import Person

        needle = normalize_search_text(text)
        if not needle:
            return self
        return self.filter(
            Q(reference__iexact=text.strip())
            | Q(reference__icontains=needle)
            | Q(person__in=Person.objects.search(needle))
            | Q(search_group_name__contains=needle)
        )

    def with_related(self):
        """What lists of cases show: person, custody rows with their facility."""
        return self.select_related("person").prefetch_related(
            models.Prefetch("custodies", queryset=Custody.objects.select_related("facility"))
        )


class Case(models.Model):
    reference = models.CharField(
        _("reference"),
        max_length=20,
        editable=False,
        help_text=_("Assigned automatically, never reused. Public URLs use it, never a name."),
    )
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("person"),
        help_text=_("Leave empty for a group whose members are not named."),
    )
    group_name = models.CharField(
        _("group name"),
        max_length=200,
        blank=True,
        help_text=_("For a group case: a public description, e.g. 'Officers sheltered at an embassy'."),
    )
    search_group_name = models.CharField(max_length=200, editable=False, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status,
        default=Status.UNKNOWN,
        editable=False,
        help_text=_("Always the latest status update's; record a status update to change it."),
    )
    status_since = models.DateField(_("status since"), null=True, blank=True, editable=False)
    status_since_precision = precision_field(_("status since precision"))
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("Shown publicly: no confidential details.")
    )
    private_notes = models.TextField(
        _("private notes"), blank=True, help_text=_("Private: seen only by advocates.")
    )
    is_public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("Published only if the person also consents to publication."),
    )
    opened_on = models.DateField(_("opened on"), default=datetime.date.today)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "reference"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [models.Index(fields=["status", "status_since"], name="cases_case_status_idx")]
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="cases_case_reference_unique"),
            models.CheckConstraint(condition=~Q(reference=""), name="cases_case_reference_required"),
            models.CheckConstraint(
                condition=Q(status__in=Status.values),
                name="cases_case_status_valid",
                violation_error_message=_("Unknown status."),
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False) | ~Q(group_name=""),
                name="cases_case_person_or_group",
                violation_error_message=_("A case needs a person or, for an unnamed group, a group name."),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="cases_case_closed_after_opened",
                violation_error_message=_("A case cannot close before it opens."),
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.subject_name}"

    def save(self, *args, **kwargs):
        if not self.reference:
            self.reference = CaseReferenceSequence.next_reference(self.opened_on.year)
        self.search_group_name = normalize_search_text(self.group_name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("case-detail", kwargs={"reference": self.reference})

    @property
    def subject_name(self):
        return self.person.full_name if self.person_id else self.group_name

    @property
    def status_since_display(self):
        return format_approximate_date(self.status_since, self.status_since_precision)

    @property
    def current_custody(self):
        """The open custody row; reads the prefetched rows of with_related()."""
        return next((c for c in self.custodies.all() if c.ended_on is None), None)

    def days_in_custody(self, today=None):
        """Days held across all custody rows, computed, never stored."""
        today = today or timezone.localdate()
        return sum(((c.ended_on or today) - c.started_on).days for c in self.custodies.all())


class StatusUpdateQuerySet(models.QuerySet):
    def public(self):
        return self.filter(public_case_q("case__"))


class StatusUpdate(SourcedFact):
    """One entry of a case's status history. Append-only: record new ones
    through cases.services.record_status_update, which keeps Case.status equal
    to the latest entry."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="status_updates", verbose_name=_("case")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status)
    effective_on = models.DateField(_("effective on"))
    effective_on_precision = precision_field(_("effective on precision"))
    note = models.TextField(_("note"), blank=True, help_text=_("Shown publicly: no confidential details."))
    internal_note = models.TextField(
        _("internal note"), blank=True, help_text=_("Private: seen only by advocates.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    objects = StatusUpdateQuerySet.as_manager()

    class Meta(SourcedFact.Meta):
        ordering = ["-effective_on", "-recorded_at", "-pk"]
        get_latest_by = ["effective_on", "recorded_at", "pk"]
        verbose_name = _("status update")
        verbose_name_plural = _("status updates")
        constraints = [
            *SourcedFact.Meta.constraints,
            models.CheckConstraint(
                condition=Q(status__in=Status.values),
                name="cases_statusupdate_status_valid",
                violation_error_message=_("Unknown status."),
            ),
        ]

    def __str__(self):
        return f"{self.get_status_display()} ({self.effective_display})"

    def clean(self):
        self.effective_on = truncate_to_precision(self.effective_on, self.effective_on_precision)

    @property
    def effective_display(self):
        return format_approximate_date(self.effective_on, self.effective_on_precision)


class CustodyQuerySet(models.QuerySet):
    def public(self):
        return self.filter(public_case_q("case__"))

    def open(self):
        return self.filter(ended_on__isnull=True)

    def overlapping(self, started_on, ended_on):
        """Rows whose [started_on, ended_on) meets the given span; open ends run forever."""
        rows = self.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=started_on))
        return rows if ended_on is None else rows.filter(started_on__lt=ended_on)


class Custody(SourcedFact):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="custodies", verbose_name=_("case"))
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="custodies", verbose_name=_("facility")
    )
    started_on = models.DateField(_("started on"))
    started_on_precision = precision_field(_("started on precision"))
    ended_on = models.DateField(
        _("ended on"), null=True, blank=True, help_text=_("Leave empty while the person is still held there.")
    )
    ended_on_precision = precision_field(_("ended on precision"))
    note = models.TextField(_("note"), blank=True, help_text=_("Shown publicly: no confidential details."))

    objects = CustodyQuerySet.as_manager()

    class Meta(SourcedFact.Meta):
        ordering = ["started_on", "pk"]
        verbose_name = _("custody")
        verbose_name_plural = _("custody")
        constraints = [
            *SourcedFact.Meta.constraints,
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(ended_on__isnull=True),
                name="cases_custody_one_open_per_case",
                violation_error_message=_("This case already has an open custody; end it first."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="cases_custody_ended_after_started",
                violation_error_message=_("Custody cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.facility.name} ({self.started_display} – {self.ended_display or '…'})"

    def clean(self):
        self.started_on = truncate_to_precision(self.started_on, self.started_on_precision)
        self.ended_on = truncate_to_precision(self.ended_on, self.ended_on_precision)
        if self.case_id is None or self.started_on is None:
            return
        if self.ended_on is not None and self.ended_on < self.started_on:
            return  # the check constraint's message names the problem
        overlap = Custody.objects.filter(case_id=self.case_id).exclude(pk=self.pk)
        overlap = overlap.overlapping(self.started_on, self.ended_on).select_related("facility").first()
        if overlap:
            raise ValidationError(
                {"started_on": _("Overlaps the custody at %(facility)s.") % {"facility": overlap}}
            )

    @property
    def started_display(self):
        return format_approximate_date(self.started_on, self.started_on_precision)

    @property
    def ended_display(self):
        return format_approximate_date(self.ended_on, self.ended_on_precision)


class LegalEventKind(models.TextChoices):
    BOND_REQUEST = "bond_request", _("Bond / bail request")
    HEARING_REQUEST = "hearing_request", _("Hearing request")
    HEARING = "hearing", _("Hearing")
    ASYLUM_APPLICATION = "asylum_application", _("Asylum application")
    REFUGEE_APPLICATION = "refugee_application", _("Refugee application")
    DECISION = "decision", _("Decision")
    APPEAL = "appeal", _("Appeal")
    RELEASE_ORDER = "release_order", _("Release order")
    DEPORTATION_ORDER = "deportation_order", _("Deportation order")
    OTHER = "other", _("Other")


class LegalEventOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    GRANTED = "granted", _("Granted")
    DENIED = "denied", _("Denied")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")
    UNKNOWN = "unknown", _("Unknown")


class LegalEventQuerySet(models.QuerySet):
    def public(self):
        return self.filter(public_case_q("case__"))


class LegalEvent(SourcedFact):
    Kind = LegalEventKind
    Outcome = LegalEventOutcome

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="legal_events", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=LegalEventKind)
    occurred_on = models.DateField(_("occurred on"))
    occurred_on_precision = precision_field(_("occurred on precision"))
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=LegalEventOutcome, default=LegalEventOutcome.PENDING
    )
    note = models.TextField(_("note"), blank=True, help_text=_("Shown publicly: no confidential details."))

    objects = LegalEventQuerySet.as_manager()

    class Meta(SourcedFact.Meta):
        ordering = ["occurred_on", "pk"]
        verbose_name = _("legal event")
        verbose_name_plural = _("legal events")
        constraints = [
            *SourcedFact.Meta.constraints,
            models.CheckConstraint(
                condition=Q(kind__in=LegalEventKind.values), name="cases_legalevent_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=LegalEventOutcome.values), name="cases_legalevent_outcome_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.get_outcome_display()} ({self.occurred_display})"

    def clean(self):
        self.occurred_on = truncate_to_precision(self.occurred_on, self.occurred_on_precision)

    @property
    def occurred_display(self):
        return format_approximate_date(self.occurred_on, self.occurred_on_precision)


class AccountQuerySet(models.QuerySet):
    def public(self):
        """Quotes of people who consent and have at least one public case."""
        public_cases = Case.objects.public().filter(person=OuterRef("person"))
        return self.filter(person__consent_to_publish=True).filter(Exists(public_cases))


class Account(Disputable):
    """A person's own words as reported by one article. Two translations of
    one interview are two accounts."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="accounts", verbose_name=_("person")
    )
    article = models.ForeignKey(
        SourceArticle, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("article")
    )
    quote = models.TextField(_("quote"))
    language = models.CharField(
        _("language"), max_length=10, blank=True, help_text=_("ISO 639-1 code, e.g. en, es.")
    )
    said_on = models.DateField(_("said on"), null=True, blank=True)
    said_on_precision = precision_field(_("said on precision"))

    objects = AccountQuerySet.as_manager()

    class Meta(Disputable.Meta):
        ordering = ["said_on", "pk"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            *Disputable.Meta.constraints,
            models.CheckConstraint(condition=~Q(quote=""), name="cases_account_quote_required"),
        ]

    def __str__(self):
        return f"{self.person}: “{self.quote[:60]}”"

    def clean(self):
        self.said_on = truncate_to_precision(self.said_on, self.said_on_precision)

    @property
    def said_display(self):
        return format_approximate_date(self.said_on, self.said_on_precision)


class CaseChange(models.Model):
    """Append-only log of what changed on a case, read by API clients that poll."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Case created")
        FIELDS = "fields", _("Case fields changed")
        STATUS = "status", _("Status changed")
        CUSTODY = "custody", _("Custody changed")
        LEGAL_EVENT = "legal_event", _("Legal event changed")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=20, choices=Kind)
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("case change")
        verbose_name_plural = _("case changes")

    def __str__(self):
        return f"{self.case_id} {self.kind} {self.changed_at:%Y-%m-%d %H:%M:%S}"
