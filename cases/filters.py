"""django-filter FilterSets."""

import datetime

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import label_for_filter

from cases.models import Account, Case, CaseChange, Custody, Facility, SourceArticle, Status
from people.models import Person
from people.permissions import can_view_unpublished

lazy_label = lazy(label_for_filter, str)


class FilterBackend(DjangoFilterBackend):
    """django-filter's, skipping the filter set when the request names none of
    its filters: building one (a deep copy of every filter, a bound form, its
    validation) was a tenth of a page of 100 cases, to filter nothing. A
    filter reads the parameter named after it or, for a range, that name with
    a suffix (opened_on_after)."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        names = filterset_class.base_filters if filterset_class else ()
        if not any(
            key == name or key.startswith(f"{name}_") for key in request.query_params for name in names
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)


class ApiFilterSet(django_filters.FilterSet):
    """The API's filter sets, whose filters are the same on every request: the
    form class is built once per filter set and language (a form field may
    hold text written in the language active when it was built), not per request
    (0.6 of 13 ms of an updated_since poll). Each form still gets its own copy
    of the fields. Not for a filter set that changes its filters per request,
    as PublicCaseFilter does its country choices."""

    _form_classes = {}

    @classmethod
    def get_filters(cls):
        # A label made up from the model, in the language of the request that
        # shows it: django-filter writes it once, and a filter whose form field
        # was built without one (the schema generator builds those of filters
        # with choices) kept an English label ("Status") in every language.
        filters = super().get_filters()
        for filter_ in filters.values():
            if filter_.label is None:
                filter_.label = lazy_label(
                    cls._meta.model, filter_.field_name, filter_.lookup_expr, filter_.exclude
                )
        return filters

    def get_form_class(self):
        key = (type(self), translation.get_language())
        if key not in ApiFilterSet._form_classes:
            ApiFilterSet._form_classes[key] = super().get_form_class()
        return ApiFilterSet._form_classes[key]


class PublicCaseFilter(django_filters.FilterSet):
    """Filters of the public case list; its choices offer only what public cases use."""

    q = django_filters.CharFilter(label=_("Name, alias or reference"), method="filter_search")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Status.choices, empty_label=_("Any status")
    )
    country = django_filters.ChoiceFilter(
        label=_("Country where held"), method="filter_country", empty_label=_("Any country")
    )
    # Typed, not picked from a list: a list of every facility grows with the
    # data (a 10,000-option menu nobody can use). A facility page links here
    # with its slug, which matches too.
    facility = django_filters.CharFilter(
        label=_("Facility"),
        method="filter_facility",
        widget=forms.TextInput(attrs={"placeholder": _("Name of the facility")}),
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

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        # A few hundred countries at most, however many facilities hold public cases.
        codes = Facility.objects.countries_with_public_cases()
        self.filters["country"].extra["choices"] = sorted(
            ((code, countries.name(code)) for code in codes), key=lambda item: item[1]
        )

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_country(self, queryset, name, value):
        return queryset.filter(pk__in=Custody.objects.public().filter(facility__country=value).values("case"))

    def filter_facility(self, queryset, name, value):
        facilities = Facility.objects.filter(Q(slug=value) | Q(name__icontains=value))
        return queryset.filter(pk__in=Custody.objects.public().filter(facility__in=facilities).values("case"))


def settled_changes(changes=None):
    """Change-log rows (of `changes`, else of all) a polling client may be served.

    Transactions commit out of order: a row with a lower id can become visible
    after a higher one was served, behind the client's cursor. So only the
    prefix of the log before the first row younger than the settle window is
    served. That loses nothing provided every transaction that records a
    change commits within API_CHANGES_SETTLE_SECONDS of stamping it.
    """
    cutoff = timezone.now() - datetime.timedelta(seconds=settings.API_CHANGES_SETTLE_SECONDS)
    # The least id of the window's few rows, taken here from the changed_at
    # index's (unordered) answer: SQLite runs MIN(id) ... WHERE changed_at > %s
    # as a walk of the whole log in id order (10 ms at 100,000 changes).
    window = CaseChange.objects.filter(changed_at__gt=cutoff).order_by().values_list("pk", flat=True)
    horizon = min(window, default=None)
    changes = CaseChange.objects.all() if changes is None else changes
    return changes if horizon is None else changes.filter(pk__lt=horizon)


class CommaSeparatedMultipleChoiceField(django_filters.fields.MultipleChoiceField):
    def to_python(self, value):
        return [part.strip() for item in super().to_python(value) for part in item.split(",") if part.strip()]


class MultipleCodesFilter(django_filters.MultipleChoiceFilter):
    """Accepts ?status=a&status=b as well as ?status=a,b."""

    field_class = CommaSeparatedMultipleChoiceField


class InstantField(django_filters.fields.IsoDateTimeField):
    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(datetime.UTC)
        except OverflowError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class InstantFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 instant, taken to UTC: Python accepts offsets up to 24 hours,
    PostgreSQL refuses those beyond 16, and near year 9999 the conversion
    overflows; either answers 400 here, not 500 in the database."""

    field_class = InstantField


