"""API representations of cases and their facts.

Writes that touch a case go through cases.services, like the admin's, so every
change lands in the CaseChange log that polling clients read.
"""

from itertools import chain
from operator import attrgetter

from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_countries.serializers import CountryFieldMixin
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases import services
from cases.models import (
    Account,
    Case,
    CaseChange,
    Custody,
    Facility,
    LegalEvent,
    SourceArticle,
    Status,
    StatusUpdate,
)
from people.models import Person
from people.permissions import can_view_unpublished
from people.serializers import ModelCleanMixin, PrivateFieldsMixin

DISPUTE_FIELDS = ["is_disputed", "dispute_note"]


def status_label(code):
    """The status's label in the active language (the API negotiates it per request)."""
    return str(Status(code).label)


def iso_date(value):
    """A date as DRF's DateField writes it."""
    return value.isoformat() if value else None


def iso_instant(value, zone):
    """A datetime as DRF's DateTimeField writes it: in the current time zone
    (`zone`, see InstantsMixin), UTC as Z."""
    if not value:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class InstantsMixin:
    @cached_property
    def zone(self):
        """The current time zone, looked up once per response: a lookup per
        value was half the cost of writing one (two per case on a page)."""
        return timezone.get_current_timezone()


def require_order(attrs, instance, start, end, message):
    """400 naming `end` when it falls before `start`; the database would only
    say which constraint failed."""
    start_value = attrs.get(start, getattr(instance, start, None))
    end_value = attrs.get(end, getattr(instance, end, None))
    if start_value and end_value and end_value < start_value:
        raise serializers.ValidationError({end: message})


def require_dispute_note(attrs, instance):
    is_disputed = attrs.get("is_disputed", getattr(instance, "is_disputed", False))
    if is_disputed and not attrs.get("dispute_note", getattr(instance, "dispute_note", "")):
        raise serializers.ValidationError({"dispute_note": _("Say what is disputed in the dispute note.")})


class FacilityBriefSerializer(CountryFieldMixin, serializers.ModelSerializer):
    class Meta:
        model = Facility
        fields = ["slug", "name", "city", "region", "country"]
        read_only_fields = fields


def facility_columns(prefix):
    """Reads where a row's case is held now from the row's columns named
    `prefix` + each of FacilityBriefSerializer's fields."""
    return attrgetter(*(prefix + name for name in FacilityBriefSerializer.Meta.fields))


def facility_brief(values):
    """FacilityBriefSerializer's representation of those values (None when
    the case is not held: a facility always has a slug), written out:
    building that serializer's fields (its country field translates every
    country name) cost more than the rest of a status document."""
    if values[0] is None:
        return None
    return dict(zip(FacilityBriefSerializer.Meta.fields, values, strict=True))


