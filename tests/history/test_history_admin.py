"""History in the admin: reasons, readable diffs, restore, access records."""

import datetime
import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessRecord
from cases.models import Case, Facility
from people.models import Person
from tests.admin_helpers import admin_form_data
from tests.conftest import make_case, make_facility, make_person

CANARY = "HISTORY-CANARY"


def url(obj, action, *args):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_{action}", args=[obj.pk, *args])


@pytest.fixture
def case(db):
    return make_case(summary="Held since April.", private_notes=f"{CANARY} old notes")


def test_admin_change_records_who_and_the_reason(client, advocate, case):
    client.force_login(advocate)
    form = client.get(url(case, "change"))
    data = admin_form_data(form, summary="Moved to Winn.", change_reason="Lawyer called")
    assert client.post(url(case, "change"), data).status_code == 302

    latest = Case.history.filter(id=case.pk).latest()
    assert (latest.history_user, latest.history_change_reason, latest.summary) == (
        advocate,
        "Lawyer called",
        "Moved to Winn.",
    )


def test_admin_history_page_shows_field_diffs_private_ones_only_to_advocates(client, advocate, reader, case):
    client.force_login(advocate)
    form = client.get(url(case, "change"))
    data = admin_form_data(form, summary="Moved to Winn.", private_notes=f"{CANARY} new notes")
    assert client.post(url(case, "change"), data).status_code == 302

    page = client.get(url(case, "history")).text
    assert "Held since April." in page
    assert "Moved to Winn." in page
    assert f"{CANARY} new notes" in page

    client.force_login(reader)
    page = client.get(url(case, "history")).text
    assert "Moved to Winn." in page
    assert CANARY not in page


def test_restoring_an_earlier_version_is_itself_a_recorded_change(client, advocate, case):
    client.force_login(advocate)
    original = Case.history.filter(id=case.pk).earliest()
    form = client.get(url(case, "change"))
    assert client.post(url(case, "change"), admin_form_data(form, summary="Wrong.")).status_code == 302

    restore_form = client.get(url(case, "simple_history", original.history_id))
    assert restore_form.status_code == 200
    response = client.post(url(case, "simple_history", original.history_id), admin_form_data(restore_form))

    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).summary == "Held since April."
    latest = Case.history.filter(id=case.pk).latest()
    assert latest.history_change_reason == f"Restored the version of history entry {original.history_id}"
    assert (latest.history_user, latest.summary) == (advocate, "Held since April.")
    assert Case.history.filter(id=case.pk).count() == 3


def test_bulk_publish_action_leaves_history(client, advocate, db):
    case = make_case(is_public=False)
    client.force_login(advocate)
    client.post(
        reverse("admin:cases_case_changelist"), {"action": "make_public", "_selected_action": [case.pk]}
    )
    latest = Case.history.filter(id=case.pk).latest()
    assert (latest.is_public, latest.history_user) == (True, advocate)


def test_facility_and_article_changes_are_recorded(client, advocate, db):
    facility = make_facility(name="Winn")
    client.force_login(advocate)
    form = client.get(url(facility, "change"))
    client.post(url(facility, "change"), admin_form_data(form, operator="GEO Group", change_reason="Report"))
    latest = Facility.history.filter(id=facility.pk).latest()
    assert (latest.operator, latest.history_change_reason) == ("GEO Group", "Report")


def test_private_reads_in_the_admin_leave_access_records(client, advocate, reader, case):
    client.force_login(reader)
    client.get(url(case.person, "change"))
    assert not AccessRecord.objects.exists()

    client.force_login(advocate)
    client.get(url(case.person, "change"))
    client.get(url(case, "change"))
    client.get(url(case, "history"))
    records = list(AccessRecord.objects.order_by("pk").values_list("username", "model", "object_id", "via"))
    assert records == [
        ("advocate", "people.person", case.person_id, f"admin GET {url(case.person, 'change')}"),
        ("advocate", "cases.case", case.pk, f"admin GET {url(case, 'change')}"),
        ("advocate", "cases.case", case.pk, f"admin GET {url(case, 'history')}"),
    ]
    assert "alien_number" in AccessRecord.objects.get(model="people.person").fields
    assert (
        "statusupdate.internal_note"
        in AccessRecord.objects.get(via__endswith="/change/", model="cases.case").fields
    )


