"""Consent scopes decide what reaches the public, and a withdrawal takes
effect on the very next request: grant, fetch everything public, withdraw
through the ledger service, fetch again. Nothing may be served from a stale
copy (a view cache, a feed, the sitemap, a shared HTTP cache)."""

import datetime
from pathlib import Path

import pytest
from django.utils.cache import get_max_age

from cases.models import Account, Case
from cases.services import record_status_update
from people.models import ConsentScope
from people.photos import sanitize_photo
from people.services import person_set_photo, record_consent
from tests.conftest import make_article, make_case, make_facility, make_person
from tests.people.test_photos import image_bytes, upload
from tests.public.conftest import sitemap_locations, sitemap_pages

NAME = "Rosalba Quintana"
SUMMARY = "Navy lieutenant who refused an order."
QUOTE = "They took my passport at the border."
FACILITY = "Otero Processing Center"
ARTICLE = "Interview with the lieutenant"


@pytest.fixture
def case(db):
    """A public case whose person granted every scope through the ledger."""
    person = make_person(full_name=NAME, public_summary=SUMMARY, consent_to_publish=False)
    person_set_photo(person=person, photo_files=sanitize_photo(upload(image_bytes())))
    record_consent(person=person, scopes=ConsentScope.values, granted=True, method="in_person")
    case = make_case(person=person, facility=make_facility(name=FACILITY, slug="otero"), summary=SUMMARY)
    record_status_update(case=case, status="detained", effective_on=datetime.date(2021, 6, 1))
    # Cited only by the account: public only while the quote is.
    Account.objects.create(person=person, article=make_article(title=ARTICLE), quote=QUOTE)
    return Case.objects.select_related("person").get(pk=case.pk)


def withdraw(case, scope):
    record_consent(
        person=case.person, scopes=[scope], granted=False, method="lawyer", note="Family threatened"
    )


def public_urls(case):
    page = case.get_absolute_url()
    return [
        "/",
        "/cases/",
        f"/cases/?q={NAME.split()[0]}",
        page,
        f"/es{page}",
        f"{page}feed/",
        "/feed/",
        "/es/feed/",
        "/facilities/",
        "/facilities/otero/",
        "/sources/",
        "/api/v1/cases/",
        f"/api/v1/cases/{case.reference}/",
        f"/api/v1/cases/{case.reference}/status/",
        f"/api/v1/cases/{case.reference}/status-updates/",
        "/api/v1/changes/",
        "/api/v1/accounts/",
        "/api/v1/articles/",
        "/api/v1/facilities/",
    ]


def fetch_public(client, case):
    """Every public response as {url: (status, body)}, sitemap pages included,
    checked to be uncacheable by a shared cache that could then serve it after
    a withdrawal."""
    responses = {}
    fetched = {url: client.get(url) for url in public_urls(case)}
    for url, response in {**fetched, **sitemap_pages(client)}.items():
        assert (get_max_age(response) or 0) == 0, url
        assert "public" not in response.get("Cache-Control", ""), url
        responses[url] = (response.status_code, response.content.decode())
    return responses


def containing(responses, text):
    return sorted(url for url, (_status, body) in responses.items() if text in body)


@pytest.fixture(autouse=True)
def _no_api_throttling(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None},
    }
    settings.API_CHANGES_SETTLE_SECONDS = 0


def test_name_withdrawn_takes_the_case_off_everything_public(client, case):
    page, api = case.get_absolute_url(), f"/api/v1/cases/{case.reference}/"
    before = fetch_public(client, case)
    assert {url for url, (status, _body) in before.items() if status != 200} == set()
    naming = {
        *("/", "/cases/", f"/cases/?q={NAME.split()[0]}", "/facilities/otero/"),
        *(page, f"/es{page}", f"{page}feed/", "/feed/", "/es/feed/"),
        *("/api/v1/cases/", api),
    }
    assert containing(before, NAME) == sorted(naming)
    assert containing(before, case.reference) == sorted(
        naming | {"/sitemap-cases.xml", "/api/v1/changes/", f"{api}status/"}
    )
    assert "/sitemap-facilities.xml" in containing(before, "/facilities/otero/")

    withdraw(case, ConsentScope.NAME)

    after = fetch_public(client, case)
    gone = {
        page,
        f"/es{page}",
        f"{page}feed/",
        "/facilities/otero/",
        api,
        f"{api}status/",
        f"{api}status-updates/",
    }
    assert {url for url, (status, _body) in after.items() if status != 200} == gone
    for text in (NAME, SUMMARY, QUOTE, FACILITY, ARTICLE, Path(case.person.photo.name).stem):
        assert containing(after, text) == [], text
    # A 404 names only the address asked for, exactly like one for a case that never existed.
    kept = {url: after[url] for url in set(after) - gone}
    assert containing(kept, case.reference) == []
    # Its facility held no other public case: off the facility sitemap too.
    assert containing(kept, "/facilities/otero/") == []
    for url in gone:
        missing = client.get(url.replace(case.reference, "CT-1999-9999"))
        assert after[url][1].replace(case.reference, "CT-1999-9999") == missing.content.decode()


def test_photo_shown_only_with_photo_consent_and_gone_on_withdrawal(client, case):
    photo = case.person.photo.name
    page = client.get(case.get_absolute_url()).content.decode()
    assert f'src="/media/{photo}"' in page
    assert f'<meta property="og:image" content="http://testserver/media/{photo}">' in page
    before = fetch_public(client, case)
    # Nowhere but the case page (in both languages): no feed, sitemap or API response.
    assert containing(before, Path(photo).stem) == sorted(
        [case.get_absolute_url(), f"/es{case.get_absolute_url()}"]
    )

    withdraw(case, ConsentScope.PHOTO)

    after = fetch_public(client, case)
    assert containing(after, Path(photo).stem) == []
    assert containing(after, "og:image") == []
    assert containing(after, NAME)  # the rest of the case stays public


def test_quotes_shown_only_with_accounts_consent_and_gone_on_withdrawal(client, case):
    before = fetch_public(client, case)
    assert containing(before, QUOTE) == sorted(
        [case.get_absolute_url(), f"/es{case.get_absolute_url()}", "/api/v1/accounts/"]
    )
    assert "/sources/" in containing(before, ARTICLE)

    withdraw(case, ConsentScope.ACCOUNTS)

    after = fetch_public(client, case)
    assert containing(after, QUOTE) == []
    # The article was cited by the quote alone.
    assert containing(after, ARTICLE) == []
    assert containing(after, NAME)


def test_summary_shown_only_with_summary_consent_and_gone_on_withdrawal(client, case):
    before = fetch_public(client, case)
    assert case.get_absolute_url() in containing(before, SUMMARY)
    assert f"/api/v1/cases/{case.reference}/" in containing(before, SUMMARY)

    withdraw(case, ConsentScope.SUMMARY)

    after = fetch_public(client, case)
    assert containing(after, SUMMARY) == []
    assert containing(after, NAME)


def test_regranting_brings_the_case_back_at_once(client, case):
    withdraw(case, ConsentScope.NAME)
    assert client.get(case.get_absolute_url()).status_code == 404
    record_consent(person=case.person, scopes=[ConsentScope.NAME], granted=True, method="writing")
    assert NAME in client.get(case.get_absolute_url()).content.decode()
    assert f"http://testserver{case.get_absolute_url()}" in sitemap_locations(client)
