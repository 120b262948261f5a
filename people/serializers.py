"""API representations of people, and the two serializer rules every API model follows."""

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.functional import cached_property
from django_countries.serializers import CountryFieldMixin
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from people.models import Alias, ConsentRecord, Person
from people.permissions import can_view_private
from people.photos import sanitize_photo
from people.services import person_set_photo, record_consent


def validation_error_detail(exc):
    """A Django ValidationError as DRF's {field: [messages]}, with Django's
    "__all__" under DRF's non-field key."""
    detail = serializers.as_serializer_error(exc)
    if "__all__" in detail:
        detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop("__all__")
    return detail


class PrivateFieldsMixin:
    """Leave out Meta.private_fields for users who may not see them.

    The fields are absent, not null, so a client cannot even learn that a value
    exists. The schema (built by a fake view) lists them.
    """

    def get_fields(self):
        fields = super().get_fields()
        for name in self.hidden_fields:
            fields.pop(name, None)
        return fields

    @cached_property
    def hidden_fields(self):
        """The private fields this response leaves out: all of them unless
        the user may see them (the schema, built by a fake view, lists them)."""
        if getattr(self.context.get("view"), "swagger_fake_view", False):
            return ()
        request = self.context.get("request")
        if request is None or not can_view_private(request.user):
            return self.Meta.private_fields
        return ()


class ModelCleanMixin:
    """Validate writes with the model's own full_clean() (clean() and named
    constraints), so bad input answers 400 instead of failing in the database."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        instance = copy.copy(self.instance) if self.instance is not None else model()
        names = [field.name for field in model._meta.concrete_fields if field.name in attrs]
        for name in names:
            setattr(instance, name, attrs[name])
        try:
            instance.full_clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(validation_error_detail(exc)) from exc
        # clean() may normalise values, e.g. truncate a date to its precision.
        return {**attrs, **{name: getattr(instance, name) for name in names}}


class AliasNamesField(serializers.ListField):
    """A person's aliases as a plain list of names."""

    child = serializers.CharField(max_length=200)

    def to_representation(self, aliases):
        return [alias.name for alias in aliases.all()]


class PersonSerializer(CountryFieldMixin, PrivateFieldsMixin, ModelCleanMixin, serializers.ModelSerializer):
    """A person, with their current consent flags (read-only: append to the
    consent ledger to change them)."""

    aliases = AliasNamesField(
        required=False, help_text="Other names the person is reported under; searchable through q."
    )
    # A plain FileField: sanitize_photo decodes the upload under its own caps,
    # before anything else opens it. The source keeps the sanitised files out
    # of the model validation in ModelCleanMixin.
    photo = serializers.FileField(
        write_only=True,
        required=False,
        source="photo_files",
        help_text="A JPEG, PNG or WebP photo, sent as a multipart part. Re-encoded without metadata "
        "and stored under a random name with a thumbnail.",
    )
    photo_url = serializers.SerializerMethodField(
        help_text="Absolute URL of the photo. Null when there is none, or when the photo may not be "
        "published and you are not an Advocate."
    )
    photo_thumbnail_url = serializers.SerializerMethodField(
        help_text="Absolute URL of the thumbnail, under the same rule as photo_url."
    )

    class Meta:
        model = Person
        fields = [
            "id",
            "full_name",
            "rank",
            "branch",
            "nationality",
            "public_summary",
            "aliases",
            "photo",
            "photo_url",
            "photo_thumbnail_url",
            # Read-only summary of the consent ledger (/people/{id}/consents/).
            "consent_to_publish",
            "photo_consent",
            "summary_consent",
            "accounts_consent",
            "consent_recorded_on",
            "date_of_birth",
            "alien_number",
            "private_notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        private_fields = ("date_of_birth", "alien_number", "private_notes")

    def validate_photo(self, upload):
        try:
            return sanitize_photo(upload)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_photo_url(self, person):
        return self._photo_url(person, person.photo)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_photo_thumbnail_url(self, person):
        return self._photo_url(person, person.photo_thumbnail)

    def _photo_url(self, person, file):
        # Readers see people, but a photo without consent to publish it stays
        # with the Advocates: its URL works for anyone who holds it.
        request = self.context.get("request")
        if not file or request is None or not (person.photo_is_public or can_view_private(request.user)):
            return None
        return request.build_absolute_uri(file.url)

    # Validation (photo included) is over before these run, so a refused
    # photo leaves the other fields of the request unsaved too.
    @transaction.atomic
    def create(self, validated_data):
        aliases = validated_data.pop("aliases", [])
        photo_files = validated_data.pop("photo_files", None)
        person = super().create(validated_data)
        self._set_aliases(person, aliases)
        if photo_files:
            person_set_photo(person=person, photo_files=photo_files)
        return person

    @transaction.atomic
    def update(self, instance, validated_data):
        aliases = validated_data.pop("aliases", None)
        photo_files = validated_data.pop("photo_files", None)
        person = super().update(instance, validated_data)
        if aliases is not None:
            self._set_aliases(person, aliases)
        if photo_files:
            person_set_photo(person=person, photo_files=photo_files)
        return person

    def _set_aliases(self, person, names):
        names = list(dict.fromkeys(names))
        person.aliases.exclude(name__in=names).delete()
        existing = set(person.aliases.values_list("name", flat=True))
        for name in names:
            if name not in existing:
                Alias.objects.create(person=person, name=name)


class ConsentRecordSerializer(PrivateFieldsMixin, serializers.ModelSerializer):
    """One grant or withdrawal of consent for one scope."""

    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ConsentRecord
        fields = ["id", "scope", "granted", "method", "note", "recorded_by", "recorded_at"]
        # Who recorded an entry identifies an advocate: advocates only.
        private_fields = ("note", "recorded_by")

    def create(self, validated_data):
        # The view supplies the person in the URL as context["person"].
        (record,) = record_consent(
            person=self.context["person"],
            scopes=[validated_data["scope"]],
            granted=validated_data["granted"],
            method=validated_data["method"],
            note=validated_data.get("note", ""),
            recorded_by=self.context["request"].user,
        )
        return record
