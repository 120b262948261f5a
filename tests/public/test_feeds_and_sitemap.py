import datetime
import xml.etree.ElementTree as ET

import pytest
from django.contrib.sitemaps import Sitemap
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case
from cases.services import record_status_update
from cases.sitemaps import CaseSitemap
from tests.conftest import make_case, make_facility, make_person
from tests.public.conftest import sitemap_pages, sitemap_urls

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response):
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 -- our own response
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "id": entry.findtext(f"{ATOM}id"),
            "summary": entry.findtext(f"{ATOM}summary"),
        }
        for entry in feed.findall(f"{ATOM}entry")
    ]


def test_feed_lists_public_status_changes_newest_first(client, demo):
    items = entries(client.get("/feed/"))
    assert len(items) == 5
    assert items[0]["title"] == (
        "CT-2019-0004 Military deserters with refugee status in Colombia: "
        "Protected (asylum or refugee status granted)"
    )
    parra = next(item for item in items if item["title"] == "CT-2019-0001 Hugo Parra: Detained")
    assert parra["link"].startswith("http://testserver/cases/CT-2019-0001/#status-")
    assert parra["summary"].startswith("Since April 11, 2019. Crossed into the US")
    assert "Disputed: The reports put the crossing" in parra["summary"]
    assert len({item["id"] for item in items}) == 5


def test_feed_leaves_out_hidden_cases(client, db):
    shown = make_case(status="detained")
    make_case(status="detained", is_public=False)
    make_case(status="detained", person=make_person(consent_to_publish=False))
    assert [item["title"] for item in entries(client.get("/feed/"))] == [
        f"{shown.reference} {shown.subject_name}: Detained"
    ]


def test_case_feed_has_only_that_case(client, db):
    case = make_case(status="detained")
    record_status_update(case=case, status="released", effective_on=datetime.date(2021, 1, 1))
    make_case(status="detained")
    titles = [item["title"] for item in entries(client.get(f"{case.get_absolute_url()}feed/"))]
    assert titles == [
        f"{case.reference} {case.subject_name}: Released",
        f"{case.reference} {case.subject_name}: Detained",
    ]


def test_feed_escapes_notes(client, db):
    case = make_case()
    record_status_update(
        case=case, status="detained", effective_on=datetime.date(2021, 1, 1), note="<b>bold</b>"
    )
    assert entries(client.get("/feed/"))[0]["summary"].endswith("&lt;b&gt;bold&lt;/b&gt;")


def test_sitemap_lists_public_pages_in_both_languages(client, demo):
    hidden = make_case(is_public=False, facility=make_facility(slug="hidden-place"))
    unconsented = make_case(person=make_person(consent_to_publish=False))
    pages = sitemap_pages(client)
    assert list(pages) == [
        "/sitemap.xml",
        "/sitemap-pages.xml",
        "/sitemap-cases.xml",
        "/sitemap-facilities.xml",
    ]
    urls = sitemap_urls(client, pages)
    locations = [loc for loc, _alternates in urls]
    base = "http://testserver"
    for path in [
        "/",
        "/cases/",
        "/facilities/",
        "/sources/",
        "/cases/CT-2019-0001/",
        "/cases/CT-2019-0004/",
        "/facilities/winn-correctional-center/",
        "/facilities/ice-texas-unnamed/",
    ]:
        assert base + path in locations
        assert base + "/es" + path in locations
    assert len(locations) == len(set(locations)) == 2 * (4 + 4 + 3)
    for path, response in pages.items():
        body = response.content.decode()
        assert hidden.reference not in body, path
        assert unconsented.reference not in body, path
        assert "hidden-place" not in body, path
    for loc, alternates in urls:
        english = loc.replace(f"{base}/es/", f"{base}/", 1)
        assert alternates == {
            "en": english,
            "es": english.replace(base, f"{base}/es", 1),
            "x-default": english,
        }, loc


def test_sitemap_index_lists_every_page_of_a_section_over_its_limit(client, demo, monkeypatch):
    hidden = make_case(is_public=False)
    unconsented = make_case(person=make_person(consent_to_publish=False))
    # Four public cases in two languages: eight <url>s, three to a page.
    monkeypatch.setattr(CaseSitemap, "limit", 3)
    pages = sitemap_pages(client)
    assert [path for path in pages if path.startswith("/sitemap-cases.xml")] == [
        "/sitemap-cases.xml",
        "/sitemap-cases.xml?p=2",
        "/sitemap-cases.xml?p=3",
    ]
    assert client.get("/sitemap-cases.xml?p=4").status_code == 404
    per_page = {
        path: [loc for loc, _alternates in sitemap_urls(client, {path: response})]
        for path, response in pages.items()
        if path.startswith("/sitemap-cases.xml")
    }
    assert [len(locations) for locations in per_page.values()] == [3, 3, 2]
    public = {case.get_absolute_url() for case in Case.objects.public()}
    assert len(public) == 4
    base = "http://testserver"
    assert sorted(loc for locations in per_page.values() for loc in locations) == sorted(
        [base + url for url in public] + [f"{base}/es{url}" for url in public]
    )
    for path, response in pages.items():
        body = response.content.decode()
        assert hidden.reference not in body, path
        assert unconsented.reference not in body, path


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 7, 8, 9])
def test_sitemap_pages_hold_what_django_s_own_paging_would(demo, limit):
    """Cut out by the database, each page holds the same (case, language)
    pairs, in the same order, as Django's list of every pair would give."""
    sitemap = CaseSitemap()
    sitemap.limit = limit
    ours, djangos = sitemap.paginator, Sitemap.paginator.fget(sitemap)
    assert ours.count == djangos.count == 8  # four public cases, two languages
    assert ours.num_pages == djangos.num_pages
    for number in djangos.page_range:
        pairs = [(case.reference, language) for case, language in ours.page(number)]
        assert pairs == [(case.reference, language) for case, language in djangos.page(number)]


def test_sitemap_index_counts_cases_without_reading_them(client, demo):
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/sitemap.xml").status_code == 200
    # Counted from the tally, as all public cases are.
    assert not [query for query in queries if 'FROM "cases_case"' in query["sql"]]
    assert [query for query in queries if 'FROM "cases_casetally"' in query["sql"]]
