"""The shape of history entries in the API (audit.history builds them)."""

from rest_framework import serializers


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(help_text="The value before; null for a new row.")
    new = serializers.JSONField(help_text="The value after. Foreign keys and sources are ids.")


class HistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField(help_text="When the change was saved.")
    who = serializers.CharField(
        required=False,
        allow_null=True,
        help_text="Username of the editor; null for scripts. Advocates only, like recorded_by.",
    )
    object = serializers.ChoiceField(
        choices=["case", "status_update", "custody", "legal_event", "person"],
        help_text="What changed: the case, one of its facts or its person.",
    )
    object_id = serializers.IntegerField()
    action = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    reason = serializers.CharField(help_text="The editor's reason; empty when none was given.")
    changes = FieldChangeSerializer(
        many=True,
        help_text="Field, old and new value of each change; private fields only for Advocates.",
    )
