from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from audit.history import person_history_rows
from cases.models import Account
from casetracker.admin_tools import (
    AuditedAdmin,
    HistoryInline,
    NormalizedSearchMixin,
    PrivateFieldsMixin,
    ServiceInline,
    ServiceInlinesMixin,
    VersionedModelForm,
    country_column,
)
from people.models import Alias, ConsentRecord, Person
from people.permissions import can_view_private
from people.photos import sanitize_photo
from people.services import person_erase, person_set_photo, record_consent


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


class ConsentHistoryInline(PrivateFieldsMixin, HistoryInline):
    model = ConsentRecord
    verbose_name_plural = _("consent ledger")
    private_fields = ("note",)
    fields = ["scope", "granted", "method", "note", "recorded_by", "recorded_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


class NewConsentInline(PrivateFieldsMixin, ServiceInline):
    model = ConsentRecord
    verbose_name = _("consent record")
    verbose_name_plural = _("record a grant or withdrawal of consent")
    private_fields = ("note",)
    fields = [("scope", "granted", "method"), "note"]

    def save_new(self, request, parent, cleaned_data):
        (record,) = record_consent(
            person=parent,
            scopes=[cleaned_data["scope"]],
            granted=cleaned_data["granted"],
            method=cleaned_data["method"],
            note=cleaned_data.get("note", ""),
            recorded_by=request.user,
        )
        return record


class PersonForm(VersionedModelForm):
    new_photo = forms.FileField(
        label=_("upload a photo"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 40 megapixels. Metadata (GPS, camera) is removed."),
    )

    class Meta:
        model = Person
        fields = [
            "full_name",
            "rank",
            "branch",
            "nationality",
            "public_summary",
            "date_of_birth",
            "alien_number",
            "private_notes",
        ]

    def history_rows(self):
        return person_history_rows(self.instance)

    def clean_new_photo(self):
        upload = self.cleaned_data.get("new_photo")
        # The sanitised files, or a ValidationError naming the problem.
        return sanitize_photo(upload) if upload else None


@admin.register(Person)
class PersonAdmin(ServiceInlinesMixin, PrivateFieldsMixin, NormalizedSearchMixin, AuditedAdmin):
    form = PersonForm
    private_fields = ("date_of_birth", "alien_number", "private_notes")
    list_display = [
        "full_name",
        "rank",
        "branch",
        country_column(Person, "nationality"),
        "consent_to_publish",
        "updated_at",
    ]
    list_filter = ["branch", "consent_to_publish", "nationality"]
    search_fields = ["full_name"]  # shows the box; the search itself is NormalizedSearchMixin's
    inlines = [AliasInline, ConsentHistoryInline, NewConsentInline, AccountInline]
    readonly_fields = [
        "photo_preview",
        "consent_to_publish",
        "photo_consent",
        "summary_consent",
        "accounts_consent",
        "consent_recorded_on",
        "erased_at",
    ]
    actions = ["erase"]
    fieldsets = [
        (None, {"fields": ["full_name", "rank", "branch", "nationality", "public_summary"]}),
        (_("Photo"), {"fields": ["photo_preview", "new_photo"]}),
        (
            _("Consent (from the ledger below)"),
            {
                "fields": [
                    ("consent_to_publish", "photo_consent", "summary_consent", "accounts_consent"),
                    "consent_recorded_on",
                ]
            },
        ),
        (_("Private"), {"fields": ["date_of_birth", "alien_number", "private_notes", "erased_at"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if can_view_private(request.user):
            return fieldsets
        return [(name, opts) for name, opts in fieldsets if name != _("Private")]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    @admin.display(description=_("photo"))
    def photo_preview(self, person):
        if not person.photo_thumbnail:
            return "—"
        return format_html('<img src="{}" alt="" style="max-height: 160px">', person.photo_thumbnail.url)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.cleaned_data.get("new_photo"):
            person_set_photo(person=obj, photo_files=form.cleaned_data["new_photo"])

    @admin.action(description=_("Erase selected people (irreversible)"), permissions=["erase"])
    def erase(self, request, queryset):
        if request.POST.get("confirmed") != "yes":
            return TemplateResponse(
                request,
                "admin/people/person/erase_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Erase people"),
                    "people": queryset,
                    "opts": self.model._meta,
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        people = list(queryset)
        for person in people:
            person_erase(person=person)
        self.message_user(
            request,
            ngettext("%(count)d person erased.", "%(count)d people erased.", len(people))
            % {"count": len(people)},
            messages.SUCCESS,
        )
        return None

    def has_erase_permission(self, request):
        return request.user.has_perm("people.erase_person")

    def get_urls(self):
        # Before the inherited "<object_id>/" catch-all.
        erase = self.admin_site.admin_view(self.erase_view)
        return [path("<path:object_id>/erase/", erase, name="people_person_erase"), *super().get_urls()]

    def erase_view(self, request, object_id):
        """The erase action for the one person of a change page: the same
        confirmation page, then back to that person."""
        if not self.has_erase_permission(request):
            raise PermissionDenied
        people = self.get_queryset(request).filter(pk=unquote(object_id))
        if not people.exists():
            raise Http404
        return self.erase(request, people) or redirect(
            reverse("admin:people_person_change", args=[object_id], current_app=self.admin_site.name)
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_erase": self.has_erase_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)
