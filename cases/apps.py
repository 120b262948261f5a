from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self):
        from cases import consent_copy

        # The triggers that keep Case.person_consents belong to migrate.
        pre_migrate.connect(
            consent_copy.remove_before_migrating, sender=self, dispatch_uid="cases.consent_copy"
        )
        post_migrate.connect(consent_copy.sync, sender=self, dispatch_uid="cases.consent_copy")
