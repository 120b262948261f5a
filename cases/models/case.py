"""The case itself, its reference sequence and its change log."""

import datetime
import functools

from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import VersionedModel, audit_history
from cases.dates import format_approximate_date, precision_field
from cases.models.base import CaseRowQuerySet, PublishableQuerySet, Status, public_case_q
from people.models import Person
from people.search import normalize_search_text


class CaseReferenceSequence(models.Model):
    """The last number handed out per year, so a reference is never reused."""

    year = models.PositiveIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last_number}"

    @classmethod
    def next_reference(cls, year):
        with transaction.atomic():
            cls.objects.get_or_create(year=year)
            # The UPDATE takes the row lock: concurrent callers queue here.
            cls.objects.filter(year=year).update(last_number=F("last_number") + 1)
            number = cls.objects.values_list("last_number", flat=True).get(year=year)
        return f"CT-{year}-{number:04d}"


# Where a case is held now, through with_current_custody()'s join.
CURRENT_FACILITY_FIELDS = (
    "open_custody__facility__slug",
    "open_custody__facility__name",
    "open_custody__facility__city",
    "open_custody__facility__region",
    "open_custody__facility__country",
)
# What CaseQuerySet.api_rows() reads: CaseSerializer shows these.
API_ROW_FIELDS = (
    "pk",
    "version",
    "reference",
    "person_id",
    "group_name",
    "status",
    "status_since",
    "status_since_precision",
    "summary",
    "private_notes",
    "is_public",
    "opened_on",
    "closed_on",
    "created_at",
    "updated_at",
    "person__full_name",
    "person__consent_to_publish",
    "person__summary_consent",
    *CURRENT_FACILITY_FIELDS,
)
# What StatusDocumentQuerySet.rows() reads: the status document, and its Last-Modified.
STATUS_ROW_FIELDS = (
    "reference",
    "status",
    "status_since",
    "status_since_precision",
    "updated_at",
    "facility_slug",
    "facility_name",
    "facility_city",
    "facility_region",
    "facility_country",
    "facility_updated_at",
)


class CaseColumnsQuerySet(PublishableQuerySet):
    """Rows that carry a case's own publication columns (is_public, person,
    person_consents): cases, their status documents and their tally."""

    def public(self):
        return self.filter(public_case_q())


class CaseTallyQuerySet(CaseColumnsQuerySet):
    def total(self):
        return self.aggregate(total=models.Sum("n", default=0))["total"]


class CaseTally(models.Model):
    """How many cases have each combination of the columns the publication
    rule reads, kept by the database itself (cases.case_tally). Counting all
    cases, or the public ones, reads these few rows, where a count of the
    cases reads every one of them (7.8 ms for 100,000 on PostgreSQL).
    CaseQuerySet.count() reads it; the application never writes it."""

    is_public = models.BooleanField()
    has_person = models.BooleanField()
    # What the rule asks of the person (public_case_q: person__isnull), so that
    # the rule filters the tally as it filters cases: TRUE for cases with a
    # person, NULL for group cases.
    person = models.GeneratedField(
        expression=models.Case(models.When(has_person=True, then=models.Value(True))),
        output_field=models.BooleanField(null=True),
        db_persist=True,
    )
    person_consents = models.BooleanField()
    n = models.BigIntegerField()

    objects = CaseTallyQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["is_public", "has_person", "person_consents"], name="cases_casetally_unique"
            )
        ]

    def __str__(self):
        return f"{self.n} (public: {self.is_public}, person: {self.has_person}, consents: {self.person_consents})"


@functools.cache
def _public_counting():
    """The public cases' WHERE, and the tally's public rows: built once (the
    rule does not change), not by every count. The rows are only chained."""
    return Case.objects.public().query.where, CaseTally.objects.public()


