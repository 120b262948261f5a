from django.core.management.base import BaseCommand
from django.db import transaction

from people.fields import EncryptedMixin
from people.models import Person


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field with the first key of CASETRACKER_FIELD_KEYS. "
        "To rotate: put the new key first, keep the old one after it, run this, then drop the old key."
    )

    def handle(self, *args, **options):
        fields = [field.name for field in Person._meta.concrete_fields if isinstance(field, EncryptedMixin)]
        count = 0
        with transaction.atomic():
            # Reading decrypts with any key; saving encrypts with the first.
            for person in Person.objects.select_for_update().only("pk", *fields).iterator():
                person.save(update_fields=fields)
                count += 1
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {', '.join(fields)} of {count} people."))
