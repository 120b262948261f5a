"""/api/v1/cases/{reference}/history/: who changed what, when and why."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.history import PRIVATE_FIELDS
from audit.models import AccessRecord
from cases.models import Case, Custody, LegalEvent, StatusUpdate
from cases.serializers import CaseSerializer, StatusUpdateSerializer
from cases.services import record_status_update
from people.models import Person
from people.serializers import PersonSerializer
from tests.api.conftest import CANARY, seed_case
from tests.conftest import make_article, make_case, make_facility


def history(client, case, **params):
    response = client.get(f"/api/v1/cases/{case.reference}/history/", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_history_lists_who_changed_which_field_from_what_to_what_and_why(advocate_client, advocate):
    case = make_case(summary="Held since April.")
    url = f"/api/v1/cases/{case.reference}/"
    response = advocate_client.patch(
        url, {"summary": "Moved to Winn."}, HTTP_X_CHANGE_REASON="Lawyer%20called%20%E2%80%94%20Mar%C3%ADa"
    )
    assert response.status_code == 200

    latest = history(advocate_client, case)["results"][0]

    assert latest == {
        "at": latest["at"],
        "who": "advocate",
        "object": "case",
        "object_id": case.pk,
        "action": "changed",
        "reason": "Lawyer called — María",
        "changes": [{"field": "summary", "old": "Held since April.", "new": "Moved to Winn."}],
    }


def test_history_covers_the_facts_and_the_person(advocate_client):
    case = make_case()
    record_status_update(
        case=case, status="released", effective_on=datetime.date(2020, 5, 1), sources=[make_article()]
    )
    Custody.objects.create(case=case, facility=make_facility(), started_on=datetime.date(2019, 4, 11))
    event = LegalEvent.objects.create(case=case, kind="hearing", occurred_on=datetime.date(2019, 5, 1))
    event.delete()
    case.person.rank = "Colonel"
    case.person.save()

    entries = history(advocate_client, case)["results"]
    summary = {(entry["object"], entry["action"]) for entry in entries}

    assert {
        ("case", "created"),
        ("case", "changed"),
        ("status_update", "created"),
        ("status_update", "changed"),
        ("custody", "created"),
        ("legal_event", "created"),
        ("legal_event", "deleted"),
        ("person", "created"),
        ("person", "changed"),
    } <= summary
    person_change = next(e for e in entries if e["object"] == "person" and e["action"] == "changed")
    assert person_change["changes"] == [{"field": "rank", "old": "Captain", "new": "Colonel"}]
    status_change = next(e for e in entries if e["object"] == "case" and e["action"] == "changed")
    assert {"field": "status", "old": "unknown", "new": "released"} in status_change["changes"]
    citation = next(e for e in entries if e["object"] == "status_update" and e["action"] == "changed")
    assert citation["changes"][0]["field"] == "sources"


def test_reader_history_leaves_out_private_values_and_editors(reader_client, advocate_client):
    case = make_case(private_notes=f"{CANARY} notes")
    url = f"/api/v1/cases/{case.reference}/"
    advocate_client.patch(url, {"private_notes": f"{CANARY} newer notes", "summary": "Public words."})
    advocate_client.patch(f"/api/v1/people/{case.person_id}/", {"alien_number": f"{CANARY}-A"})
    advocate_client.patch(url, {"private_notes": f"{CANARY} only private"})

    body = reader_client.get(f"/api/v1/cases/{case.reference}/history/").content.decode()
    entries = history(reader_client, case)["results"]

    assert CANARY not in body
    assert "advocate" not in body
    assert all("who" not in entry for entry in entries)
    # A change to private fields only is no entry at all for a Reader.
    assert [e["changes"] for e in entries if e["object"] == "case" and e["action"] == "changed"] == [
        [{"field": "summary", "old": "", "new": "Public words."}]
    ]
    assert CANARY in advocate_client.get(f"/api/v1/cases/{case.reference}/history/").content.decode()


def test_anonymous_clients_get_no_history_even_of_a_public_case(anon_client, db):
    public = make_case(is_public=True)
    hidden = make_case(is_public=False)
    for case in (public, hidden):
        assert anon_client.get(f"/api/v1/cases/{case.reference}/history/").status_code == 401


def test_unknown_reference_is_404(reader_client):
    assert reader_client.get("/api/v1/cases/CT-1999-9999/history/").status_code == 404


def test_history_read_with_private_values_leaves_an_access_record(advocate_client, reader_client, advocate):
    case = make_case()
    history(reader_client, case)
    assert not AccessRecord.objects.exists()
    history(advocate_client, case)
    assert set(AccessRecord.objects.values_list("username", "model", "object_id", "fields")) == {
        ("advocate", "cases.case", case.pk, "history"),
        ("advocate", "people.person", case.person_id, "history"),
    }


@pytest.mark.parametrize("role", ["reader_client", "advocate_client"])
def test_history_query_count_does_not_grow_with_entries(role, request, db):
    client = request.getfixturevalue(role)
    article, facility = make_article(), make_facility()
    case = seed_case(tag="counted", facility=facility, article=article, recorder=None)
    history(client, case)  # the first request of a token also notes its use
    with CaptureQueriesContext(connection) as few:
        history(client, case)
    for year in range(2000, 2015):
        record_status_update(
            case=case, status="released", effective_on=datetime.date(year, 1, 1), sources=[article]
        )
        Case.objects.get(pk=case.pk).save()
    with CaptureQueriesContext(connection) as many:
        assert len(history(client, case, page_size=100)["results"]) > 30
    assert len(many) == len(few)


def test_private_fields_of_history_match_the_serializers():
    for serializer in (CaseSerializer, StatusUpdateSerializer, PersonSerializer):
        assert set(serializer.Meta.private_fields) <= PRIVATE_FIELDS[serializer.Meta.model]
    assert {StatusUpdate, Person, Case} <= set(PRIVATE_FIELDS)
