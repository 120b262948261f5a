"""REST API views for people: Advocates and Readers only."""

from rest_framework.permissions import DjangoModelPermissions, IsAuthenticated

from cases.api import WritableViewSet
from people.filters import PersonFilter
from people.models import Person
from people.serializers import PersonSerializer


class PersonViewSet(WritableViewSet):
    """People. Not available anonymously: the public meets a person only
    through their public cases. Private fields are for Advocates only."""

    queryset = Person.objects.all()
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    permission_classes = [IsAuthenticated, DjangoModelPermissions]

    def get_queryset(self):
        return Person.objects.visible_to(self.request.user).prefetch_related("aliases")
