from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = _("People")

    def ready(self):
        from people.permissions import sync_group_permissions

        # Sent once per app; by the "cases" signal both apps' permissions exist.
        post_migrate.connect(sync_group_permissions, sender=self.apps.get_app_config("cases"))
