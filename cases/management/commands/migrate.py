"""Django's migrate, which puts back what migrate keeps (cases.apps.kept_by_migrate:
the consent copy's and the case tally's triggers, the status view) when a
migration fails."""

from django.core.management.commands import migrate

from cases.apps import kept_by_migrate


class Command(migrate.Command):
    def handle(self, *args, **options):
        try:
            return super().handle(*args, **options)
        except (Exception, KeyboardInterrupt):
            # pre_migrate takes them off (the triggers on SQLite, the view
            # wherever migrations run) and post_migrate puts them back; after a
            # failed migration post_migrate never comes, and a consent withdrawn
            # meanwhile would not unpublish the cases (nor a write reach the tally).
            for kept in kept_by_migrate().values():
                kept.sync(using=options["database"])
            raise
