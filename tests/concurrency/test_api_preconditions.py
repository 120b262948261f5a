"""ETag and If-Match on case and person detail: a write based on an old
version is refused with 412, never applied and never a 500."""

import threading

import pytest
from django.db import connection, connections

from audit.models import StaleVersionError
from cases.models import Case
from people.models import Person
from people.permissions import ADVOCATES_GROUP
from tests.api.conftest import token_client
from tests.conftest import make_case, make_user


@pytest.fixture
def two_advocate_clients(db, django_user_model):
    return [
        token_client(make_user(django_user_model, name, ADVOCATES_GROUP, is_staff=True))
        for name in ("ana", "ben")
    ]


@pytest.fixture
def case(db):
    return make_case(summary="Held since April.")


def detail_urls(case):
    return [f"/api/v1/cases/{case.reference}/", f"/api/v1/people/{case.person_id}/"]


@pytest.mark.parametrize(("url_index", "field"), [(0, "summary"), (1, "rank")])
def test_write_with_an_outdated_if_match_answers_412_and_changes_nothing(
    two_advocate_clients, case, url_index, field
):
    ana, ben = two_advocate_clients
    url = detail_urls(case)[url_index]
    ana_etag, ben_etag = ana.get(url)["ETag"], ben.get(url)["ETag"]
    assert ana_etag == ben_etag

    first = ana.patch(url, {field: "Ana's value"}, HTTP_IF_MATCH=ana_etag)
    assert first.status_code == 200
    assert first["ETag"] != ana_etag
    second = ben.patch(url, {field: "Ben's value"}, HTTP_IF_MATCH=ben_etag)

    assert second.status_code == 412
    assert "If-Match" in second.json()["detail"]
    assert ben.get(url).json()[field] == "Ana's value"
    # With the current ETag Ben's write goes through.
    third = ben.patch(url, {field: "Ben's value"}, HTTP_IF_MATCH=first["ETag"])
    assert third.status_code == 200
    assert ben.get(url).json()[field] == "Ben's value"


def test_writes_without_if_match_are_accepted(two_advocate_clients, case):
    ana, ben = two_advocate_clients
    url = f"/api/v1/cases/{case.reference}/"
    assert ana.patch(url, {"summary": "One."}).status_code == 200
    assert ben.patch(url, {"summary": "Two."}).status_code == 200
    assert ana.get(url).json()["summary"] == "Two."


def test_if_match_star_and_lists_and_weak_etags(two_advocate_clients, case):
    ana, _ = two_advocate_clients
    url = f"/api/v1/people/{case.person_id}/"
    etag = ana.get(url)["ETag"]
    assert ana.patch(url, {"rank": "Major"}, HTTP_IF_MATCH="*").status_code == 200
    current = ana.get(url)["ETag"]
    assert ana.patch(url, {"rank": "Colonel"}, HTTP_IF_MATCH=f"{etag}, {current}").status_code == 200
    # If-Match compares strongly: a weak ETag never matches.
    assert ana.patch(url, {"rank": "General"}, HTTP_IF_MATCH=f"W/{ana.get(url)['ETag']}").status_code == 412


def test_a_status_update_changes_the_case_etag(two_advocate_clients, case):
    ana, _ = two_advocate_clients
    url = f"/api/v1/cases/{case.reference}/"
    etag = ana.get(url)["ETag"]
    created = ana.post(
        f"/api/v1/cases/{case.reference}/status-updates/",
        {"status": "released", "effective_on": "2020-05-01"},
    )
    assert created.status_code == 201
    assert ana.patch(url, {"summary": "Still held."}, HTTP_IF_MATCH=etag).status_code == 412


def test_stale_version_error_is_412_not_500(two_advocate_clients, case, monkeypatch):
    """Whatever path raises it, the API answers 412 with a JSON body."""
    ana, _ = two_advocate_clients

    def stale(self, **kwargs):
        raise StaleVersionError(self)

    monkeypatch.setattr(Person, "save", stale)
    response = ana.patch(f"/api/v1/people/{case.person_id}/", {"rank": "Major"})
    assert response.status_code == 412
    assert response.json()["detail"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks and real concurrent sessions")
@pytest.mark.parametrize("model", [Case, Person])
def test_two_sessions_saving_one_version_at_once_one_is_refused(model):
    """Two threads, each with its own database connection, read the same
    version and save at the same moment: the conditional update lets exactly
    one through."""
    case = make_case(summary="Start.")
    obj = case if model is Case else case.person
    copies = [model.objects.get(pk=obj.pk) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def save(copy, value):
        try:
            copy.private_notes = value
            barrier.wait()
            copy.save()
            outcomes.append(("saved", value))
        except StaleVersionError:
            outcomes.append(("refused", value))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(copy, f"by {n}")) for n, copy in enumerate(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(kind for kind, _ in outcomes) == ["refused", "saved"]
    [winner] = [value for kind, value in outcomes if kind == "saved"]
    fresh = model.objects.get(pk=obj.pk)
    assert (fresh.private_notes, fresh.version) == (winner, obj.version + 1)
