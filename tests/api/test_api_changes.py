"""Polling for what changed: the change feed and cases?updated_since."""

import datetime

import pytest
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.filters import settled_changes
from cases.models import CaseChange
from cases.services import record_status_update
from tests.conftest import make_case

D = datetime.date


def record(case, day):
    record_status_update(case=case, status="released", effective_on=D(2024, 1, day))


def read_all(client, url, *, between_pages=None):
    """Follow `next` links to the end; returns every item, calling between_pages after each page."""
    items, page = [], client.get(url).json()
    while True:
        items.extend(page["results"])
        if between_pages:
            between_pages(page)
        if not page["next"]:
            return items, page["cursor"]
        page = client.get(page["next"]).json()


def test_change_feed_whole_payload(held_case, anon_client):
    change = held_case.changes.get()
    assert anon_client.get("/api/v1/changes/").json() == {
        "next": None,
        "cursor": change.pk,
        "results": [
            {
                "id": change.pk,
                "case": held_case.reference,
                "kind": "status",
                "changed_at": change.changed_at.isoformat().replace("+00:00", "Z"),
            }
        ],
    }


def test_change_feed_paging_loses_nothing_while_status_updates_are_written(db, reader_client):
    cases = [make_case(status="detained") for _ in range(12)]
    written = iter(range(1, 29))

    def write_between_pages(page):
        # One case already served and one not yet served change on every page.
        record(cases[0], next(written))
        record(cases[-1], next(written))

    changes, cursor = read_all(
        reader_client, "/api/v1/changes/?page_size=5", between_pages=write_between_pages
    )
    ids = [change["id"] for change in changes]
    assert ids == sorted(set(ids))
    # Writes after the last page are picked up from the stored cursor.
    later, _ = read_all(reader_client, f"/api/v1/changes/?after={cursor}&page_size=5")
    assert set(ids) | {change["id"] for change in later} == set(
        CaseChange.objects.values_list("pk", flat=True)
    )


def test_updated_since_paging_loses_nothing_while_status_updates_are_written(db, reader_client):
    untouched = make_case(status="detained")
    CaseChange.objects.filter(case=untouched).update(changed_at=timezone.now() - datetime.timedelta(days=2))
    since = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    cases = [make_case(status="detained") for _ in range(9)]
    written = iter(range(1, 29))
    changed_during_paging = []

    def write_between_pages(page):
        for case in (cases[0], cases[-1]):
            record(case, next(written))
            changed_during_paging.append(case.reference)

    url = f"/api/v1/cases/?updated_since={since.replace('+', '%2B')}&page_size=4"
    served, cursor = read_all(reader_client, url, between_pages=write_between_pages)
    later, _ = read_all(reader_client, f"{url}&after={cursor}")
    references = [case["reference"] for case in served + later]
    assert set(references) == {case.reference for case in cases}
    assert untouched.reference not in references
    # A case changed after it was served comes again, with its new status.
    assert references[-1] in changed_during_paging
    assert served[0]["status"] == "detained"
    assert {case["status"] for case in later} <= {"released"}


def test_updated_since_envelope_and_bad_instant(held_case, anon_client):
    body = anon_client.get("/api/v1/cases/?updated_since=2000-01-01T00:00:00Z").json()
    assert (body["count"], body["previous"], body["next"]) == (None, None, None)
    assert body["cursor"] == held_case.changes.get().pk
    assert [case["reference"] for case in body["results"]] == [held_case.reference]
    response = anon_client.get("/api/v1/cases/?updated_since=yesterday")
    assert (response.status_code, list(response.json())) == (400, ["updated_since"])
    response = anon_client.get("/api/v1/changes/?after=abc")
    assert (response.status_code, list(response.json())) == (400, ["after"])


