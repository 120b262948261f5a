"""Query-string filters of the people API (django-filter)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from cases.filters import ApiFilterSet
from people.models import Person


class PersonFilter(ApiFilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method="filter_search", help_text="Name or alias; accent-insensitive."
    )

    class Meta:
        model = Person
        fields = ["branch", "nationality", "consent_to_publish"]

    def filter_search(self, queryset, name, value):
        return queryset.search(value)
