from django.contrib import admin

from audit.models import AccessRecord


@admin.register(AccessRecord)
class AccessRecordAdmin(admin.ModelAdmin):
    """Superusers only: a record of who read whose private data is itself
    sensitive. Nobody adds or edits one here; superusers may delete."""

    list_display = ["accessed_at", "username", "model", "object_id", "fields", "via"]
    list_filter = ["model"]
    search_fields = ["username", "via"]
    date_hierarchy = "accessed_at"

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)
