from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Prefetch
from django.forms import Textarea
from django.http import Http404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from audit.history import case_history_rows
from cases.models import Case, CaseChange, Custody, Facility, LegalEvent, SourceArticle, StatusUpdate
from cases.services import case_record_change, record_status_update
from cases.views import case_preview
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

DISPUTE_FIELDS = ("is_disputed", "dispute_note")


class CompactTextMixin:
    """Tabular rows stay one screen line high: notes get small text areas."""

    formfield_overrides = {models.TextField: {"widget": Textarea(attrs={"rows": 2, "cols": 28})}}


class StatusHistoryInline(CompactTextMixin, PrivateFieldsMixin, HistoryInline):
    """The recorded history: append-only; only the dispute marking changes here."""

    model = StatusUpdate
    verbose_name_plural = _("status history")
    private_fields = ("internal_note",)
    fields = [
        "status",
        "effective_on",
        "effective_on_precision",
        "note",
        "internal_note",
        "sources",
        *DISPUTE_FIELDS,
        "recorded_by",
        "recorded_at",
    ]
    editable_fields = DISPUTE_FIELDS

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by").prefetch_related("sources")


class NewStatusUpdateInline(PrivateFieldsMixin, ServiceInline):
    model = StatusUpdate
    verbose_name = _("new status update")
    verbose_name_plural = _("record a status change")
    private_fields = ("internal_note",)
    fields = [
        ("status", "effective_on", "effective_on_precision"),
        "note",
        "internal_note",
        "sources",
        DISPUTE_FIELDS,
    ]
    autocomplete_fields = ["sources"]

    def save_new(self, request, parent, cleaned_data):
        return record_status_update(
            case=parent,
            status=cleaned_data["status"],
            effective_on=cleaned_data["effective_on"],
            effective_on_precision=cleaned_data["effective_on_precision"],
            note=cleaned_data.get("note", ""),
            internal_note=cleaned_data.get("internal_note", ""),
            sources=cleaned_data.get("sources", ()),
            recorded_by=request.user,
            is_disputed=cleaned_data.get("is_disputed", False),
            dispute_note=cleaned_data.get("dispute_note", ""),
        )