class CaseQuerySet(CaseColumnsQuerySet):
    def count(self):
        """The number of cases. All cases, or exactly the public ones, are
        counted from CaseTally: a few rows at any size. Any other queryset
        counts its rows."""
        tally = self._tally()
        return super().count() if tally is None else tally.total()

    def _tally(self):
        """The tally rows that count this queryset's cases, or None unless it
        is all cases or exactly the public ones (the rule's own filter and no
        other), each once (no join, DISTINCT, slice, grouping or union)."""
        query = self.query
        if (
            self._result_cache is not None
            or query.is_sliced
            or query.distinct
            or query.combinator
            or query.group_by is not None
            or query.extra_tables
            # Joins in use, besides the case's table (the rule's own is trimmed).
            or sum(1 for count in query.alias_refcount.values() if count) > 1
        ):
            return None
        if not query.where:
            return CaseTally.objects.using(self.db)
        public_where, public_tally = _public_counting()
        if query.where == public_where:
            return public_tally.using(self.db)
        return None

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
        from cases.models.facts import Custody

        return self.with_person("person").prefetch_related(
            models.Prefetch("custodies", queryset=Custody.objects.select_related("facility"))
        )

    def with_current_custody(self):
        """The open custody row with its facility, in the same query: for what
        shows only where a case is held now, not its whole custody history
        (days_in_custody needs with_related()). Prefetching every custody row
        cost more than the rest of a page of API cases."""
        return self.annotate(
            open_custody=models.FilteredRelation("custodies", condition=Q(custodies__ended_on__isnull=True)),
            # Set on every row, unlike the joined one (absent when not held):
            # tells current_custody it can rely on the join. A constant, so
            # count() drops it and counts without joining the custody.
            open_custody_joined=models.Value(True),
        ).select_related("open_custody__facility")

    def api_rows(self):
        """The API's case documents as named rows: the case's columns, its
        person's name and consents and where it is held now, in one query and
        without model instances (a page of 100 cases built 400 of them, 7.6
        against 4.0 ms). Narrow it with visible_to() like any case query; the
        rows also carry the annotations made before (a filter's, say)."""
        annotations = list(self.query.annotations)
        return self.with_current_custody().values_list(*API_ROW_FIELDS, *annotations, named=True)


class Case(VersionedModel):
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
    # The person's consent_to_publish, copied by the database itself: triggers
    # (cases.consent_copy) set it on every write of a case and follow every change
    # of the person's consent, in the same transaction. The publication rule
    # reads it so that public cases are counted and ordered from this table
    # alone. The application never writes it, and an instance's copy may be
    # stale after save(): read the rule through CaseQuerySet.public().
    person_consents = models.BooleanField(default=False, editable=False)
    opened_on = models.DateField(_("opened on"), default=datetime.date.today)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = CaseQuerySet.as_manager()
    history = audit_history(excluded_fields=["search_group_name", "person_consents"])

    class Meta:
        ordering = ["-opened_on", "reference"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["status", "status_since"], name="cases_case_status_idx"),
            # Lists read pages in the default ordering: the first page then costs
            # the same at any size instead of a sort of every case (PERFORMANCE.md).
            models.Index(fields=["-opened_on", "reference"], name="cases_case_list_order_idx"),
            # The public lists' first page, from public cases only.
            models.Index(
                fields=["-opened_on", "reference"], condition=public_case_q(), name="cases_case_public_idx"
            ),
            # Their count. Nearly every entry has the same key, which PostgreSQL
            # stores once with a list of rows: 48 pages instead of the list
            # index's 345 for 56,000 public cases, a third less time (PERFORMANCE.md).
            # Not keyed on is_public: SQLite, without statistics, takes an
            # equality on an index's key for a narrow search and joined the
            # change feed through it (0.8 -> 16 ms).
            models.Index(
                fields=["person_consents"], condition=public_case_q(), name="cases_case_public_count_idx"
            ),
        ]
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

    # The two rules below take values, not a Case, so that the API's case rows
    # (CaseQuerySet.api_rows(), no instances) ask them too.
    @staticmethod
    def name_for(full_name, group_name):
        """The name a case goes by: its person's (None when it has no person),
        else the group's."""
        return group_name if full_name is None else full_name

    @staticmethod
    def summary_may_be_public(person_id, consent_to_publish, summary_consent):
        """The case summary tells the person's story: it needs their summary
        consent. A group case names no one."""
        return person_id is None or Person.summary_may_be_public(consent_to_publish, summary_consent)

    @property
    def subject_name(self):
        return self.name_for(self.person.full_name if self.person_id else None, self.group_name)

    @property
    def summary_is_public(self):
        person = self.person if self.person_id else None
        return self.summary_may_be_public(
            self.person_id, person and person.consent_to_publish, person and person.summary_consent
        )

    @property
    def status_since_display(self):
        return format_approximate_date(self.status_since, self.status_since_precision)

    @property
    def current_custody(self):
        """The open custody row: the join of with_current_custody(), else the
        prefetched rows of with_related()."""
        if hasattr(self, "open_custody_joined"):
            return getattr(self, "open_custody", None)
        return next((c for c in self.custodies.all() if c.ended_on is None), None)

    def days_in_custody(self, today=None):
        """Days held across all custody rows, computed, never stored."""
        today = today or timezone.localdate()
        return sum(((c.ended_on or today) - c.started_on).days for c in self.custodies.all())


