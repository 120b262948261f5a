"""API representations of people, and the two serializer rules every API model follows."""

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django_countries.serializers import CountryFieldMixin
from rest_framework import serializers
from rest_framework.settings import api_settings

from people.models import Alias, Person
from people.permissions import can_view_private


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
        request = self.context.get("request")
        if getattr(self.context.get("view"), "swagger_fake_view", False):
            return fields
        if request is None or not can_view_private(request.user):
            for name in self.Meta.private_fields:
                fields.pop(name, None)
        return fields


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
    aliases = AliasNamesField(
        required=False, help_text="Other names the person is reported under; searchable through q."
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
            "consent_to_publish",
            "consent_recorded_on",
            "date_of_birth",
            "alien_number",
            "private_notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        private_fields = ("date_of_birth", "alien_number", "private_notes")

    @transaction.atomic
    def create(self, validated_data):
        aliases = validated_data.pop("aliases", [])
        person = super().create(validated_data)
        self._set_aliases(person, aliases)
        return person

    @transaction.atomic
    def update(self, instance, validated_data):
        aliases = validated_data.pop("aliases", None)
        person = super().update(instance, validated_data)
        if aliases is not None:
            self._set_aliases(person, aliases)
        return person

    def _set_aliases(self, person, names):
        names = list(dict.fromkeys(names))
        person.aliases.exclude(name__in=names).delete()
        existing = set(person.aliases.values_list("name", flat=True))
        for name in names:
            if name not in existing:
                Alias.objects.create(person=person, name=name)
