"""Sourced facts about a case: status history, custody, legal events, accounts."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import audit_history
from cases.dates import format_approximate_date, precision_field, truncate_to_precision
from cases.models.base import CaseRowQuerySet, Disputable, SourcedFact, Status
from cases.models.case import Case
from cases.models.sources import Facility, SourceArticle


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

    objects = CaseRowQuerySet.as_manager()
    history = audit_history(m2m_fields=["sources"])

    class Meta(SourcedFact.Meta):
        ordering = ["-effective_on", "-recorded_at", "-pk"]
        get_latest_by = ["effective_on", "recorded_at", "pk"]
        indexes = [
            # The home page's latest updates and the feeds read the newest few:
            # without these, each sorted every public update (PERFORMANCE.md).
            models.Index(fields=["-effective_on", "-recorded_at", "-id"], name="cases_status_latest_idx"),
            models.Index(fields=["-recorded_at", "-id"], name="cases_status_recorded_idx"),
        ]
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


class CustodyQuerySet(CaseRowQuerySet):
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
    history = audit_history(m2m_fields=["sources"])

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

    objects = CaseRowQuerySet.as_manager()
    history = audit_history(m2m_fields=["sources"])

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
        """Quotes of people who consent to publishing them and have a public case."""
        public_cases = Case.objects.public().filter(person=OuterRef("person"))
        return self.filter(person__consent_to_publish=True, person__accounts_consent=True).filter(
            Exists(public_cases)
        )


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
    history = audit_history()

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
