from pathlib import Path

import pytest
from django.urls import reverse

from cases.models import Account, Case, CaseChange
from people.models import ConsentRecord, ConsentScope, Person
from people.photos import sanitize_photo
from people.services import person_set_photo, record_consent
from tests.admin_helpers import admin_form_data, inline_prefix
from tests.conftest import make_article, make_case, make_person
from tests.people.test_photos import image_bytes, upload

ALL_SCOPES = ConsentScope.values


@pytest.fixture
def case(db):
    person = make_person(consent_to_publish=False)
    return make_case(person=person, status="detained")


def flags(person):
    person.refresh_from_db()
    return {
        "name": person.consent_to_publish,
        "photo": person.photo_consent,
        "summary": person.summary_consent,
        "accounts": person.accounts_consent,
    }


def test_consent_flags_follow_the_latest_record_per_scope(case, advocate):
    person = case.person
    record_consent(person=person, scopes=ALL_SCOPES, granted=True, method="in_person", recorded_by=advocate)
    assert flags(person) == {"name": True, "photo": True, "summary": True, "accounts": True}
    record_consent(person=person, scopes=["photo"], granted=False, method="phone", note="Family at risk")
    assert flags(person) == {"name": True, "photo": False, "summary": True, "accounts": True}
    assert person.consents.count() == 5
    assert person.consent_recorded_on is not None


def test_consent_name_scope_decides_publication(case):
    assert list(Case.objects.public()) == []
    record_consent(person=case.person, scopes=["name"], granted=True, method="writing")
    assert list(Case.objects.public()) == [case]
    record_consent(person=case.person, scopes=["name"], granted=False, method="lawyer")
    assert list(Case.objects.public()) == []


def test_consent_accounts_scope_decides_quotes(case):
    record_consent(person=case.person, scopes=["name"], granted=True, method="writing")
    Account.objects.create(person=case.person, article=make_article(), quote="My words")
    assert list(Account.objects.public()) == []
    record_consent(person=case.person, scopes=["accounts"], granted=True, method="writing")
    assert [a.quote for a in Account.objects.public()] == ["My words"]


def test_consent_photo_and_summary_scopes(case):
    person = case.person
    record_consent(person=person, scopes=["name", "summary"], granted=True, method="writing")
    person.refresh_from_db()
    person.photo = "photos/x.jpg"
    assert (person.summary_is_public, person.photo_is_public) == (True, False)
    record_consent(person=person, scopes=["photo"], granted=True, method="writing")
    person.refresh_from_db()
    person.photo = "photos/x.jpg"
    assert person.photo_is_public


def test_consent_change_is_announced_to_polling_clients(case):
    before = CaseChange.objects.filter(case=case).count()
    record_consent(person=case.person, scopes=["name"], granted=True, method="writing")
    assert CaseChange.objects.filter(case=case).count() == before + 1


def test_consent_invalid_scope_writes_nothing(case):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        record_consent(person=case.person, scopes=["name", "voice"], granted=True, method="writing")
    assert ConsentRecord.objects.count() == 0
    assert flags(case.person)["name"] is False


def test_admin_records_consent_through_the_ledger(admin_client, admin_user, case):
    person = case.person
    url = reverse("admin:people_person_change", args=[person.pk])
    page = admin_client.get(url)
    prefix = inline_prefix(page, "NewConsentInline")
    data = admin_form_data(
        page,
        **{
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-0-scope": "name",
            f"{prefix}-0-granted": "on",
            f"{prefix}-0-method": "lawyer",
            f"{prefix}-0-note": "Signed form held by the lawyer",
        },
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302
    record = person.consents.get()
    assert (record.scope, record.granted, record.method, record.recorded_by) == (
        "name",
        True,
        "lawyer",
        admin_user,
    )
    assert Person.objects.get(pk=person.pk).consent_to_publish
    page = admin_client.get(url)
    assert "Signed form held by the lawyer" in page.text  # shown in the ledger, read-only
    assert page.context["inline_admin_formsets"][1].formset.forms[0].fields.get("scope") is None


def test_withdrawn_photo_no_longer_served_at_its_old_url(case, settings, django_capture_on_commit_callbacks):
    person = case.person
    record_consent(person=person, scopes=ALL_SCOPES, granted=True, method="writing")
    with django_capture_on_commit_callbacks(execute=True):
        person_set_photo(person=person, photo_files=sanitize_photo(upload(image_bytes())))
    person.refresh_from_db()
    public_names = {person.photo.name, person.photo_thumbnail.name}
    with django_capture_on_commit_callbacks(execute=True):
        record_consent(person=person, scopes=["photo"], granted=False, method="phone")
    person.refresh_from_db()
    media = Path(settings.MEDIA_ROOT)
    assert all(not (media / name).exists() for name in public_names)
    assert {person.photo.name, person.photo_thumbnail.name}.isdisjoint(public_names)
    assert (media / person.photo.name).exists()
    assert (media / person.photo_thumbnail.name).exists()
