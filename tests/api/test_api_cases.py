import datetime

import pytest
from rest_framework.test import APIClient

from cases.models import Case, CaseChange
from tests.conftest import make_case, make_facility, make_person

D = datetime.date


def iso(moment):
    return moment.isoformat().replace("+00:00", "Z")


def test_case_detail_whole_payload_for_anonymous(held_case, anon_client):
    response = anon_client.get(f"/api/v1/cases/{held_case.reference}/")
    assert response.status_code == 200
    assert response.json() == {
        "reference": held_case.reference,
        "person": held_case.person_id,
        "group_name": "",
        "subject_name": "Hugo Parra",
        "status": "detained",
        "status_label": "Detained",
        "status_since": "2019-04-11",
        "status_since_precision": "day",
        "current_facility": {
            "slug": "winn",
            "name": "Winn Correctional Center",
            "city": "Winnfield",
            "region": "Louisiana",
            "country": "US",
        },
        "summary": "Held by ICE.",
        "is_public": True,
        "opened_on": "2019-04-11",
        "closed_on": None,
        "created_at": iso(held_case.created_at),
        "updated_at": iso(held_case.updated_at),
    }


def test_case_list_whole_envelope_for_advocate(held_case, advocate_client):
    body = advocate_client.get("/api/v1/cases/").json()
    assert body == {
        "count": 1,
        "next": None,
        "previous": None,
        "cursor": None,
        "results": [advocate_client.get(f"/api/v1/cases/{held_case.reference}/").json()],
    }
    assert body["results"][0]["private_notes"] == "Lawyer's phone number"


def test_case_list_filters(db, reader_client):
    winn = make_facility(slug="winn", country="US")
    embassy = make_facility(slug="embassy", country="VE")
    held = make_case(status="detained", facility=winn, opened_on=D(2019, 4, 11))
    sheltered = make_case(status="sheltered", facility=embassy, opened_on=D(2019, 5, 1))
    released = make_case(status="released", opened_on=D(2020, 1, 1), is_public=False)
    released_person = make_person(full_name="José Ángel Pérez")
    named = make_case(person=released_person, status="missing", opened_on=D(2021, 1, 1))

    def references(query):
        response = reader_client.get(f"/api/v1/cases/?{query}")
        assert response.status_code == 200, response.json()
        return {case["reference"] for case in response.json()["results"]}

    assert references("status=detained&status=released") == {held.reference, released.reference}
    assert references("status=detained,sheltered") == {held.reference, sheltered.reference}
    assert references("facility=embassy") == {sheltered.reference}
    assert references("current_facility=winn") == {held.reference}
    assert references("country=ve") == {sheltered.reference}
    assert references(f"person={named.person_id}") == {named.reference}
    assert references("opened_on_after=2019-05-01&opened_on_before=2020-12-31") == {
        sheltered.reference,
        released.reference,
    }
    assert references("status_since_after=2021-01-01") == {named.reference}
    assert references("is_public=false") == {released.reference}
    assert references("q=jose angel perez") == {named.reference}
    assert references(f"q={held.reference.lower()}") == {held.reference}
    ordered = reader_client.get("/api/v1/cases/?ordering=opened_on").json()["results"]
    assert [case["reference"] for case in ordered] == [
        held.reference,
        sheltered.reference,
        released.reference,
        named.reference,
    ]


def test_case_list_rejects_unknown_status_code_naming_the_parameter(db, anon_client):
    response = anon_client.get("/api/v1/cases/?status=detained,vanished")
    assert response.status_code == 400
    assert list(response.json()) == ["status"]


def test_page_size_is_clamped_to_100(db, reader_client):
    for _ in range(3):
        make_case()
    body = reader_client.get("/api/v1/cases/?page_size=1000").json()
    assert body["count"] == 3
    assert len(body["results"]) == 3
    assert reader_client.get("/api/v1/cases/?page_size=2").json()["next"].endswith("page=2&page_size=2")


def test_advocate_creates_case_and_read_only_fields_are_ignored(db, advocate_client):
    person = make_person()
    response = advocate_client.post(
        "/api/v1/cases/",
        {
            "person": person.pk,
            "summary": "Detained at the border.",
            "private_notes": "Contact via lawyer.",
            "opened_on": "2024-03-05",
            "reference": "CT-1900-0001",
            "status": "released",
            "updated_at": "2000-01-01T00:00:00Z",
            "unknown": "ignored",
        },
    )
    assert response.status_code == 201, response.json()
    case = Case.objects.get()
    assert response.json()["reference"] == case.reference == "CT-2024-0001"
    assert (case.status, case.summary, case.private_notes) == (
        "unknown",
        "Detained at the border.",
        "Contact via lawyer.",
    )
    assert case.updated_at.year > 2000
    assert list(case.changes.values_list("kind", flat=True)) == [CaseChange.Kind.CREATED]


