"""REST API views for people and their consent ledgers: Advocates and Readers only."""

from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated

from audit.api import PrivateReadRecordMixin, VersionedResourceMixin
from cases.api import ApiViewSet, ModelPermissions, WritableViewSet
from people.filters import PersonFilter
from people.models import ConsentRecord, Person
from people.serializers import ConsentRecordSerializer, PersonSerializer


class PersonViewSet(VersionedResourceMixin, PrivateReadRecordMixin, WritableViewSet):
    """People. Not available anonymously: the public meets a person only
    through their public cases. Private fields are for Advocates only. A photo
    is uploaded as the `photo` part of a multipart request. A person's ETag is
    its version: send it back as If-Match with a PUT/PATCH to be refused (412)
    rather than overwrite a change made since."""

    queryset = Person.objects.all()
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    permission_classes = [IsAuthenticated, ModelPermissions]
    parser_classes = [JSONParser, MultiPartParser]

    def get_queryset(self):
        return Person.objects.visible_to(self.request.user).prefetch_related("aliases")


PERSON_ID = OpenApiParameter("person_id", int, OpenApiParameter.PATH, description="The person's id.")


@extend_schema_view(list=extend_schema(parameters=[PERSON_ID]), create=extend_schema(parameters=[PERSON_ID]))
class ConsentViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, ApiViewSet):
    """The consent ledger of the person in the URL, newest first. Entries are
    never edited: post a new one to grant or withdraw a scope; the person's
    consent flags follow the latest entry per scope at once."""

    queryset = ConsentRecord.objects.select_related("recorded_by")
    serializer_class = ConsentRecordSerializer
    permission_classes = [IsAuthenticated, ModelPermissions]
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset.none()
        return self.queryset.filter(person=self.person)

    def check_permissions(self, request):
        # Entries are never edited or deleted: that is 405 for everyone, not a
        # 403 that would suggest someone else may.
        if request.method.lower() not in {*self.action_map, "options"}:
            self.http_method_not_allowed(request)
        super().check_permissions(request)

    @cached_property
    def person(self):
        return get_object_or_404(Person.objects.visible_to(self.request.user), pk=self.kwargs["person_id"])

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["person"] = self.person
        return context