def test_settle_window_holds_back_changes_a_late_commit_could_land_behind(settings, held_case, reader_client):
    """Transaction A stamps its change and takes id n+2 but has not committed;
    transaction B stamps later, takes n+3 and commits. A reader must not move
    its cursor past n+2 before A commits: B's row is held back until it is
    older than the settle window, by which time A (which commits within the
    window) is visible. Uncommitted rows are simulated by inserting them later
    with explicit ids."""
    settings.API_CHANGES_SETTLE_SECONDS = 2
    now = timezone.now()
    CaseChange.objects.update(changed_at=now - datetime.timedelta(days=1))
    base = CaseChange.objects.aggregate(last=Max("pk"))["last"] + 1000

    def change(offset, age):
        CaseChange.objects.create(pk=base + offset, case=held_case, kind="fields", changed_at=now - age)

    change(1, datetime.timedelta(hours=1))
    change(3, datetime.timedelta(0))  # B, committed
    first = reader_client.get(f"/api/v1/changes/?after={base}").json()
    assert ([row["id"] for row in first["results"]], first["cursor"]) == ([base + 1], base + 1)

    change(2, datetime.timedelta(milliseconds=500))  # A commits
    settings.API_CHANGES_SETTLE_SECONDS = 0  # the window has passed
    second = reader_client.get(f"/api/v1/changes/?after={first['cursor']}").json()
    assert [row["id"] for row in second["results"]] == [base + 2, base + 3]


def test_settle_horizon_is_the_least_id_in_the_window(settings, held_case):
    # Ids and stamps disagree while transactions overlap: the row stamped
    # earlier can hold the higher id. Everything from the window's least id on
    # is held back.
    settings.API_CHANGES_SETTLE_SECONDS = 60
    now = timezone.now()
    CaseChange.objects.update(changed_at=now - datetime.timedelta(days=1))
    settled = held_case.changes.get()
    CaseChange.objects.create(case=held_case, kind="fields", changed_at=now - datetime.timedelta(seconds=10))
    CaseChange.objects.create(case=held_case, kind="fields", changed_at=now - datetime.timedelta(seconds=30))
    assert list(settled_changes()) == [settled]


def test_change_feed_applies_the_publication_rule_by_joining_not_listing_every_public_case(
    held_case, anon_client
):
    # "case IN (SELECT every public case)" is built in full per request on SQLite.
    with CaptureQueriesContext(connection) as captured:
        assert anon_client.get("/api/v1/changes/").json()["results"]
    page = captured.captured_queries[-1]["sql"]
    assert '"cases_case"."person_consents"' in page
    assert "IN (SELECT" not in page


def test_change_feed_follows_each_client_s_rights_whoever_asked_before(held_case, anon_client, reader_client):
    # The view keeps one queryset for every request (ChangeViewSet.queryset).
    hidden = make_case(is_public=False, status="detained")
    everyone, public = {held_case.reference, hidden.reference}, {held_case.reference}
    for client, expected in [(reader_client, everyone), (anon_client, public)] * 2:
        assert {row["case"] for row in client.get("/api/v1/changes/").json()["results"]} == expected


def test_change_feed_filters(db, reader_client):
    case = make_case(status="detained")
    other = make_case(status="detained")
    record(case, 2)
    by_case = reader_client.get(f"/api/v1/changes/?case={case.reference}").json()["results"]
    assert {row["case"] for row in by_case} == {case.reference}
    kinds = reader_client.get("/api/v1/changes/?kind=status,created").json()["results"]
    assert len(kinds) == 3
    future = reader_client.get("/api/v1/changes/?since=2999-01-01T00:00:00Z").json()["results"]
    assert future == []
    assert other.changes.exists()


def test_instants_with_extreme_offsets_answer_400_or_200_never_500(db, anon_client):
    # PostgreSQL refuses UTC offsets beyond 16 hours; Python parses up to 24.
    assert anon_client.get("/api/v1/changes/?since=5272-06-27T07:15:01-20:13").status_code == 200
    assert anon_client.get("/api/v1/cases/?updated_since=0139-08-26T04:03:05-20:41").status_code == 200
    response = anon_client.get("/api/v1/cases/?updated_since=9999-12-31T23:00:00-20:00")
    assert (response.status_code, list(response.json())) == (400, ["updated_since"])


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite plans without statistics")
def test_change_feed_finds_each_change_s_case_by_its_primary_key(held_case, anon_client):
    # SQLite keeps no statistics unless ANALYZE runs, and takes an equality on
    # an index's key for a narrow search: an index keyed on is_public made it
    # join the feed through every public case (16 ms against 0.8 ms at 10,000).
    with CaptureQueriesContext(connection) as captured:
        anon_client.get("/api/v1/changes/?after=0")
    (feed,) = [
        query["sql"] for query in captured if "cases_casechange" in query["sql"] and "JOIN" in query["sql"]
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {feed}")
        plan = [row[-1] for row in cursor.fetchall()]
    assert "SEARCH cases_case USING INTEGER PRIMARY KEY (rowid=?)" in plan, plan
