"""Admin building blocks shared by the people and cases apps."""

from django.contrib import admin

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