def test_access_records_outlive_the_account_that_made_them(client, advocate, case):
    client.force_login(advocate)
    client.get(url(case, "change"))
    advocate.delete()
    # Emptied by Django (the column has no database constraint), named still.
    assert list(AccessRecord.objects.values_list("user_id", "username", "object_id")) == [
        (None, "advocate", case.pk)
    ]


def test_access_records_are_for_superusers_only_and_never_edited(client, advocate, admin_user, case):
    client.force_login(advocate)
    client.get(url(case, "change"))
    record = AccessRecord.objects.get()
    assert client.get(reverse("admin:audit_accessrecord_changelist")).status_code == 403

    client.force_login(admin_user)
    assert client.get(reverse("admin:audit_accessrecord_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_accessrecord_add")).status_code == 403
    change = client.get(url(record, "change"))
    assert change.status_code == 200
    assert "_save" not in change.text
    assert client.post(url(record, "delete"), {"post": "yes"}).status_code == 302
    assert not AccessRecord.objects.filter(pk=record.pk).exists()


def test_api_responses_with_private_fields_leave_one_record_per_object(advocate_client, reader_client, db):
    people = [make_person(alien_number=f"A-{n}") for n in range(3)]
    reader_client.get("/api/v1/people/")
    assert not AccessRecord.objects.exists()
    advocate_client.get("/api/v1/people/?q=person")
    advocate_client.get(f"/api/v1/people/{people[0].pk}/")
    rows = list(AccessRecord.objects.values_list("model", "object_id", "via"))
    assert sorted(rows) == sorted(
        [("people.person", person.pk, "API GET /api/v1/people/") for person in people]
        + [("people.person", people[0].pk, f"API GET /api/v1/people/{people[0].pk}/")]
    )


def test_an_advocates_case_list_records_every_case_shown_in_one_insert(advocate_client, advocate, db):
    cases = sorted((make_case(private_notes=f"{CANARY} {n}") for n in range(3)), key=lambda case: case.pk)
    before = timezone.now()
    with CaptureQueriesContext(connection) as captured:
        assert advocate_client.get("/api/v1/cases/").status_code == 200
    inserts = [
        query["sql"] for query in captured if query["sql"].startswith('INSERT INTO "audit_accessrecord"')
    ]
    assert len(inserts) == 1
    records = list(AccessRecord.objects.order_by("object_id"))
    assert [(r.user, r.username, r.model, r.object_id, r.fields, r.via) for r in records] == [
        (advocate, "advocate", "cases.case", case.pk, "private_notes", "API GET /api/v1/cases/")
        for case in cases
    ]
    assert all(before <= record.accessed_at <= timezone.now() for record in records)


def raw_history_identifiers(person):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT alien_number, date_of_birth FROM people_historicalperson WHERE id = %s", [person.pk]
        )
        return cursor.fetchall()


def test_encrypted_fields_stay_ciphertext_in_the_history(db, settings):
    person = make_person(alien_number="A-123-456-789", date_of_birth=datetime.date(1981, 2, 3))
    person.alien_number = "A-987-654-321"
    person.save()
    rows = raw_history_identifiers(person)

    assert len(rows) == 2
    for alien_number, date_of_birth in rows:
        assert alien_number.startswith("gAAAA")
        assert date_of_birth.startswith("gAAAA")
        # Whole values: a short piece of one turns up in random ciphertext now and then.
        assert "A-123-456-789" not in alien_number
        assert "A-987-654-321" not in alien_number
        assert "1981-02-03" not in date_of_birth
    assert [r.alien_number for r in Person.history.filter(id=person.pk).order_by("history_id")] == [
        "A-123-456-789",
        "A-987-654-321",
    ]

    # Key rotation re-encrypts the history too, without adding to it.
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old_key]
    call_command("rotate_field_keys", stdout=io.StringIO())
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]
    assert [r.alien_number for r in Person.history.filter(id=person.pk).order_by("history_id")] == [
        "A-123-456-789",
        "A-987-654-321",
    ]
    assert Person.objects.get(pk=person.pk).version == person.version
