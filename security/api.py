"""API tokens: obtain one with a password (and the authenticator code, once
set up); list and revoke them."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.generics import CreateAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from cases.api import ApiViewMixin, ApiViewSet
from security.models import ApiToken
from security.serializers import ApiTokenSerializer, ObtainTokenSerializer


@extend_schema(
    auth=[],
    responses={
        200: ObtainTokenSerializer,
        429: OpenApiResponse(
            description="Locked out after repeated failed logins for this account or from this address; "
            "even the right password is refused until Retry-After seconds have passed."
        ),
    },
)
class ObtainTokenView(ApiViewMixin, CreateAPIView):
    """Exchange a username and password (plus `otp_token` for accounts with
    two-factor login) for a new API token. The key is in this response only:
    the server keeps a hash of it."""

    serializer_class = ObtainTokenSerializer
    # The password authenticates; a session cookie riding along must not.
    authentication_classes = []
    permission_classes = [AllowAny]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data, status=status.HTTP_200_OK)


@extend_schema_view(
    list=extend_schema(description="Your API tokens that still work (a superuser sees everyone's)."),
    destroy=extend_schema(description="Revoke a token: it stops working at once."),
)
class ApiTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, ApiViewSet):
    serializer_class = ApiTokenSerializer
    permission_classes = [IsAuthenticated]
    queryset = ApiToken.objects.all()

    def get_queryset(self):
        return ApiToken.objects.visible_to(self.request.user).active().select_related("user")

    def perform_destroy(self, instance):
        instance.revoke(by=self.request.user)
