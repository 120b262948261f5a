from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "security"
    verbose_name = _("Security")

    def ready(self):
        # Registers the schema extensions with drf-spectacular.
        from security import schema  # noqa: F401


class SecurityAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the site that knows about two-factor login."""

    default = False
    default_site = "security.admin_site.AdminSite"
