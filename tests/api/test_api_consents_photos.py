"""The consent ledger through the API, and photos uploaded and shown through it."""

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.models import ConsentRecord, Person
from people.photos import sanitize_photo
from people.services import person_set_photo, record_consent
from tests.api.conftest import token_client
from tests.conftest import make_case, make_person, make_user
from tests.people.test_photos import GPS_CANARY, jpeg_with_metadata, png_bomb
from tests.people.test_photos import image_bytes as photo_bytes
from tests.people.test_photos import upload as photo_upload

NOTE_CANARY = "CONSENT-NOTE-CANARY"


def iso(moment):
    return moment.isoformat().replace("+00:00", "Z")


def consents_url(person):
    return f"/api/v1/people/{person.pk}/consents/"


def media_files(settings):
    return sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())


@pytest.fixture
def person(db):
    return make_person(full_name="Hugo Parra", consent_to_publish=False)


@pytest.fixture
def ledger(person, advocate):
    """Name granted, then photo withdrawn: two entries, the second the newest."""
    (granted,) = record_consent(
        person=person,
        scopes=["name"],
        granted=True,
        method="in_person",
        note=NOTE_CANARY,
        recorded_by=advocate,
    )
    (withdrawn,) = record_consent(
        person=person, scopes=["photo"], granted=False, method="lawyer", recorded_by=advocate
    )
    return granted, withdrawn


# ---------------------------------------------------------------- consent ledger


def test_consents_list_whole_payload_newest_first_for_advocate(ledger, person, advocate_client):
    granted, withdrawn = ledger
    assert advocate_client.get(consents_url(person)).json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": withdrawn.pk,
                "scope": "photo",
                "granted": False,
                "method": "lawyer",
                "note": "",
                "recorded_by": "advocate",
                "recorded_at": iso(withdrawn.recorded_at),
            },
            {
                "id": granted.pk,
                "scope": "name",
                "granted": True,
                "method": "in_person",
                "note": NOTE_CANARY,
                "recorded_by": "advocate",
                "recorded_at": iso(granted.recorded_at),
            },
        ],
    }


def test_consents_reader_reads_without_note_or_recorder(ledger, person, reader_client):
    granted, withdrawn = ledger
    response = reader_client.get(consents_url(person))
    assert NOTE_CANARY not in response.content.decode()
    assert response.json()["results"] == [
        {
            "id": withdrawn.pk,
            "scope": "photo",
            "granted": False,
            "method": "lawyer",
            "recorded_at": iso(withdrawn.recorded_at),
        },
        {
            "id": granted.pk,
            "scope": "name",
            "granted": True,
            "method": "in_person",
            "recorded_at": iso(granted.recorded_at),
        },
    ]


def test_consents_anonymous_gets_401_like_people(ledger, person, anon_client):
    for response in (
        anon_client.get(consents_url(person)),
        anon_client.post(consents_url(person), {"scope": "name", "granted": False, "method": "phone"}),
    ):
        assert response.status_code == 401
        assert NOTE_CANARY not in response.content.decode()
    assert person.consents.count() == 2


def test_consents_user_outside_the_groups_gets_404(ledger, person, django_user_model):
    outsider = token_client(make_user(django_user_model, "outsider"))
    assert outsider.get(consents_url(person)).status_code == 404
    assert outsider.get("/api/v1/people/999999/consents/").status_code == 404


def test_consents_advocate_appends_through_the_ledger_service(person, advocate, advocate_client):
    response = advocate_client.post(
        consents_url(person), {"scope": "name", "granted": True, "method": "writing", "note": "Signed form"}
    )
    assert response.status_code == 201, response.json()
    record = ConsentRecord.objects.get()
    assert response.json() == {
        "id": record.pk,
        "scope": "name",
        "granted": True,
        "method": "writing",
        "note": "Signed form",
        "recorded_by": "advocate",
        "recorded_at": iso(record.recorded_at),
    }
    assert (record.person, record.recorded_by) == (person, advocate)
    body = advocate_client.get(f"/api/v1/people/{person.pk}/").json()
    flags = {key: body[key] for key in ("consent_to_publish", "photo_consent", "summary_consent")}
    assert flags == {"consent_to_publish": True, "photo_consent": False, "summary_consent": False}
    assert body["consent_recorded_on"] is not None


