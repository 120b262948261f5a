"""Django's migrate, which leaves the consent copy's triggers on when a
migration fails (cases.consent_copy)."""

from django.core.management.commands import migrate

from cases import consent_copy


class Command(migrate.Command):
    def handle(self, *args, **options):
        try:
            return super().handle(*args, **options)
        except (Exception, KeyboardInterrupt):
            # On SQLite pre_migrate takes the triggers off and post_migrate puts
            # them back; after a failed migration post_migrate never comes, and
            # a consent withdrawn meanwhile would not unpublish the cases.
            consent_copy.sync(using=options["database"])
            raise