class FacilitySerializer(CountryFieldMixin, ModelCleanMixin, serializers.ModelSerializer):
    class Meta:
        model = Facility
        fields = [
            "slug",
            "name",
            "kind",
            "operator",
            "authority",
            "city",
            "region",
            "country",
            "latitude",
            "longitude",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class CaseSerializer(InstantsMixin, PrivateFieldsMixin, serializers.ModelSerializer):
    person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(),
        allow_null=True,
        required=False,
        help_text="The person's id; null for a group whose members are not named.",
    )
    subject_name = serializers.CharField(
        read_only=True, help_text="The person's full name or the group name."
    )
    status_label = serializers.SerializerMethodField(help_text="The status in the request's language.")
    current_facility = serializers.SerializerMethodField(
        help_text="Where the person is held now, if anywhere."
    )

    class Meta:
        model = Case
        fields = [
            "reference",
            "person",
            "group_name",
            "subject_name",
            "status",
            "status_label",
            "status_since",
            "status_since_precision",
            "current_facility",
            "summary",
            "private_notes",
            "is_public",
            "opened_on",
            "closed_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "reference",
            "status",
            "status_since",
            "status_since_precision",
            "created_at",
            "updated_at",
        ]
        private_fields = ("private_notes",)

    def to_representation(self, case):
        # Written out from a row of Case.objects.api_rows(), not DRF's
        # field-by-field path over model instances, which was most of the time
        # of a page of 100 cases. The values are what the declared fields give
        # (the API tests compare whole payloads); which fields are shown is
        # still decided by PrivateFieldsMixin (shown_fields).
        if isinstance(case, Case):
            # A case just written: answered as a read of it answers.
            case = Case.objects.filter(pk=case.pk).api_rows().get()
        values = {
            "reference": case.reference,
            "person": case.person_id,
            "group_name": case.group_name,
            "subject_name": Case.name_for(case.person__full_name, case.group_name),
            "status": case.status,
            "status_label": self.status_labels[case.status],
            "status_since": iso_date(case.status_since),
            "status_since_precision": case.status_since_precision,
            "current_facility": self.get_current_facility(case),
            "summary": case.summary,
            "private_notes": case.private_notes,
            "is_public": case.is_public,
            "opened_on": iso_date(case.opened_on),
            "closed_on": iso_date(case.closed_on),
            "created_at": iso_instant(case.created_at, self.zone),
            "updated_at": iso_instant(case.updated_at, self.zone),
        }
        data = {name: values[name] for name in self.shown_fields}
        # The summary tells the person's story: public only with their summary consent.
        if not self.shows_unpublished and not Case.summary_may_be_public(
            case.person_id, case.person__consent_to_publish, case.person__summary_consent
        ):
            data.pop("summary", None)
        return data

    @cached_property
    def shown_fields(self):
        """The names of self.fields, without building the fields: DRF maps
        each model field to a serializer field on every request (a tenth of a
        page of 100 cases), and a read only needs to know which are shown."""
        return [name for name in self.Meta.fields if name not in self.hidden_fields]

    @cached_property
    def shows_unpublished(self):
        return can_view_unpublished(self.context["request"].user)

    @cached_property
    def status_labels(self):
        """Labels in the request's language, looked up once per page."""
        return {code: status_label(code) for code in Status.values}

    def get_status_label(self, case) -> str:
        return status_label(case.status)

    # The columns of the open custody's facility in CaseQuerySet.api_rows().
    facility_of = facility_columns("open_custody__facility__")

    @extend_schema_field(FacilityBriefSerializer(allow_null=True))
    def get_current_facility(self, case):
        return facility_brief(self.facility_of(case))

    def validate(self, attrs):
        require_order(
            attrs, self.instance, "opened_on", "closed_on", _("A case cannot close before it opens.")
        )
        return attrs

    def create(self, validated_data):
        return services.case_create(**validated_data)

    def update(self, instance, validated_data):
        return services.case_update(case=instance, **validated_data)


class CaseStatusSerializer(InstantsMixin, serializers.ModelSerializer):
    """The compact document partner systems poll."""

    status_label = serializers.SerializerMethodField(help_text="The status in the request's language.")
    current_facility = serializers.SerializerMethodField(
        help_text="Where the person is held now, if anywhere."
    )

    class Meta:
        model = Case
        fields = [
            "reference",
            "status",
            "status_label",
            "status_since",
            "status_since_precision",
            "current_facility",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, document):
        # Written out like CaseSerializer's, from a row of
        # StatusDocument.objects.rows(), and without building the fields at
        # all (there are no private ones): partners poll this document.
        return {
            "reference": document.reference,
            "status": document.status,
            "status_label": status_label(document.status),
            "status_since": iso_date(document.status_since),
            "status_since_precision": document.status_since_precision,
            "current_facility": self.get_current_facility(document),
            "updated_at": iso_instant(document.updated_at, self.zone),
        }

    # The facility's columns in StatusDocument.
    facility_of = facility_columns("facility_")
    get_status_label = CaseSerializer.get_status_label
    get_current_facility = CaseSerializer.get_current_facility