def test_consents_superuser_appends(person, django_user_model):
    root = token_client(django_user_model.objects.create_superuser("root", password="pw-for-tests-1"))
    response = root.post(consents_url(person), {"scope": "accounts", "granted": True, "method": "family"})
    assert response.status_code == 201, response.json()
    person.refresh_from_db()
    assert person.accounts_consent is True


def test_consents_reader_cannot_append(person, reader_client):
    response = reader_client.post(consents_url(person), {"scope": "name", "granted": True, "method": "phone"})
    assert response.status_code == 403
    assert not ConsentRecord.objects.exists()


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_consents_entries_are_never_edited(method, ledger, person, advocate_client):
    response = getattr(advocate_client, method)(consents_url(person), {"scope": "name", "granted": False})
    assert response.status_code == 405
    # There is no route to a single entry either.
    entry = getattr(advocate_client, method)(f"{consents_url(person)}{ledger[0].pk}/", {"granted": False})
    assert entry.status_code == 404
    assert sorted(person.consents.values_list("granted", flat=True)) == [False, True]


def test_consents_invalid_entry_answers_400_naming_the_fields(person, advocate_client):
    response = advocate_client.post(consents_url(person), {"scope": "face", "method": "telepathy"})
    assert response.status_code == 400
    assert sorted(response.json()) == ["granted", "method", "scope"]
    assert not ConsentRecord.objects.exists()


def test_person_consent_flags_are_read_only(person, advocate_client):
    response = advocate_client.patch(
        f"/api/v1/people/{person.pk}/",
        {"consent_to_publish": True, "photo_consent": True, "accounts_consent": True, "rank": "Major"},
    )
    assert response.status_code == 200, response.json()
    person.refresh_from_db()
    assert (person.rank, person.consent_to_publish, person.photo_consent, person.accounts_consent) == (
        "Major",
        False,
        False,
        False,
    )


def test_consents_list_query_count_does_not_grow(
    person, advocate, advocate_client, django_assert_max_num_queries
):
    for n in range(15):
        record_consent(
            person=person, scopes=["name"], granted=n % 2 == 0, method="phone", recorded_by=advocate
        )
    with CaptureQueriesContext(connection) as small:
        assert advocate_client.get(f"{consents_url(person)}?page_size=10").status_code == 200
    with django_assert_max_num_queries(len(small)):
        assert len(advocate_client.get(f"{consents_url(person)}?page_size=100").json()["results"]) == 15


# ---------------------------------------------------------------- photos


def person_url(person):
    return f"/api/v1/people/{person.pk}/"


