from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


def kept_by_migrate():
    """The database objects migrate keeps rather than one migration: the
    consent copy's and the case tally's triggers, and the status documents'
    view, by name. Each is taken off before migrating where it would stop a
    migration, and put back after."""
    from cases import case_tally, consent_copy, status_view

    return {"consent_copy": consent_copy.KEPT, "case_tally": case_tally.KEPT, "status_view": status_view}


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self):
        for name, kept in kept_by_migrate().items():
            pre_migrate.connect(kept.remove_before_migrating, sender=self, dispatch_uid=f"cases.{name}")
            post_migrate.connect(kept.sync, sender=self, dispatch_uid=f"cases.{name}")
