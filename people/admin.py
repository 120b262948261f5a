from django.contrib import admin

from cases.models import Account
from people.models import Alias, Person
from people.permissions import can_view_private


class PrivateFieldsMixin:
    """Hide `private_fields` from users who may not see them (Readers).

    Works for ModelAdmin and inlines alike; the permission check lives in
    people.permissions.
    """

    private_fields = ()

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or ())
        if not can_view_private(request.user):
            exclude += self.private_fields
        return exclude

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if can_view_private(request.user):
            return fields
        return [field for field in fields if field not in self.private_fields]


class NormalizedSearchMixin:
    """Admin search (and autocomplete) through the model's QuerySet.search(),
    which is accent- and case-insensitive on every database."""

    def get_search_results(self, request, queryset, search_term):
        return queryset.search(search_term), False


class AliasInline(admin.TabularInline):
    model = Alias
    extra = 1
    fields = ["name"]


class AccountInline(admin.StackedInline):
    model = Account
    extra = 0
    autocomplete_fields = ["article"]
    fields = [
        ("article", "language"),
        "quote",
        ("said_on", "said_on_precision"),
        ("is_disputed", "dispute_note"),
    ]


@admin.register(Person)
class PersonAdmin(PrivateFieldsMixin, NormalizedSearchMixin, admin.ModelAdmin):
    private_fields = ("date_of_birth", "alien_number", "private_notes")
    list_display = ["full_name", "rank", "branch", "nationality", "consent_to_publish", "updated_at"]
    list_filter = ["branch", "consent_to_publish", "nationality"]
    search_fields = ["full_name"]  # shows the box; the search itself is NormalizedSearchMixin's
    inlines = [AliasInline, AccountInline]
    fieldsets = [
        (None, {"fields": ["full_name", "rank", "branch", "nationality", "photo", "public_summary"]}),
        ("Consent", {"fields": ["consent_to_publish", "consent_recorded_on"]}),
        ("Private", {"fields": ["date_of_birth", "alien_number", "private_notes"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        if can_view_private(request.user):
            return self.fieldsets
        return [(name, opts) for name, opts in self.fieldsets if name != "Private"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)
