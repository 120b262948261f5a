import datetime
from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.db import connection
from django.urls import reverse

from audit.models import AccessRecord
from cases.models import Account, Custody, LegalEvent
from cases.services import record_status_update
from people.models import Person
from people.photos import sanitize_photo
from people.services import person_set_photo, record_consent
from tests.admin_helpers import admin_form_data
from tests.api.conftest import token_client
from tests.conftest import make_article, make_case, make_facility, make_person
from tests.people.test_photos import image_bytes, upload

CANARY = "ERASE-CANARY"


def database_text():
    """Every row of every table, as text: what a database dump would show."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - table names from introspection
            chunks.append(repr(cursor.fetchall()))
    return "\n".join(chunks)


@pytest.fixture
def doomed(db, settings, django_capture_on_commit_callbacks):
    person = make_person(
        full_name=f"{CANARY} name",
        rank=f"{CANARY} rank",
        alien_number=f"{CANARY}-A",
        date_of_birth=datetime.date(1977, 7, 7),
        public_summary=f"{CANARY} summary",
        private_notes=f"{CANARY} notes",
        aliases=[f"{CANARY} alias"],
    )
    record_consent(
        person=person, scopes=["photo"], granted=True, method="phone", note=f"{CANARY} consent note"
    )
    with django_capture_on_commit_callbacks(execute=True):
        person_set_photo(person=person, photo_files=sanitize_photo(upload(image_bytes())))
    article = make_article(title="Report naming the person")
    Account.objects.create(person=person, article=article, quote=f"{CANARY} quote")
    case = make_case(person=person, summary=f"{CANARY} case summary", private_notes=f"{CANARY} case notes")
    record_status_update(
        case=case,
        status="detained",
        effective_on=datetime.date(2019, 4, 11),
        note=f"{CANARY} status note",
        internal_note=f"{CANARY} internal",
        sources=[article],
        is_disputed=True,
        dispute_note=f"{CANARY} dispute",
    )
    custody = Custody.objects.create(
        case=case, facility=make_facility(), started_on=datetime.date(2019, 4, 11), note=f"{CANARY} custody"
    )
    custody.sources.add(article)
    LegalEvent.objects.create(
        case=case, kind="hearing", occurred_on=datetime.date(2019, 5, 1), note=f"{CANARY} legal"
    )
    # History keeps every earlier value, and reasons can name the person too.
    person.rank = "Colonel"
    person._change_reason = f"{CANARY} promoted"
    person.save()
    return person


@pytest.fixture
def eraser(db, django_user_model):
    user = django_user_model.objects.create_superuser("eraser", password="pw-for-tests-1")
    return user


def test_erasure_leaves_no_trace_in_database_or_media(
    client, eraser, doomed, settings, django_capture_on_commit_callbacks
):
    client.force_login(eraser)
    # The admin's action log repeats the name once an advocate edits in the admin.
    change_url = reverse("admin:people_person_change", args=[doomed.pk])
    assert client.post(change_url, admin_form_data(client.get(change_url), rank="Major")).status_code == 302
    assert LogEntry.objects.filter(object_repr__contains=CANARY).exists()
    # The eraser read the private fields: that read stays on record, without the data.
    assert AccessRecord.objects.filter(model="people.person", object_id=doomed.pk).exists()
    confirmation = client.post(
        reverse("admin:people_person_changelist"), {"action": "erase", "_selected_action": [doomed.pk]}
    )
    assert "Yes, erase them" in confirmation.text
    assert CANARY in database_text()
    photo_files = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert len(photo_files) == 2  # photo and thumbnail

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:people_person_changelist"),
            {"action": "erase", "_selected_action": [doomed.pk], "confirmed": "yes"},
            follow=True,
        )
    assert "1 person erased." in response.text
    assert CANARY not in database_text()
    # The birth date as text or as a date's repr: a bare "1977" also matches microseconds.
    assert "1977-07-07" not in database_text()
    assert "1977, 7, 7" not in database_text()
    assert [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()] == []

    erased = Person.objects.get(pk=doomed.pk)
    assert erased.full_name == f"Erased person {doomed.pk}"
    assert erased.erased_at is not None
    case = erased.cases.get()
    # Anonymised facts stay for statistics.
    assert (case.status, case.status_since, case.is_public) == ("detained", datetime.date(2019, 4, 11), False)
    assert case.custodies.get().facility is not None
    assert case.legal_events.get().kind == "hearing"
    # The history starts again from the anonymised state, saying why.
    assert list(Person.history.filter(id=doomed.pk).values_list("full_name", "history_change_reason")) == [
        (f"Erased person {doomed.pk}", "Identifying data erased")
    ]
    assert AccessRecord.objects.filter(model="people.person", object_id=doomed.pk).exists()


def test_erasure_needs_its_own_permission(client, advocate, doomed):
    client.force_login(advocate)
    response = client.post(
        reverse("admin:people_person_changelist"),
        {"action": "erase", "_selected_action": [doomed.pk], "confirmed": "yes"},
    )
    assert response.status_code in {200, 302}
    assert Person.objects.get(pk=doomed.pk).erased_at is None
    advocate.user_permissions.add(Permission.objects.get(codename="erase_person"))
    client.post(
        reverse("admin:people_person_changelist"),
        {"action": "erase", "_selected_action": [doomed.pk], "confirmed": "yes"},
    )
    assert Person.objects.get(pk=doomed.pk).erased_at is not None


def media_files(settings):
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_erasure_from_the_person_change_page_leaves_no_trace_also_through_the_api(
    client, eraser, advocate, doomed, settings, django_capture_on_commit_callbacks
):
    photo_names = [Path(doomed.photo.name).stem, Path(doomed.photo_thumbnail.name).stem]
    api = token_client(advocate)
    before = api.get(f"/api/v1/people/{doomed.pk}/").json()
    assert before["photo_url"].endswith(doomed.photo.name)
    client.force_login(eraser)
    change_url = reverse("admin:people_person_change", args=[doomed.pk])
    erase_url = reverse("admin:people_person_erase", args=[doomed.pk])
    assert f'href="{erase_url}"' in client.get(change_url).text
    confirmation = client.get(erase_url)
    assert "Yes, erase them" in confirmation.text
    assert Person.objects.get(pk=doomed.pk).erased_at is None

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(erase_url, {"confirmed": "yes"})
    assert (response.status_code, response["Location"]) == (302, change_url)
    assert "1 person erased." in client.get(change_url).text
    assert f'href="{erase_url}"' not in client.get(change_url).text
    assert CANARY not in database_text()
    assert media_files(settings) == []

    person = api.get(f"/api/v1/people/{doomed.pk}/").json()
    assert {
        key: person[key] for key in ("full_name", "rank", "aliases", "photo_url", "photo_thumbnail_url")
    } == {
        "full_name": f"Erased person {doomed.pk}",
        "rank": "",
        "aliases": [],
        "photo_url": None,
        "photo_thumbnail_url": None,
    }
    assert api.get(f"/api/v1/accounts/?person={doomed.pk}").json()["results"] == []
    assert api.get(f"/api/v1/people/{doomed.pk}/consents/").json()["results"] == []
    case = doomed.cases.get()
    for url in (
        f"/api/v1/people/{doomed.pk}/",
        f"/api/v1/cases/{case.reference}/",
        f"/api/v1/cases/{case.reference}/status-updates/",
        f"/api/v1/cases/{case.reference}/custody/",
        f"/api/v1/cases/{case.reference}/legal-events/",
        "/api/v1/accounts/",
    ):
        body = api.get(url).content.decode()
        assert CANARY not in body, url
        assert not any(name in body for name in photo_names), url


def test_erasure_from_the_change_page_needs_its_own_permission(client, advocate, doomed):
    client.force_login(advocate)
    erase_url = reverse("admin:people_person_erase", args=[doomed.pk])
    assert erase_url not in client.get(reverse("admin:people_person_change", args=[doomed.pk])).text
    assert client.get(erase_url).status_code == 403
    assert client.post(erase_url, {"confirmed": "yes"}).status_code == 403
    assert Person.objects.get(pk=doomed.pk).erased_at is None
