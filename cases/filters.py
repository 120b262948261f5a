"""django-filter FilterSets."""

import django_filters
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Custody, Status
from people.models import Person


class PublicCaseFilter(django_filters.FilterSet):
    """Filters of the public case list; its choices offer only what public cases use."""

    q = django_filters.CharFilter(label=_("Name, alias or reference"), method="filter_search")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Status.choices, empty_label=_("Any status")
    )
    country = django_filters.ChoiceFilter(
        label=_("Country where held"), method="filter_country", empty_label=_("Any country")
    )
    facility = django_filters.ModelChoiceFilter(
        label=_("Facility"),
        queryset=None,
        to_field_name="slug",
        method="filter_facility",
        empty_label=_("Any facility"),
    )
    branch = django_filters.ChoiceFilter(
        label=_("Branch"),
        field_name="person__branch",
        choices=Person.Branch.choices,
        empty_label=_("Any branch"),
    )

    class Meta:
        model = Case
        fields = []

    def __init__(self, data=None, queryset=None, *, facilities, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["facility"].queryset = facilities
        countries = {facility.country.code: facility.country.name for facility in facilities}
        self.filters["country"].extra["choices"] = sorted(countries.items(), key=lambda item: item[1])

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_country(self, queryset, name, value):
        return queryset.filter(pk__in=Custody.objects.public().filter(facility__country=value).values("case"))

    def filter_facility(self, queryset, name, value):
        return queryset.filter(pk__in=Custody.objects.public().filter(facility=value).values("case"))
