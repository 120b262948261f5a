import datetime
import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from cases.models import Status
from people import fields
from people.fields import decrypt
from people.models import Person
from tests.conftest import make_case, make_facility, make_person

A_NUMBER = "A-123-456-789"


def raw_row(person):
    with connection.cursor() as cursor:
        cursor.execute("SELECT alien_number, date_of_birth FROM people_person WHERE id = %s", [person.pk])
        return cursor.fetchone()


@pytest.mark.django_db
def test_private_identifiers_are_ciphertext_in_the_database():
    person = make_person(alien_number=A_NUMBER, date_of_birth=datetime.date(1981, 2, 3))
    alien_number, date_of_birth = raw_row(person)
    assert A_NUMBER not in alien_number
    assert "1981" not in date_of_birth
    assert alien_number.startswith("gAAAA")  # a Fernet token
    reloaded = Person.objects.get(pk=person.pk)
    assert (reloaded.alien_number, reloaded.date_of_birth) == (A_NUMBER, datetime.date(1981, 2, 3))


@pytest.mark.django_db
def test_empty_identifiers_stay_empty():
    person = make_person()
    assert raw_row(person) == ("", None)


@pytest.mark.django_db
def test_database_dump_shows_no_plaintext():
    make_person(alien_number=A_NUMBER, date_of_birth=datetime.date(1981, 2, 3))
    dump = io.StringIO()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM people_person")
        dump.write(repr(cursor.fetchall()))
    assert A_NUMBER not in dump.getvalue()
    assert "1981-02-03" not in dump.getvalue()


@pytest.mark.django_db
def test_key_rotation_reencrypts_with_the_new_key(settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    person = make_person(alien_number=A_NUMBER, date_of_birth=datetime.date(1981, 2, 3))
    before = raw_row(person)
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out)
    assert "1 people" in out.getvalue()
    after = raw_row(person)
    assert after != before
    # Readable with the new key alone: the old one can be retired.
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    reloaded = Person.objects.get(pk=person.pk)
    assert (reloaded.alien_number, reloaded.date_of_birth) == (A_NUMBER, datetime.date(1981, 2, 3))
    assert Fernet(new_key.encode()).decrypt(after[0].encode()).decode() == A_NUMBER


@pytest.mark.django_db
def test_lists_and_pages_of_cases_decrypt_nothing_they_do_not_show(admin_client, monkeypatch):
    """They show the person's name, never a birth date or an identifier: the
    person is read without the encrypted fields (a decryption costs about
    17 microseconds a value, on every row of a page)."""
    facility = make_facility()
    person = make_person(alien_number=A_NUMBER, date_of_birth=datetime.date(1981, 2, 3))
    case = make_case(person=person, status=Status.DETAINED, facility=facility)
    decrypted = []
    monkeypatch.setattr(fields, "decrypt", lambda token: decrypted.append(token) or decrypt(token))
    urls = [
        "/",
        "/cases/",
        f"/cases/{case.reference}/",
        "/feed/",
        f"/cases/{case.reference}/feed/",
        f"/facilities/{facility.slug}/",
        "/api/v1/cases/",
        f"/api/v1/cases/{case.reference}/",
        "/admin/cases/case/",
    ]
    for url in urls:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert case.reference in response.text, url
    assert decrypted == []
    # What does show them still reads them.
    assert A_NUMBER in admin_client.get(f"/admin/people/person/{person.pk}/change/").text
    assert decrypted
