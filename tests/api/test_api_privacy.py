"""Who sees what, route by route: canaries in every private field, 404 for what
an anonymous client may not see."""

import re
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from drf_spectacular.generators import SchemaGenerator

from cases.serializers import CaseSerializer
from tests.api.conftest import BIRTH_DATES, CANARY

# Every GET route of the API, with placeholders filled from the seeded data.
# A test below checks that this list covers every path of the schema.
ROUTES = [
    "/api/v1/cases/",
    "/api/v1/cases/?page_size=100&ordering=-updated_at",
    "/api/v1/cases/?updated_since=2000-01-01T00:00:00Z",
    "/api/v1/cases/?q=subject",
    "/api/v1/cases/?facility=seeded-facility&country=us&status=detained",
    "/api/v1/cases/?person={hidden_person}",
    "/api/v1/cases/?person={unconsented_person}",
    "/api/v1/cases/{public}/",
    "/api/v1/cases/{hidden}/",
    "/api/v1/cases/{unconsented}/",
    "/api/v1/cases/{public}/status/",
    "/api/v1/cases/{hidden}/status/",
    "/api/v1/cases/{public}/status-updates/",
    "/api/v1/cases/{hidden}/status-updates/",
    "/api/v1/cases/{public}/custody/",
    "/api/v1/cases/{unconsented}/custody/",
    "/api/v1/cases/{public}/legal-events/",
    "/api/v1/cases/{unconsented}/legal-events/",
    "/api/v1/cases/{public}/history/",
    "/api/v1/cases/{hidden}/history/",
    "/api/v1/changes/",
    "/api/v1/changes/?case={hidden}",
    "/api/v1/people/",
    "/api/v1/people/{public_person}/",
    "/api/v1/people/{hidden_person}/",
    "/api/v1/people/{public_person}/consents/",
    "/api/v1/people/{hidden_person}/consents/",
    "/api/v1/facilities/",
    "/api/v1/facilities/seeded-facility/",
    "/api/v1/facilities/hidden-only/",
    "/api/v1/facilities/?country=us",
    "/api/v1/articles/",
    "/api/v1/articles/{article}/",
    "/api/v1/articles/{hidden_article}/",
    "/api/v1/cases/{quiet}/",
    "/api/v1/accounts/",
    "/api/v1/accounts/{public_account}/",
    "/api/v1/accounts/{hidden_account}/",
    "/api/v1/accounts/?person={hidden_person}",
    "/api/v1/auth/tokens/",
]


def fill(route, seeded):
    cases = seeded["cases"]
    return route.format(
        public=cases["public"].reference,
        hidden=cases["hidden"].reference,
        unconsented=cases["unconsented"].reference,
        public_person=cases["public"].person_id,
        hidden_person=cases["hidden"].person_id,
        unconsented_person=cases["unconsented"].person_id,
        public_account=cases["public"].person.accounts.get().pk,
        hidden_account=cases["hidden"].person.accounts.get().pk,
        article=seeded["article"].pk,
        hidden_article=seeded["hidden_article"].pk,
        quiet=seeded["quiet"].reference,
    )


def private_canaries():
    return [CANARY, *(date.isoformat() for date in BIRTH_DATES.values())]


def unpublished_canaries(seeded):
    """What would identify the two non-public cases to an anonymous client."""
    return [
        *(
            text
            for tag in ("hidden", "unconsented")
            for text in (seeded["cases"][tag].reference, f"Subject {tag}", f"Alias {tag}", f"Summary {tag}")
        ),
        "Hidden-only",
        "hidden-only",
        "Summary quiet",
    ]


@pytest.mark.parametrize("route", ROUTES)
def test_anonymous_response_never_contains_private_or_unpublished_data(route, seeded, anon_client):
    response = anon_client.get(fill(route, seeded))
    assert response.status_code in {200, 401, 404}
    body = response.content.decode()
    for canary in private_canaries() + unpublished_canaries(seeded):
        assert canary not in body


@pytest.mark.parametrize("route", ROUTES)
def test_reader_response_never_contains_private_fields(route, seeded, reader_client):
    response = reader_client.get(fill(route, seeded))
    assert response.status_code == 200
    body = response.content.decode()
    for canary in private_canaries():
        assert canary not in body


def test_privacy_routes_cover_every_api_path(rf):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    templates = {re.sub(r"\{[^}]+\}", "{x}", path) for path in schema["paths"]}
    covered = {
        re.sub(r"\{[^}]+\}|seeded-facility|hidden-only", "{x}", route.split("?")[0]) for route in ROUTES
    }
    # The token endpoint only answers POST, a token's own path only DELETE.
    assert templates - covered == {"/api/v1/auth/token/", "/api/v1/auth/tokens/{x}/"}