def test_advocate_patches_case_and_change_is_logged(held_case, advocate_client):
    response = advocate_client.patch(
        f"/api/v1/cases/{held_case.reference}/", {"summary": "Moved.", "reference": "X", "status": "released"}
    )
    assert response.status_code == 200, response.json()
    held_case.refresh_from_db()
    assert (held_case.reference, held_case.status, held_case.summary) == (
        response.json()["reference"],
        "detained",
        "Moved.",
    )
    assert held_case.changes.filter(kind=CaseChange.Kind.FIELDS).count() == 1


def test_a_writes_answer_is_the_document_a_read_then_gives(held_case, advocate_client):
    url = f"/api/v1/cases/{held_case.reference}/"
    patched = advocate_client.patch(url, {"summary": "Moved.", "private_notes": "Lawyer called."})
    assert patched.status_code == 200, patched.json()
    assert patched.json() == advocate_client.get(url).json()
    assert patched.json()["current_facility"]["slug"] == "winn"

    created = advocate_client.post("/api/v1/cases/", {"group_name": "Officers at an embassy"})
    assert created.status_code == 201, created.json()
    assert created.json() == advocate_client.get(f"/api/v1/cases/{created.json()['reference']}/").json()


def test_the_browsable_api_shows_cases_and_a_cases_edit_form(held_case, advocate, client):
    client.force_login(advocate)
    reference = held_case.reference
    for url in ["/api/v1/cases/", f"/api/v1/cases/{reference}/status/"]:
        response = client.get(url, headers={"accept": "text/html"})
        assert response.status_code == 200, url
        assert reference in response.text
    # The edit form: the case's document as raw JSON, indented unlike the response.
    response = client.get(f"/api/v1/cases/{reference}/", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "&quot;summary&quot;: &quot;Held by ICE.&quot;" in response.text


def test_patch_without_a_real_change_logs_nothing(held_case, advocate_client):
    before = held_case.changes.count()
    advocate_client.patch(f"/api/v1/cases/{held_case.reference}/", {"summary": held_case.summary})
    assert held_case.changes.count() == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"opened_on": "2024-02-30"}, "opened_on"),
        ({"opened_on": "2024-03-01", "closed_on": "2024-02-01"}, "closed_on"),
        ({"person": 999999}, "person"),
        ({"person": None, "group_name": ""}, "non_field_errors"),
    ],
)
def test_invalid_case_answers_400_naming_the_field_and_writes_nothing(payload, field, db, advocate_client):
    response = advocate_client.post("/api/v1/cases/", {"person": make_person().pk, **payload})
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not Case.objects.exists()
    assert not CaseChange.objects.exists()


def test_reader_cannot_write_and_anonymous_must_authenticate(held_case, reader_client, anon_client):
    url = f"/api/v1/cases/{held_case.reference}/"
    assert reader_client.patch(url, {"summary": "x"}).status_code == 403
    assert reader_client.post("/api/v1/cases/", {"group_name": "x"}).status_code == 403
    assert anon_client.patch(url, {"summary": "x"}).status_code == 401
    assert anon_client.post("/api/v1/cases/", {"group_name": "x"}).status_code == 401
    held_case.refresh_from_db()
    assert held_case.summary == "Held by ICE."


def test_case_put_is_not_offered(held_case, advocate_client):
    assert advocate_client.put(f"/api/v1/cases/{held_case.reference}/", {}).status_code == 405


def test_session_auth_enforces_csrf(held_case, advocate):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(advocate)
    assert client.get(f"/api/v1/cases/{held_case.reference}/").status_code == 200
    response = client.patch(f"/api/v1/cases/{held_case.reference}/", {"summary": "x"})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_token_endpoint(advocate, anon_client):
    response = anon_client.post("/api/v1/auth/token/", {"username": "advocate", "password": "pw-for-tests-1"})
    assert response.status_code == 200
    assert set(response.json()) == {"token", "expires"}
    token_client = APIClient(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert token_client.get("/api/v1/people/").status_code == 200
    wrong = anon_client.post("/api/v1/auth/token/", {"username": "advocate", "password": "nope"})
    assert wrong.status_code == 400