class StatusDocumentQuerySet(CaseColumnsQuerySet):
    def rows(self):
        """The status documents as named rows, like CaseQuerySet.api_rows()."""
        return self.values_list(*STATUS_ROW_FIELDS, named=True)


class StatusDocument(models.Model):
    """A case's status document as partners poll it: the case's status and
    where it is held now, read from the database view cases.status_view
    keeps (the case, its open custody row and that row's facility). The view
    only names the joins: the database runs the same query as for the joins
    written out, and Django builds a query of one table, which took a fifth
    of a status request. Never written; read it through visible_to() like cases."""

    case = models.OneToOneField(
        Case, primary_key=True, db_column="id", on_delete=models.DO_NOTHING, related_name="+"
    )
    reference = models.CharField(max_length=20)
    status = models.CharField(max_length=20)
    status_since = models.DateField(null=True)
    status_since_precision = models.CharField(max_length=5)
    updated_at = models.DateTimeField()
    # The publication rule's columns (public_case_q), the case's own.
    is_public = models.BooleanField()
    person = models.ForeignKey(
        "people.Person", null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    person_consents = models.BooleanField()
    # Where the case is held now: NULL when it is not (the view's outer join).
    facility_slug = models.SlugField(max_length=200, null=True)  # noqa: DJ001
    facility_name = models.CharField(max_length=200, null=True)  # noqa: DJ001
    facility_city = models.CharField(max_length=100, null=True)  # noqa: DJ001
    facility_region = models.CharField(max_length=100, null=True)  # noqa: DJ001
    facility_country = models.CharField(max_length=2, null=True)  # noqa: DJ001
    facility_updated_at = models.DateTimeField(null=True)

    objects = StatusDocumentQuerySet.as_manager()

    class Meta:
        managed = False

    def __str__(self):
        return self.reference


class CaseChange(models.Model):
    """Append-only log of what changed on a case, read by API clients that poll."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Case created")
        FIELDS = "fields", _("Case fields changed")
        STATUS = "status", _("Status changed")
        CUSTODY = "custody", _("Custody changed")
        LEGAL_EVENT = "legal_event", _("Legal event changed")

    # Indexed with changed_at below (which serves lookups by case alone too).
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="changes", db_index=False)
    kind = models.CharField(max_length=20, choices=Kind)
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = CaseRowQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        indexes = [
            # A case's latest change since an instant (the updated_since poll):
            # one short range of this index per case, not the whole poll's
            # range of the changed_at index ANDed with the case's rows.
            models.Index(fields=["case", "changed_at"], name="cases_change_case_time_idx"),
        ]
        verbose_name = _("case change")
        verbose_name_plural = _("case changes")

    def __str__(self):
        return f"{self.case_id} {self.kind} {self.changed_at:%Y-%m-%d %H:%M:%S}"
