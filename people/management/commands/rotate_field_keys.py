from django.core.management.base import BaseCommand
from django.db import transaction

from people.fields import encrypted_field_names
from people.models import Person


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field with the first key of CASETRACKER_FIELD_KEYS. "
        "To rotate: put the new key first, keep the old one after it, run this, then drop the old key."
    )

    def handle(self, *args, **options):
        fields = encrypted_field_names(Person)
        counts = {}
        with transaction.atomic():
            # Reading decrypts with any key; writing encrypts with the first.
            # The history holds the same ciphertext and must stay readable too.
            # A rotation changes no value: plain UPDATEs, so it is neither a
            # new version nor a history entry.
            for model, pk_name in ((Person, "pk"), (Person.history.model, "history_id")):
                counts[model] = 0
                for row in model.objects.select_for_update().values(pk_name, *fields).iterator():
                    model.objects.filter(**{pk_name: row.pop(pk_name)}).update(**row)
                    counts[model] += 1
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-encrypted {', '.join(fields)} of {counts[Person]} people "
                f"and {counts[Person.history.model]} history rows."
            )
        )