# The largest id a database row can have (64-bit primary keys).
MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """An object id: a whole number the database can hold. Anything else is a
    400, not an overflow in the database."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=MAX_ID, **kwargs)


class StableOrderingFilter(django_filters.OrderingFilter):
    """Ordering with the reference as tie-breaker, so pages never overlap."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        return qs.order_by(*qs.query.order_by, "reference") if value else qs


class CaseFilter(ApiFilterSet):
    status = MultipleCodesFilter(
        choices=Status.choices,
        help_text="One or several status codes: repeat the parameter or separate codes with commas.",
    )
    # Filters that are not a model field name their label: django-filter
    # would show "[invalid name]" in the browsable API's filter form.
    facility = django_filters.CharFilter(
        label=_("Facility"),
        method="filter_facility",
        help_text="Facility slug: cases held there at any time.",
    )
    current_facility = django_filters.CharFilter(
        label=_("Facility now"),
        method="filter_current_facility",
        help_text="Facility slug: cases held there now.",
    )
    country = django_filters.CharFilter(
        label=_("Country"),
        method="filter_country",
        help_text="ISO 3166-1 alpha-2 code: cases held in that country at any time.",
    )
    person = IdFilter(field_name="person_id", help_text="Person id.")
    opened_on = django_filters.DateFromToRangeFilter(
        help_text="opened_on_after / opened_on_before (inclusive dates)."
    )
    status_since = django_filters.DateFromToRangeFilter(
        help_text="status_since_after / status_since_before (inclusive dates)."
    )
    is_public = django_filters.BooleanFilter(
        method="filter_is_public", help_text="Advocates and Readers only; ignored for others."
    )
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        help_text="Name, alias, reference or group name; accent-insensitive.",
    )
    updated_since = InstantFilter(
        label=_("Updated since"),
        method="filter_updated_since",
        help_text=(
            "ISO 8601 instant: cases with any change (status, custody, legal events, fields) at or after "
            "it, ordered by their latest change and paged by the `after` cursor instead of page numbers."
        ),
    )
    ordering = StableOrderingFilter(
        fields=["reference", "opened_on", "status_since", "updated_at"],
        help_text="Sort key; prefix with - for descending. Ignored with updated_since.",
    )

    class Meta:
        model = Case
        fields = []

    def filter_facility(self, queryset, name, value):
        return queryset.filter(Exists(Custody.objects.filter(case=OuterRef("pk"), facility__slug=value)))

    def filter_current_facility(self, queryset, name, value):
        held = Custody.objects.open().filter(case=OuterRef("pk"), facility__slug=value)
        return queryset.filter(Exists(held))

    def filter_country(self, queryset, name, value):
        held = Custody.objects.filter(case=OuterRef("pk"), facility__country=value.upper())
        return queryset.filter(Exists(held))

    def filter_is_public(self, queryset, name, value):
        if not can_view_unpublished(self.request.user):
            return queryset
        return queryset.filter(is_public=value)

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_updated_since(self, queryset, name, value):
        changes = settled_changes().filter(changed_at__gte=value)
        latest = changes.filter(case=OuterRef("pk")).order_by("-pk")
        # The cases come from the changes (the index on changed_at finds a
        # recent poll's few), so only they get the latest-change lookup, not
        # every case in the table.
        return queryset.filter(pk__in=changes.values("case")).annotate(
            last_change_id=Subquery(latest.values("pk")[:1])
        )


class ChangeFilter(ApiFilterSet):
    case = django_filters.CharFilter(field_name="case__reference", help_text="Case reference.")
    kind = MultipleCodesFilter(
        choices=CaseChange.Kind.choices,
        help_text="One or several kinds: repeat the parameter or separate them with commas.",
    )
    since = InstantFilter(
        label=_("Since"),
        field_name="changed_at",
        lookup_expr="gte",
        help_text="ISO 8601 instant: changes at or after it (for a first read without a cursor).",
    )

    class Meta:
        model = CaseChange
        fields = []


class FacilityFilter(ApiFilterSet):
    country = django_filters.CharFilter(method="filter_country", help_text="ISO 3166-1 alpha-2 code.")

    class Meta:
        model = Facility
        fields = ["kind"]

    def filter_country(self, queryset, name, value):
        return queryset.filter(country=value.upper())


class ArticleFilter(ApiFilterSet):
    published_on = django_filters.DateFromToRangeFilter(
        help_text="published_on_after / published_on_before (inclusive dates)."
    )

    class Meta:
        model = SourceArticle
        fields = ["outlet", "language"]


class AccountFilter(ApiFilterSet):
    # Plain ids, not model choices: "no such person" (400) against "no public
    # accounts" (empty) would tell anonymous clients which person ids exist.
    person = IdFilter(field_name="person_id", help_text="Person id.")
    article = IdFilter(field_name="article_id", help_text="Article id.")

    class Meta:
        model = Account
        fields = ["language"]
