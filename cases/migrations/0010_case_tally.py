"""CaseTally: the number of cases per combination of the publication rule's columns.

The triggers that keep it are cases.case_tally's, installed after every
migrate (see there why not here), which counts the cases again. The migration
counts them too: until that migrate ends, counts read a tally that misses only
the cases written meanwhile, not every case. Going back past it removes the
triggers first: they write to its table.
"""

from django.db import migrations, models


def count_cases(apps, schema_editor):
    from cases import case_tally

    case_tally.KEPT.correct_now(schema_editor.connection)


def remove_triggers(apps, schema_editor):
    from cases import case_tally

    case_tally.KEPT.remove(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0009_status_document'),
    ]

    operations = [
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
        # Reversed first: the triggers go before the table they write to.
        migrations.RunPython(count_cases, remove_triggers),
    ]