class CaseFactSerializer(serializers.ModelSerializer):
    """A fact appended to the case named in the URL (view supplies it as context["case"])."""

    sources = serializers.PrimaryKeyRelatedField(
        queryset=SourceArticle.objects.all(),
        many=True,
        required=False,
        help_text="Ids of the articles that back this fact.",
    )

    def validate(self, attrs):
        require_dispute_note(attrs, self.instance)
        return attrs


class StatusUpdateSerializer(PrivateFieldsMixin, CaseFactSerializer):
    status_label = serializers.SerializerMethodField(help_text="The status in the request's language.")
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = StatusUpdate
        fields = [
            "id",
            "status",
            "status_label",
            "effective_on",
            "effective_on_precision",
            "note",
            "internal_note",
            "sources",
            *DISPUTE_FIELDS,
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = ["recorded_at"]
        # Who recorded an entry identifies an advocate: advocates only.
        private_fields = ("internal_note", "recorded_by")

    def get_status_label(self, update) -> str:
        return status_label(update.status)

    def create(self, validated_data):
        return services.record_status_update(
            case=self.context["case"], recorded_by=self.context["request"].user, **validated_data
        )


class CustodySerializer(CaseFactSerializer):
    facility = serializers.SlugRelatedField(slug_field="slug", queryset=Facility.objects.all())

    class Meta:
        model = Custody
        fields = [
            "id",
            "facility",
            "started_on",
            "started_on_precision",
            "ended_on",
            "ended_on_precision",
            "note",
            "sources",
            *DISPUTE_FIELDS,
        ]

    def validate(self, attrs):
        require_order(
            attrs, self.instance, "started_on", "ended_on", _("Custody cannot end before it starts.")
        )
        return super().validate(attrs)

    def create(self, validated_data):
        return services.custody_add(case=self.context["case"], **validated_data)


class LegalEventSerializer(CaseFactSerializer):
    class Meta:
        model = LegalEvent
        fields = [
            "id",
            "kind",
            "occurred_on",
            "occurred_on_precision",
            "outcome",
            "note",
            "sources",
            *DISPUTE_FIELDS,
        ]

    def create(self, validated_data):
        return services.legal_event_add(case=self.context["case"], **validated_data)


class ArticleSerializer(ModelCleanMixin, serializers.ModelSerializer):
    cases = serializers.SerializerMethodField(
        help_text="References of the cases whose facts cite this article, among those you may see."
    )

    class Meta:
        model = SourceArticle
        fields = [
            "id",
            "title",
            "outlet",
            "author",
            "url",
            "published_on",
            "published_on_precision",
            "language",
            "excerpt",
            "related_article",
            "relation",
            "cases",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_cases(self, article) -> list[str]:
        # The view prefetches only facts of cases the user may see; a freshly
        # written article has no citing facts yet.
        citing = (getattr(article, attr, ()) for attr in ("cited_updates", "cited_custodies", "cited_events"))
        return sorted({fact.case.reference for fact in chain.from_iterable(citing)})


class AccountSerializer(ModelCleanMixin, serializers.ModelSerializer):
    class Meta:
        model = Account
        fields = [
            "id",
            "person",
            "article",
            "quote",
            "language",
            "said_on",
            "said_on_precision",
            *DISPUTE_FIELDS,
        ]


class ChangeSerializer(InstantsMixin, serializers.ModelSerializer):
    case = serializers.CharField(source="case_reference", read_only=True, help_text="The case's reference.")

    class Meta:
        model = CaseChange
        fields = ["id", "case", "kind", "changed_at"]
        read_only_fields = fields

    def to_representation(self, change):
        # Written out (what the declared fields give): pollers read pages of
        # 100, and DRF's field-by-field path was most of the time of one.
        return {
            "id": change.pk,
            "case": change.case_reference,
            "kind": change.kind,
            "changed_at": iso_instant(change.changed_at, self.zone),
        }
