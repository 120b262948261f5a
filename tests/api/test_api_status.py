import datetime

import pytest
from django.utils import timezone
from django.utils.http import http_date

from cases.models import Case, CaseChange, Facility, StatusDocument, StatusUpdate
from people.models import Person
from tests.conftest import make_article, make_case

D = datetime.date


def status_url(case):
    return f"/api/v1/cases/{case.reference}/status/"


def test_status_document_whole_payload(held_case, anon_client):
    response = anon_client.get(status_url(held_case))
    assert response.status_code == 200
    assert response.json() == {
        "reference": held_case.reference,
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
        "updated_at": held_case.updated_at.isoformat().replace("+00:00", "Z"),
    }
    assert response["Last-Modified"] == http_date(held_case.updated_at.timestamp())
    assert "Accept-Language" in response["Vary"]


def test_status_and_case_detail_read_one_query(held_case, anon_client, django_assert_num_queries):
    # Case, person (for the publication rule) and the open custody's facility
    # in one join: partners poll these documents.
    for url in [status_url(held_case), f"/api/v1/cases/{held_case.reference}/"]:
        with django_assert_num_queries(1):
            assert anon_client.get(url).json()["current_facility"]["slug"] == "winn"


def test_status_follows_each_client_s_rights_whoever_asked_before(held_case, anon_client, advocate_client):
    # The view keeps one queryset for every request (CaseStatusView.queryset).
    held_case.is_public = False
    held_case.save()
    for client, expected in [
        (advocate_client, 200),
        (anon_client, 404),
        (advocate_client, 200),
        (anon_client, 404),
    ]:
        assert client.get(status_url(held_case)).status_code == expected
    held_case.is_public = True
    held_case.save()
    assert anon_client.get(status_url(held_case)).status_code == 200


