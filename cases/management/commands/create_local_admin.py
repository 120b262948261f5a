import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "On a database with no user at all, create a local superuser 'admin' with a random "
        "password, printed once. Only with DEBUG on; does nothing otherwise."
    )

    def handle(self, *args, **options):
        User = get_user_model()
        if not settings.DEBUG:
            self.stdout.write("DEBUG is off: no local admin is created.")
            return
        if User.objects.exists():
            self.stdout.write("Users exist already: no local admin created.")
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser("admin", email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                "Created superuser 'admin' with password: "
                f"{password}\nIt is shown only this once; change it at /admin/password_change/."
            )
        )
