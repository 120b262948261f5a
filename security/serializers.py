from axes.helpers import get_cool_off
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers

from security.models import ApiToken
from security.otp import check_second_factor, must_enrol


class LockedOut(exceptions.Throttled):
    default_detail = _(
        "Too many failed logins for this account or from this address: logins are refused, "
        "the right password too, until the wait is over."
    )
    default_code = "locked_out"


class ObtainTokenSerializer(serializers.Serializer):
    username = serializers.CharField(write_only=True)
    password = serializers.CharField(write_only=True, trim_whitespace=False, style={"input_type": "password"})
    otp_token = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=10,
        help_text="The authenticator code; needed once the account has two-factor login.",
    )
    name = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="A label for the token, shown when tokens are listed.",
    )
    token = serializers.CharField(read_only=True, help_text="The key: shown this once, never again.")
    expires = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When the token stops working; null: never."
    )

    def validate(self, attrs):
        request = self.context["request"]
        # django-axes reads the request: it counts the failure against the
        # account and the address, and refuses everything while locked out.
        user = authenticate(request=request, username=attrs["username"], password=attrs["password"])
        if user is None:
            if getattr(request, "axes_locked_out", False):
                cool_off = get_cool_off(request)
                raise LockedOut(wait=cool_off.total_seconds() if cool_off else None)
            raise serializers.ValidationError(
                _("Unable to log in with provided credentials."), code="authorization"
            )
        if check_second_factor(user, attrs.get("otp_token")) is None and must_enrol(user):
            raise serializers.ValidationError(
                _("Two-factor login is required for staff: set it up in the admin first."),
                code="enrolment_required",
            )
        attrs["user"] = user
        return attrs

    def create(self, validated_data):
        token, key = ApiToken.objects.issue(user=validated_data["user"], name=validated_data.get("name", ""))
        return {"token": key, "expires": token.expires_at}


class ApiTokenSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.get_username", read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "user", "created_at", "expires_at", "last_used_at"]
        read_only_fields = fields
