import datetime

import pytest

from cases.models import CaseChange, Custody, LegalEvent
from tests.conftest import make_article, make_facility

D = datetime.date


def custody_url(case):
    return f"/api/v1/cases/{case.reference}/custody/"


def test_custody_list_whole_payload(held_case, anon_client):
    custody = held_case.custodies.get()
    assert anon_client.get(custody_url(held_case)).json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": custody.pk,
                "facility": "winn",
                "started_on": "2019-04-11",
                "started_on_precision": "day",
                "ended_on": None,
                "ended_on_precision": "day",
                "note": "",
                "sources": [],
                "is_disputed": False,
                "dispute_note": "",
            }
        ],
    }


def test_advocate_appends_custody_and_change_is_logged(held_case, advocate_client):
    held_case.custodies.update(ended_on=D(2020, 1, 1))
    article = make_article()
    make_facility(slug="elsewhere")
    response = advocate_client.post(
        custody_url(held_case),
        {
            "facility": "elsewhere",
            "started_on": "2020-01-15",
            "started_on_precision": "month",
            "sources": [article.pk],
            "note": "Transferred.",
        },
    )
    assert response.status_code == 201, response.json()
    custody = Custody.objects.get(pk=response.json()["id"])
    assert (custody.facility.slug, custody.started_on, list(custody.sources.all())) == (
        "elsewhere",
        D(2020, 1, 1),
        [article],
    )
    assert held_case.changes.filter(kind=CaseChange.Kind.CUSTODY).count() == 1
    status = advocate_client.get(f"/api/v1/cases/{held_case.reference}/status/").json()
    assert status["current_facility"]["slug"] == "elsewhere"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        # The case is still held at Winn (an open custody since 2019-04-11).
        ({"facility": "winn", "started_on": "2020-01-01"}, "started_on"),
        ({"facility": "winn", "started_on": "2018-01-01", "ended_on": "2019-05-01"}, "started_on"),
        ({"facility": "winn", "started_on": "2018-01-01", "ended_on": "2017-01-01"}, "ended_on"),
        ({"facility": "winn", "started_on": "2018-02-30"}, "started_on"),
        ({"facility": "nowhere", "started_on": "2018-01-01", "ended_on": "2018-02-01"}, "facility"),
    ],
)
def test_invalid_custody_answers_400_naming_the_field_and_writes_nothing(
    held_case, advocate_client, payload, field
):
    changes = held_case.changes.count()
    response = advocate_client.post(custody_url(held_case), payload)
    assert response.status_code == 400
    # A second open custody also breaks the one-open-per-case constraint: a
    # non-field message may come along.
    assert field in response.json()
    assert held_case.custodies.count() == 1
    assert held_case.changes.count() == changes


def test_legal_events_read_and_append(held_case, advocate_client, anon_client):
    url = f"/api/v1/cases/{held_case.reference}/legal-events/"
    response = advocate_client.post(
        url,
        {"kind": "bond_request", "occurred_on": "2019-06-20", "outcome": "denied", "note": "Bond refused."},
    )
    assert response.status_code == 201, response.json()
    event = LegalEvent.objects.get()
    assert anon_client.get(url).json()["results"] == [
        {
            "id": event.pk,
            "kind": "bond_request",
            "occurred_on": "2019-06-20",
            "occurred_on_precision": "day",
            "outcome": "denied",
            "note": "Bond refused.",
            "sources": [],
            "is_disputed": False,
            "dispute_note": "",
        }
    ]
    assert held_case.changes.filter(kind=CaseChange.Kind.LEGAL_EVENT).count() == 1


def test_invalid_legal_event_answers_400(held_case, advocate_client):
    url = f"/api/v1/cases/{held_case.reference}/legal-events/"
    response = advocate_client.post(url, {"kind": "duel", "occurred_on": "2019-06-20"})
    assert (response.status_code, list(response.json())) == (400, ["kind"])
    assert not LegalEvent.objects.exists()


def test_reader_and_anonymous_cannot_append_facts(held_case, reader_client, anon_client):
    payload = {"kind": "hearing", "occurred_on": "2019-06-20"}
    url = f"/api/v1/cases/{held_case.reference}/legal-events/"
    assert reader_client.post(url, payload).status_code == 403
    assert anon_client.post(url, payload).status_code == 401
    assert not LegalEvent.objects.exists()
