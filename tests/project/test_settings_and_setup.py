import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

BASE_DIR = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_mode_refuses_to_start_without_secret_key_and_hosts():
    result = run_manage("check", DJANGO_DEBUG="False")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, CASETRACKER_FIELD_KEYS is not set" in result.stderr


def test_production_mode_starts_with_secret_key_and_hosts():
    result = run_manage(
        "diffsettings",
        DJANGO_DEBUG="False",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="cases.example.org",
        CASETRACKER_FIELD_KEYS="5IbjwORX5v6fpq5nUTTOMJhfuVGWbGDTMaoKWKKw2yU=",
    )
    assert result.returncode == 0, result.stderr
    assert "ALLOWED_HOSTS = ['cases.example.org']" in result.stdout


@pytest.mark.django_db
def test_create_local_admin_only_on_empty_database(settings, django_user_model):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("create_local_admin", stdout=out)
    admin = django_user_model.objects.get()
    assert (admin.username, admin.is_superuser) == ("admin", True)
    password = out.getvalue().split("password: ")[1].split()[0]
    assert admin.check_password(password)
    again = io.StringIO()
    call_command("create_local_admin", stdout=again)
    assert django_user_model.objects.count() == 1
    assert "password" not in again.getvalue()


@pytest.mark.django_db
def test_create_local_admin_never_with_debug_off(settings, django_user_model):
    settings.DEBUG = False
    call_command("create_local_admin", stdout=io.StringIO())
    assert not django_user_model.objects.exists()


@pytest.mark.django_db
def test_groups_exist_with_expected_permissions():
    from django.contrib.auth.models import Group

    advocates = set(Group.objects.get(name="Advocates").permissions.values_list("codename", flat=True))
    readers = set(Group.objects.get(name="Readers").permissions.values_list("codename", flat=True))
    assert {"add_case", "change_case", "view_case", "view_private_fields", "change_person"} <= advocates
    assert not {codename for codename in advocates if codename.startswith("delete_")}
    assert readers == {codename for codename in readers if codename.startswith("view_")}
    assert "view_private_fields" not in readers
    assert "view_case" in readers