def test_status_label_in_the_requested_language(held_case, anon_client):
    response = anon_client.get(status_url(held_case), HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9,en;q=0.5")
    assert response.json()["status_label"] == "Detenido"
    assert response["Content-Language"] == "es"
    english = anon_client.get(status_url(held_case), HTTP_ACCEPT_LANGUAGE="en")
    assert english["ETag"] != response["ETag"]


def test_etag_answers_304_without_body_until_status_changes(held_case, advocate_client):
    first = advocate_client.get(status_url(held_case))
    etag = first["ETag"]
    again = advocate_client.get(status_url(held_case), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    advocate_client.post(
        f"/api/v1/cases/{held_case.reference}/status-updates/",
        {"status": "released", "effective_on": "2024-01-01"},
    )
    changed = advocate_client.get(status_url(held_case), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed.json()["status"] == "released"


def test_if_modified_since_answers_304(held_case, anon_client):
    last_modified = anon_client.get(status_url(held_case))["Last-Modified"]
    response = anon_client.get(status_url(held_case), HTTP_IF_MODIFIED_SINCE=last_modified)
    assert response.status_code == 304
    assert response.content == b""
    stale = http_date(held_case.updated_at.timestamp() - 60)
    assert anon_client.get(status_url(held_case), HTTP_IF_MODIFIED_SINCE=stale).status_code == 200


def test_facility_rename_changes_the_etag(held_case, anon_client):
    etag = anon_client.get(status_url(held_case))["ETag"]
    facility = held_case.current_custody.facility
    facility.name = "Winn Correctional Center (renamed)"
    facility.save()
    assert anon_client.get(status_url(held_case), HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_last_modified_is_the_later_of_the_case_and_its_current_facility(held_case, anon_client):
    assert anon_client.get(status_url(held_case))["Last-Modified"] == http_date(
        held_case.updated_at.timestamp()
    )
    later = held_case.updated_at + datetime.timedelta(hours=1)
    Facility.objects.filter(pk=held_case.current_custody.facility_id).update(updated_at=later)
    assert anon_client.get(status_url(held_case))["Last-Modified"] == http_date(later.timestamp())


def test_a_case_held_nowhere_now_has_no_current_facility(held_case, anon_client):
    # The status document's view joins the open custody row only: once it
    # ends, the case is held nowhere, and the facility no longer dates the document.
    custody = held_case.current_custody
    Facility.objects.filter(pk=custody.facility_id).update(
        updated_at=held_case.updated_at + datetime.timedelta(hours=1)
    )
    custody.ended_on = D(2020, 1, 1)
    custody.save()
    response = anon_client.get(status_url(held_case))
    assert response.json()["current_facility"] is None
    assert response["Last-Modified"] == http_date(held_case.updated_at.timestamp())


def test_status_documents_are_public_exactly_when_their_case_is(held_case, anon_client):
    hidden = make_case(is_public=False, status="detained")
    withdrawn = make_case(status="detained")
    group = make_case(group_name="Unnamed group", status="sheltered")
    Person.objects.filter(pk=withdrawn.person_id).update(consent_to_publish=False)
    public = {held_case.reference, group.reference}
    assert set(Case.objects.public().values_list("reference", flat=True)) == public
    assert set(StatusDocument.objects.public().values_list("reference", flat=True)) == public
    for case in [held_case, hidden, withdrawn, group]:
        assert anon_client.get(status_url(case)).status_code == (200 if case.reference in public else 404)


def test_status_updates_history_whole_payload(held_case, reader_client):
    response = reader_client.get(f"/api/v1/cases/{held_case.reference}/status-updates/")
    update = held_case.status_updates.get()
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": update.pk,
                "status": "detained",
                "status_label": "Detained",
                "effective_on": "2019-04-11",
                "effective_on_precision": "day",
                "note": "",
                "sources": [],
                "is_disputed": False,
                "dispute_note": "",
                "recorded_at": update.recorded_at.isoformat().replace("+00:00", "Z"),
            }
        ],
    }


def test_posting_a_status_update_goes_through_the_service(held_case, advocate, advocate_client):
    article = make_article()
    response = advocate_client.post(
        f"/api/v1/cases/{held_case.reference}/status-updates/",
        {
            "status": "released",
            "effective_on": "2024-03-17",
            "effective_on_precision": "month",
            "note": "Released on bond.",
            "internal_note": "Called the lawyer.",
            "sources": [article.pk],
            "recorded_by": 12345,
            "recorded_at": "2000-01-01T00:00:00Z",
        },
    )
    assert response.status_code == 201, response.json()
    update = StatusUpdate.objects.get(pk=response.json()["id"])
    assert response.json()["recorded_by"] == "advocate"
    assert (update.recorded_by, update.effective_on) == (advocate, D(2024, 3, 1))
    assert update.recorded_at > timezone.now() - datetime.timedelta(minutes=1)
    assert list(update.sources.all()) == [article]
    held_case.refresh_from_db()
    assert (held_case.status, held_case.status_since) == ("released", D(2024, 3, 1))
    assert held_case.changes.filter(kind=CaseChange.Kind.STATUS).count() == 2


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"status": "vanished", "effective_on": "2024-01-01"}, "status"),
        ({"status": "released", "effective_on": "2024-13-01"}, "effective_on"),
        (
            {"status": "released", "effective_on": "2024-01-01", "effective_on_precision": "week"},
            "effective_on_precision",
        ),
        ({"status": "released", "effective_on": "2024-01-01", "sources": [999999]}, "sources"),
        ({"status": "released", "effective_on": "2024-01-01", "is_disputed": True}, "dispute_note"),
    ],
)
def test_invalid_status_update_answers_400_and_changes_nothing(held_case, advocate_client, payload, field):
    changes = held_case.changes.count()
    response = advocate_client.post(f"/api/v1/cases/{held_case.reference}/status-updates/", payload)
    assert response.status_code == 400
    assert list(response.json()) == [field]
    held_case.refresh_from_db()
    assert held_case.status == "detained"
    assert held_case.status_updates.count() == 1
    assert held_case.changes.count() == changes


def test_reader_cannot_post_status_update(held_case, reader_client):
    response = reader_client.post(
        f"/api/v1/cases/{held_case.reference}/status-updates/",
        {"status": "released", "effective_on": "2024-01-01"},
    )
    assert response.status_code == 403