def test_photo_multipart_patch_stores_sanitised_photo_and_thumbnail(person, advocate_client, settings):
    response = advocate_client.patch(
        person_url(person),
        {"photo": photo_upload(jpeg_with_metadata(), name="hugo-parra.jpg"), "rank": "Colonel"},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    person.refresh_from_db()
    assert person.rank == "Colonel"
    body = response.json()
    assert "photo" not in body
    assert body["photo_url"] == f"http://testserver/media/{person.photo.name}"
    assert body["photo_thumbnail_url"] == f"http://testserver/media/{person.photo_thumbnail.name}"
    stored = media_files(settings)
    assert len(stored) == 2
    for path in stored:
        assert "parra" not in path.name
        data = path.read_bytes()
        assert GPS_CANARY not in data
        assert b"Exif" not in data


def test_photo_multipart_post_creates_person_with_photo(advocate_client, settings):
    response = advocate_client.post(
        "/api/v1/people/",
        {"full_name": "Erick Molina", "photo": photo_upload(photo_bytes("PNG"), name="e.png")},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    person = Person.objects.get()
    assert person.photo.name.endswith(".png")
    assert len(media_files(settings)) == 2


def test_photo_replaced_leaves_no_old_files(
    person, advocate_client, settings, django_capture_on_commit_callbacks
):
    for color in ((1, 2, 3), (4, 5, 6)):
        with django_capture_on_commit_callbacks(execute=True):
            response = advocate_client.patch(
                person_url(person), {"photo": photo_upload(photo_bytes(color=color))}, format="multipart"
            )
        assert response.status_code == 200
    person.refresh_from_db()
    assert [p.name for p in media_files(settings)] == sorted(
        Path(name).name for name in (person.photo.name, person.photo_thumbnail.name)
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            "The file is not a readable JPEG, PNG or WebP image.",
        ),
        (b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF", "The file is not a readable JPEG, PNG or WebP image."),
        (photo_bytes("GIF"), "Only JPEG, PNG or WebP photos are accepted."),
        (png_bomb(8_000, 6_000), "The photo is 48 megapixels; the limit is 40."),
    ],
    ids=["svg", "pdf", "gif", "bomb"],
)
def test_photo_refused_with_400_and_nothing_half_written(data, message, person, advocate_client, settings):
    response = advocate_client.patch(
        person_url(person),
        {"photo": photo_upload(data, name="photo.jpg"), "rank": "Colonel", "public_summary": "Changed"},
        format="multipart",
    )
    assert (response.status_code, response.json()) == (400, {"photo": [message]})
    person.refresh_from_db()
    assert (person.rank, person.public_summary, person.photo.name) == ("Captain", "", "")
    assert media_files(settings) == []


def test_photo_over_byte_cap_refused(person, advocate_client, settings):
    settings.PHOTO_MAX_BYTES = 2_000_000
    big = photo_bytes("PNG") + b"\x00" * 2_100_000
    response = advocate_client.patch(
        person_url(person), {"photo": photo_upload(big, name="p.png")}, format="multipart"
    )
    assert (response.status_code, response.json()) == (
        400,
        {"photo": ["The photo is 2 MB; the limit is 2 MB."]},
    )


def test_photo_sent_as_json_is_refused(person, advocate_client):
    response = advocate_client.patch(person_url(person), {"photo": "aGVsbG8="})
    assert response.status_code == 400
    assert list(response.json()) == ["photo"]


def test_reader_cannot_upload_a_photo(person, reader_client, settings):
    response = reader_client.patch(
        person_url(person), {"photo": photo_upload(photo_bytes())}, format="multipart"
    )
    assert response.status_code == 403
    assert media_files(settings) == []


@pytest.fixture
def photographed(db):
    """Three people with photos: one who consents to it, one who withdrew it,
    one who consents to the photo but not to publication at all."""
    people = {
        "consenting": make_person(full_name="Consenting"),
        "withdrawn": make_person(full_name="Withdrawn"),
        "unnamed": make_person(full_name="Unnamed", consent_to_publish=False),
    }
    for person in people.values():
        person_set_photo(person=person, photo_files=sanitize_photo(photo_upload(photo_bytes())))
        make_case(person=person)
    record_consent(person=people["withdrawn"], scopes=["name"], granted=True, method="phone")
    record_consent(person=people["withdrawn"], scopes=["photo"], granted=False, method="phone")
    record_consent(person=people["unnamed"], scopes=["photo"], granted=True, method="phone")
    for person in people.values():
        person.refresh_from_db()
    return people


def photo_urls(client, person):
    body = client.get(person_url(person)).json()
    return body["photo_url"], body["photo_thumbnail_url"]


def test_photo_urls_advocates_always_readers_only_with_photo_consent(
    photographed, advocate_client, reader_client
):
    for person in photographed.values():
        url, thumbnail_url = photo_urls(advocate_client, person)
        assert url == f"http://testserver/media/{person.photo.name}"
        assert thumbnail_url == f"http://testserver/media/{person.photo_thumbnail.name}"
    assert photo_urls(reader_client, photographed["consenting"]) == photo_urls(
        advocate_client, photographed["consenting"]
    )
    # Null, exactly like a person without a photo: a Reader cannot tell them apart.
    assert photo_urls(reader_client, photographed["withdrawn"]) == (None, None)
    assert photo_urls(reader_client, photographed["unnamed"]) == (None, None)
    assert photo_urls(reader_client, make_person()) == (None, None)
    listed = reader_client.get("/api/v1/people/?page_size=100").json()["results"]
    leaked = [row["full_name"] for row in listed if row["photo_url"]]
    assert leaked == ["Consenting"]


def test_photo_file_names_in_no_anonymous_response(photographed, anon_client):
    names = [Path(p.photo.name).stem for p in photographed.values()]
    for url in [
        "/api/v1/cases/",
        *(f"/api/v1/cases/{case.reference}/" for p in photographed.values() for case in p.cases.all()),
        "/api/v1/accounts/",
        "/api/v1/changes/",
        *(person_url(p) for p in photographed.values()),
    ]:
        body = anon_client.get(url).content.decode()
        assert not any(name in body for name in names), url


def test_photo_refusal_in_the_requests_language(person, advocate_client):
    response = advocate_client.patch(
        person_url(person),
        {"photo": photo_upload(photo_bytes("GIF"))},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert (response.status_code, response.json()) == (
        400,
        {"photo": ["Solo se aceptan fotos JPEG, PNG o WebP."]},
    )