def test_advocate_sees_private_fields(seeded, advocate_client):
    case = seeded["cases"]["hidden"]
    body = advocate_client.get(f"/api/v1/cases/{case.reference}/").json()
    assert body["private_notes"] == f"{CANARY}-case-notes-hidden"
    person = advocate_client.get(f"/api/v1/people/{case.person_id}/").json()
    assert (person["alien_number"], person["date_of_birth"]) == (f"{CANARY}-alien-hidden", "1912-12-12")
    [update] = advocate_client.get(f"/api/v1/cases/{case.reference}/status-updates/").json()["results"]
    assert (update["internal_note"], update["recorded_by"]) == (
        f"{CANARY}-internal-hidden",
        f"{CANARY}-recorder",
    )


def test_reader_gets_private_fields_absent_not_null(seeded, reader_client):
    case = seeded["cases"]["hidden"]
    body = reader_client.get(f"/api/v1/cases/{case.reference}/").json()
    assert "private_notes" not in body
    person = reader_client.get(f"/api/v1/people/{case.person_id}/").json()
    assert {"alien_number", "date_of_birth", "private_notes"}.isdisjoint(person)
    [update] = reader_client.get(f"/api/v1/cases/{case.reference}/status-updates/").json()["results"]
    assert {"internal_note", "recorded_by"}.isdisjoint(update)


@pytest.mark.parametrize("tag", ["hidden", "unconsented"])
@pytest.mark.parametrize("suffix", ["", "status/", "status-updates/", "custody/", "legal-events/"])
def test_anonymous_gets_404_for_non_public_case_exactly_like_a_missing_one(tag, suffix, seeded, anon_client):
    hidden = anon_client.get(f"/api/v1/cases/{seeded['cases'][tag].reference}/{suffix}")
    missing = anon_client.get(f"/api/v1/cases/CT-1999-9999/{suffix}")
    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())
    assert hidden.status_code == 404


def test_anonymous_counts_and_feeds_include_public_cases_only(seeded, anon_client):
    public = seeded["cases"]["public"].reference
    assert anon_client.get("/api/v1/cases/").json()["count"] == 2
    assert {change["case"] for change in anon_client.get("/api/v1/changes/").json()["results"]} == {public}
    article = anon_client.get(f"/api/v1/articles/{seeded['article'].pk}/").json()
    assert article["cases"] == [public]
    accounts = anon_client.get("/api/v1/accounts/").json()
    assert [account["quote"] for account in accounts["results"]] == ["Quote public"]


def test_anonymous_case_without_summary_consent_has_no_summary(seeded, anon_client, reader_client):
    url = f"/api/v1/cases/{seeded['quiet'].reference}/"
    assert "summary" not in anon_client.get(url).json()
    assert reader_client.get(url).json()["summary"] == "Summary quiet"
    assert anon_client.get(f"/api/v1/cases/{seeded['cases']['public'].reference}/").json()["summary"] == (
        "Summary public"
    )


def test_reader_sees_every_case_and_article_link(seeded, reader_client):
    references = sorted(case.reference for case in seeded["cases"].values())
    assert reader_client.get("/api/v1/cases/").json()["count"] == 4
    assert reader_client.get(f"/api/v1/articles/{seeded['article'].pk}/").json()["cases"] == references


@pytest.mark.parametrize("path", ["/api/v1/cases/?person=", "/api/v1/accounts/?person="])
def test_anonymous_filter_by_person_does_not_tell_hidden_from_missing(path, seeded, anon_client):
    hidden = anon_client.get(f"{path}{seeded['cases']['hidden'].person_id}")
    missing = anon_client.get(f"{path}999999")
    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())
    assert hidden.json()["results"] == []


def test_people_not_available_anonymously(seeded, anon_client):
    assert anon_client.get("/api/v1/people/").status_code == 401
    assert anon_client.get(f"/api/v1/people/{seeded['cases']['public'].person_id}/").status_code == 401


def test_is_public_filter_is_ignored_for_anonymous_clients(seeded, anon_client, reader_client):
    public = {seeded["cases"]["public"].reference, seeded["quiet"].reference}
    anonymous = anon_client.get("/api/v1/cases/?is_public=false").json()["results"]
    assert {case["reference"] for case in anonymous} == public
    hidden = reader_client.get("/api/v1/cases/?is_public=false").json()["results"]
    assert [case["reference"] for case in hidden] == [seeded["cases"]["hidden"].reference]


@pytest.mark.parametrize(("role", "private_shown"), [(None, False), ("reader", False), ("advocate", True)])
def test_case_documents_show_the_fields_drf_would_build_for_the_user(role, private_shown, request, db):
    """CaseSerializer writes its documents without building its fields; the
    names it shows must be the fields DRF builds for the same user."""
    user = request.getfixturevalue(role) if role else AnonymousUser()
    serializer = CaseSerializer(context={"request": SimpleNamespace(user=user)})
    assert serializer.shown_fields == list(serializer.fields)
    assert ("private_notes" in serializer.shown_fields) is private_shown
