"""CaseTally: the number of cases per combination of the publication rule's columns.

The triggers that keep it, and its count, are cases.case_tally's, installed
after every migrate (see there why not here). Going back past this migration
removes them first: they write to its table.
"""

from django.db import migrations, models


def remove_triggers(apps, schema_editor):
    from cases import case_tally

    case_tally.remove(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0009_status_document'),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, remove_triggers),
        migrations.CreateModel(
            name='CaseTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('is_public', models.BooleanField()),
                ('has_person', models.BooleanField()),
                ('person', models.GeneratedField(db_persist=True, expression=models.Case(models.When(has_person=True, then=models.Value(True))), output_field=models.BooleanField(null=True))),
                ('person_consents', models.BooleanField()),
                ('n', models.BigIntegerField()),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('is_public', 'has_person', 'person_consents'), name='cases_casetally_unique')],
            },
        ),
    ]
