"""StatusDocument: a case's status document, read from a database view.

The view is cases.status_view's, created after every migrate that leaves this
migration applied, and dropped before any that runs migrations (see there why
not here).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0008_public_count_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='StatusDocument',
            fields=[
                ('case', models.OneToOneField(db_column='id', on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='+', serialize=False, to='cases.case')),
                ('reference', models.CharField(max_length=20)),
                ('status', models.CharField(max_length=20)),
                ('status_since', models.DateField(null=True)),
                ('status_since_precision', models.CharField(max_length=5)),
                ('updated_at', models.DateTimeField()),
                ('is_public', models.BooleanField()),
                ('person_consents', models.BooleanField()),
                ('facility_slug', models.SlugField(max_length=200, null=True)),
                ('facility_name', models.CharField(max_length=200, null=True)),
                ('facility_city', models.CharField(max_length=100, null=True)),
                ('facility_region', models.CharField(max_length=100, null=True)),
                ('facility_country', models.CharField(max_length=2, null=True)),
                ('facility_updated_at', models.DateTimeField(null=True)),
            ],
            options={
                'managed': False,
            },
        ),
    ]
