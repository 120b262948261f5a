from django.db import migrations

GROUPS = ["Advocates", "Readers"]


def create_groups(apps, schema_editor):
    # Permissions are attached after every migrate by
    # people.permissions.sync_group_permissions (post_migrate).
    Group = apps.get_model("auth", "Group")
    for name in GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
