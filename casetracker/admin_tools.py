"""Admin building blocks shared by the people and cases apps."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from audit.history import history_entries
from audit.services import record_access
from people.permissions import can_view_private


def country_column(model, field_name):
    """A changelist column for a CountryField: the country's name, read from
    the value itself. Django's admin finds a value's label in the field's
    flattened choices, which it rebuilds for every cell: every country, for
    each of a page's 100 rows (half of the people list's time)."""
    field = model._meta.get_field(field_name)

    @admin.display(description=field.verbose_name, ordering=field_name)
    def column(obj):
        return getattr(obj, field_name).name

    column.__name__ = field_name  # the cells' class, field-<name>, as before
    return column


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


class HistoryInline(admin.TabularInline):
    """Existing rows of an append-only model: shown, never edited here except
    for `editable_fields`."""

    editable_fields = ()
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field for field in self.get_fields(request, obj) if field not in self.editable_fields]


class ServiceInline(admin.StackedInline):
    """A form for appending rows of an append-only model. Each filled-in form
    goes to `save_new(request, parent, cleaned_data)`, which calls the service
    that keeps derived state (Case.status, consent flags) right."""

    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.service_inline = self
        return formset

    def save_new(self, request, parent, cleaned_data):
        raise NotImplementedError


class ServiceInlinesMixin:
    """ModelAdmin side of ServiceInline and HistoryInline."""

    def save_formset(self, request, form, formset, change):
        inline = getattr(formset, "service_inline", None)
        if inline is None:
            return super().save_formset(request, form, formset, change)
        # The *_objects lists feed the admin's own change message.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for entry_form in formset.forms:
            if entry_form.has_changed():
                formset.new_objects.append(inline.save_new(request, form.instance, entry_form.cleaned_data))
        return None


class AuditedModelForm(forms.ModelForm):
    """An admin form whose save is recorded with an optional reason."""

    change_reason = forms.CharField(
        label=_("reason for this change"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"size": 80}),
        help_text=_("Optional. Kept in the history with your change."),
    )


class VersionedModelForm(AuditedModelForm):
    """Refuses a save when someone else saved the object (or its inline rows)
    after this form was opened, lists their changes and keeps the input."""

    # The version the form was filled in from (not "version": that is the
    # model's own, non-editable field).
    based_on_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    opened_at = forms.DateTimeField(widget=forms.HiddenInput, required=False)

    # Set by AuditedAdmin.get_form: whose eyes the list of changes is for.
    request = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            # Read from the row, not the instance: a restore form's instance
            # is an old version.
            self.initial["based_on_version"] = self._current_version()
            self.initial["opened_at"] = timezone.now()

    def _current_version(self, lock=False):
        rows = type(self.instance)._base_manager.filter(pk=self.instance.pk)
        return (rows.select_for_update() if lock else rows).values_list("version", flat=True).first()

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is None or self.instance._state.adding:
            return cleaned_data
        # Locked until the admin's transaction ends: nobody can save in between.
        current = self._current_version(lock=True)
        if current is None:
            raise ValidationError(_("This object was deleted by someone else."))
        if cleaned_data.get("based_on_version") != current:
            changes = self.changes_since(cleaned_data.get("opened_at"))
            # The form comes back with the input kept, now based on the current version:
            # saving it again is a deliberate overwrite.
            self.data = self.data.copy()
            self.data[self.add_prefix("based_on_version")] = current
            self.data[self.add_prefix("opened_at")] = timezone.now().isoformat()
            raise ValidationError(
                [
                    _(
                        "Someone else saved this %(object)s after you opened it, so your changes "
                        "were not saved. Their changes are listed below; your input is kept. "
                        "Save again to replace their values with yours."
                    )
                    % {"object": self.instance._meta.verbose_name},
                    *changes,
                ]
            )
        self.instance.version = current
        return cleaned_data

    def changes_since(self, opened_at):
        entries = history_entries(self.history_rows(), user=self.request.user, since=opened_at)
        return [describe_entry(entry) for entry in reversed(entries)]

    def history_rows(self):
        raise NotImplementedError


def describe_entry(entry):
    """One history entry as a line of text for the admin."""
    who = entry.get("who") or _("someone")
    changes = "; ".join(
        f"{change['field']}: {change['old']!r} → {change['new']!r}" for change in entry["changes"]
    )
    text = f"{entry['at']:%Y-%m-%d %H:%M:%S} {who}: {entry['object'].replace('_', ' ')} {entry['object_id']} "
    text += f"{entry['action']}" + (f" ({changes})" if changes else "")
    return text + (f" — {entry['reason']}" if entry["reason"] else "")


class AuditedAdmin(SimpleHistoryAdmin):
    """History with field-level diffs (private fields only for those who may
    see them), restore, a reason for each change, and an access record for
    every page that shows private fields."""

    form = AuditedModelForm
    private_fields = ()

    def get_fieldsets(self, request, obj=None):
        extra = [
            name
            for name in ("change_reason", "based_on_version", "opened_at")
            if name in self.form.base_fields
        ]
        return [*super().get_fieldsets(request, obj), (None, {"fields": extra})]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.request = request
        return form

    def save_model(self, request, obj, form, change):
        request.change_reason = form.cleaned_data.get("change_reason") or getattr(
            request, "change_reason", None
        )
        super().save_model(request, obj, form, change)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        hidden = () if can_view_private(request.user) else self.private_fields
        previous = None
        for current in historical_records:
            if previous is not None:
                delta = previous.diff_against(
                    current, excluded_fields=hidden, foreign_keys_are_objs=foreign_keys_are_objs
                )
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # The stale-form check locks the row: it needs a transaction, which
        # simple-history's view does not open.
        request.change_reason = _("Restored the version of history entry %(id)s") % {"id": version_id}
        with transaction.atomic(using=router.db_for_write(self.model)):
            return self._record_private_read(
                request, object_id, super().history_form_view(request, object_id, version_id, extra_context)
            )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        return self._record_private_read(request, object_id, response)

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        return self._record_private_read(request, object_id, response)

    def private_read_fields(self):
        """The private fields the change page shows, its inlines' included."""
        inline_fields = (
            f"{inline.model._meta.model_name}.{name}"
            for inline in self.inlines
            for name in getattr(inline, "private_fields", ())
        )
        return [*self.private_fields, *inline_fields]

    def _record_private_read(self, request, object_id, response):
        fields = self.private_read_fields()
        if fields and response.status_code == 200 and can_view_private(request.user):
            record_access(
                user=request.user,
                targets=[(self.model, unquote(object_id))],
                fields=fields,
                via=f"admin {request.method} {request.path}",
            )
        return response