class CustodyInline(CompactTextMixin, admin.TabularInline):
    model = Custody
    fields = [
        "facility",
        "started_on",
        "started_on_precision",
        "ended_on",
        "ended_on_precision",
        "note",
        "sources",
        *DISPUTE_FIELDS,
    ]
    autocomplete_fields = ["facility", "sources"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("facility").prefetch_related("sources")


class LegalEventInline(CompactTextMixin, admin.TabularInline):
    model = LegalEvent
    fields = ["kind", "occurred_on", "occurred_on_precision", "outcome", "note", "sources", *DISPUTE_FIELDS]
    autocomplete_fields = ["sources"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("sources")


INLINE_CHANGE_KINDS = {
    CustodyInline: CaseChange.Kind.CUSTODY,
    LegalEventInline: CaseChange.Kind.LEGAL_EVENT,
}


class CaseForm(VersionedModelForm):
    def history_rows(self):
        return case_history_rows(self.instance)


class FacilityListFilter(admin.SimpleListFilter):
    """Cases held at a facility, at any time. Its choices appear once a
    country is chosen: a list of every facility grows with the data (thousands
    of links in the sidebar), those of one country stay short."""

    title = _("facility")
    parameter_name = "facility"
    country_parameter = "custodies__facility__country"

    def lookups(self, request, model_admin):
        facilities = Facility.objects.order_by("name")
        if country := request.GET.get(self.country_parameter):
            return facilities.filter(country=country).values_list("slug", "name")
        # Followed from a link without the country: still shown, so it can be cleared.
        return facilities.filter(slug=self.value()).values_list("slug", "name") if self.value() else []

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(pk__in=Custody.objects.filter(facility__slug=self.value()).values("case"))


@admin.register(Case)
class CaseAdmin(ServiceInlinesMixin, PrivateFieldsMixin, NormalizedSearchMixin, AuditedAdmin):
    form = CaseForm
    private_fields = ("private_notes",)
    list_display = [
        "reference",
        "subject",
        "status",
        "status_since",
        "current_facility",
        "is_public",
        "updated_at",
    ]
    list_filter = ["status", FacilityListFilter.country_parameter, FacilityListFilter, "is_public"]
    # "N of M" would count every case again whenever a filter is on.
    show_full_result_count = False
    search_fields = ["reference"]  # shows the box; the search itself is NormalizedSearchMixin's
    date_hierarchy = "opened_on"
    autocomplete_fields = ["person"]
    readonly_fields = ["reference", "status", "status_since_display", "created_at", "updated_at"]
    fields = [
        ("reference", "status", "status_since_display"),
        ("person", "group_name"),
        "summary",
        "private_notes",
        ("is_public", "opened_on", "closed_on"),
        ("created_at", "updated_at"),
    ]
    inlines = [StatusHistoryInline, NewStatusUpdateInline, CustodyInline, LegalEventInline]
    actions = ["make_public", "make_private"]

    def get_queryset(self, request):
        custodies = Custody.objects.select_related("facility")
        return (
            super()
            .get_queryset(request)
            .visible_to(request.user)
            .with_person("person")
            .prefetch_related(Prefetch("custodies", queryset=custodies))
        )

    def get_urls(self):
        # Before the inherited "<object_id>/" catch-all.
        preview = self.admin_site.admin_view(self.preview_view)
        return [path("<path:object_id>/preview/", preview, name="cases_case_preview"), *super().get_urls()]

    def preview_view(self, request, object_id):
        """The "preview as public" page: the public page as it would look once published."""
        case = self.get_object(request, unquote(object_id))
        if case is None:
            raise Http404
        if not self.has_view_permission(request, case):
            raise PermissionDenied
        back_url = reverse("admin:cases_case_change", args=[case.pk], current_app=self.admin_site.name)
        return case_preview(request, case, back_url=back_url)

    @admin.display(description=_("person or group"), ordering="person__full_name")
    def subject(self, case):
        return case.subject_name

    @admin.display(description=_("current facility"))
    def current_facility(self, case):
        custody = case.current_custody
        return custody.facility.name if custody else "—"

    @admin.display(description=_("status since"))
    def status_since_display(self, case):
        return case.status_since_display or "—"

    def save_model(self, request, obj, form, change):
        adding = obj._state.adding
        super().save_model(request, obj, form, change)
        if adding or form.changed_data:
            kind = CaseChange.Kind.CREATED if adding else CaseChange.Kind.FIELDS
            case_record_change(case=obj, kind=kind)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        inline_kind = next(
            (kind for inline, kind in INLINE_CHANGE_KINDS.items() if formset.model is inline.model), None
        )
        if inline_kind and formset.has_changed():
            case_record_change(case=form.instance, kind=inline_kind)

    @admin.action(description=_("Make selected cases public"), permissions=["change"])
    def make_public(self, request, queryset):
        self._set_public(request, queryset, True)

    @admin.action(description=_("Make selected cases private"), permissions=["change"])
    def make_private(self, request, queryset):
        self._set_public(request, queryset, False)

    @transaction.atomic
    def _set_public(self, request, queryset, is_public):
        # Each case is locked before the first save, in one order: a save that
        # publishes or unpublishes also takes a row of the case tally
        # (cases.case_tally), and someone saving a case still to come here,
        # then wanting that row, would otherwise deadlock with this loop.
        cases = list(
            Case.objects.filter(pk__in=queryset.exclude(is_public=is_public).values("pk"))
            .select_related("person")
            .order_by("pk")
            .select_for_update(of=("self",))
        )
        # One save per case, not one UPDATE: each change gets its history entry and new version.
        for case in cases:
            case.is_public = is_public
            case.save(update_fields=["is_public", "updated_at"])
        CaseChange.objects.bulk_create(CaseChange(case=case, kind=CaseChange.Kind.FIELDS) for case in cases)
        unconsented = sum(
            1 for case in cases if is_public and case.person and not case.person.consent_to_publish
        )
        self.message_user(
            request,
            ngettext("%(count)d case updated.", "%(count)d cases updated.", len(cases))
            % {"count": len(cases)},
            messages.SUCCESS,
        )
        if unconsented:
            self.message_user(
                request,
                ngettext(
                    "%(count)d of them stays off public pages until its person consents.",
                    "%(count)d of them stay off public pages until their people consent.",
                    unconsented,
                )
                % {"count": unconsented},
                messages.WARNING,
            )


@admin.register(Facility)
class FacilityAdmin(AuditedAdmin):
    list_display = ["name", "kind", "authority", "city", "region", country_column(Facility, "country")]
    list_filter = ["kind", "country"]
    search_fields = ["name", "city", "region", "authority", "operator"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(SourceArticle)
class SourceArticleAdmin(AuditedAdmin):
    list_display = ["title", "outlet", "author", "published_display", "language"]
    list_filter = ["outlet", "language"]
    search_fields = ["title", "outlet", "author", "url"]
    date_hierarchy = "published_on"
    autocomplete_fields = ["related_article"]

    @admin.display(description=_("published"), ordering="published_on")
    def published_display(self, article):
        return article.published_display
