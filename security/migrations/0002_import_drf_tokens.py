"""Moves keys from rest_framework.authtoken's table (which kept them in plain
text) into ApiToken as hashes, then empties that table. Clients keep working;
the plain keys are gone from the database."""

import datetime
import hashlib

from django.conf import settings
from django.db import migrations
from django.utils import timezone

DRF_TOKEN_TABLE = "authtoken_token"


def import_drf_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if DRF_TOKEN_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("security", "ApiToken")
    ttl_days = settings.API_TOKEN_TTL_DAYS
    expires_at = timezone.now() + datetime.timedelta(days=ttl_days) if ttl_days else None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id FROM {DRF_TOKEN_TABLE}")
        ApiToken.objects.bulk_create(
            ApiToken(
                user_id=user_id,
                name="Made before tokens were hashed",
                key_hash=hashlib.sha256(key.encode()).hexdigest(),
                expires_at=expires_at,
            )
            for key, user_id in cursor.fetchall()
        )
        cursor.execute(f"DELETE FROM {DRF_TOKEN_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("security", "0001_initial")]

    operations = [migrations.RunPython(import_drf_tokens, migrations.RunPython.noop)]
