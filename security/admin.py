from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from security.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Superusers only (no group holds these permissions): see who holds which
    token and revoke it. Keys are never shown; a token is made through the API."""

    list_display = ["user", "name", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "expires_at"]
    search_fields = ["user__username", "name"]
    list_select_related = ["user", "revoked_by"]
    readonly_fields = ["user", "name", "created_at", "expires_at", "last_used_at", "revoked_at", "revoked_by"]
    fields = readonly_fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Revoke selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            token.revoke(by=request.user)
        self.message_user(
            request, _("Revoked %(count)d token(s).") % {"count": len(tokens)}, messages.SUCCESS
        )
