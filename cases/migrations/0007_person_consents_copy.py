"""Case.person_consents: the person's consent_to_publish, copied by the database.

The triggers that keep it, and the fill of the copy, are cases.consent_copy's,
installed after every migrate (see there why not here). Going back past this
migration removes them first: PostgreSQL refuses to drop a column a trigger
names.
"""

from django.db import migrations, models


def remove_triggers(apps, schema_editor):
    from cases import consent_copy

    consent_copy.KEPT.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_status_update_order_indexes"),
        ("people", "0002_history_and_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="person_consents",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(migrations.RunPython.noop, remove_triggers),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(
                    ("is_public", True),
                    models.Q(("person__isnull", True), ("person_consents", True), _connector="OR"),
                ),
                fields=["-opened_on", "reference"],
                name="cases_case_public_idx",
            ),
        ),
    ]
