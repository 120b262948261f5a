"""Every page costs the same number of queries whatever the number of rows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case
from cases.sitemaps import PublicSitemap
from tests.conftest import make_article, make_case, make_facility
from tests.public.conftest import add_history

# Today's counts, as upper bounds: a new query on a page has to be a decision.
LIMITS = {
    "home": 3,
    "case-list": 4,
    "case-list-filtered": 4,
    "case-detail": 9,
    "facility-list": 4,
    "facility-detail": 3,
    "sources": 2,
    "feed": 1,
    "case-feed": 2,
    # The index counts each section's items to know its pages; a section page
    # counts its section's (is there such a page?) and reads that page alone.
    "sitemap-index": 2,
    "sitemap-section": 2,
}


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def assert_constant(name, client, url, grow):
    """Queries for `url` at 10 rows, then again after `grow` brings it to 100 rows."""
    small = queries(client, url() if callable(url) else url)
    grow()
    large = queries(client, url() if callable(url) else url)
    print(f"{name}: {small} queries at 10 rows, {large} at 100")
    assert small == large, f"{name}: {small} queries at 10 rows but {large} at 100"
    assert large <= LIMITS[name]


@pytest.fixture
def facility(db):
    return make_facility(name="Big House", slug="big-house", country="US")


def cases_at(facility, count):
    for _ in range(count):
        case = make_case(status="detained", facility=facility, person=None, group_name="Group")
        case.custodies.get().sources.add(make_article())


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("home", "/"),
        ("case-list", "/cases/"),
        ("case-list-filtered", "/cases/?status=detained&country=US&facility=big-house&q=group"),
        ("facility-list", "/facilities/"),
        ("facility-detail", "/facilities/big-house/"),
        ("sources", "/sources/"),
        ("feed", "/feed/"),
        ("sitemap-index", "/sitemap.xml"),
        ("sitemap-section", "/sitemap-cases.xml"),
        ("sitemap-section", "/sitemap-facilities.xml"),
    ],
)
def test_list_pages_query_count_constant(client, facility, name, url):
    cases_at(facility, 10)
    assert_constant(name, client, url, lambda: cases_at(facility, 90))


def test_facility_list_query_count_constant_in_facilities(client, db):
    def facilities(count):
        for _ in range(count):
            make_case(status="detained", facility=make_facility())

    facilities(10)
    assert_constant("facility-list", client, "/facilities/", lambda: facilities(90))


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("sitemap-index", "/sitemap.xml"),
        ("sitemap-section", "/sitemap-cases.xml?p=2"),
        ("sitemap-section", "/sitemap-facilities.xml?p=2"),
    ],
)
def test_sitemap_query_count_constant_in_pages(client, db, monkeypatch, name, url):
    """Whatever the number of pages the index lists, and on any page."""
    monkeypatch.setattr(PublicSitemap, "limit", 10)

    def cases(count):
        for _ in range(count):
            make_case(status="detained", facility=make_facility())

    cases(10)
    assert_constant(name, client, url, lambda: cases(90))


def test_case_detail_and_feed_query_count_constant_in_facts(client, db):
    case = make_case()
    add_history(case, 10)
    assert_constant(
        "case-detail",
        client,
        case.get_absolute_url(),
        lambda: add_history(case, 90, start=datetime.date(2005, 1, 1)),
    )
    assert Case.objects.public().get().status_updates.count() == 100
    assert queries(client, f"{case.get_absolute_url()}feed/") <= LIMITS["case-feed"]
