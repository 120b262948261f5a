"""/facilities/: paginated, by the country's name in the page's language, then name."""

import datetime
import re

import pytest

from cases import views
from cases.models import Custody
from tests.conftest import make_case, make_facility, make_person
from tests.public.conftest import page_text

D = datetime.date


def listed(response):
    """Country headings and facility names, in page order."""
    assert response.status_code == 200
    return re.findall(
        r"<h2[^>]*>([^<]+)</h2>|<a href=\"[^\"]*/facilities/[^/]+/\">([^<]+)</a>", response.content.decode()
    )


def entries(response):
    return [heading or name for heading, name in listed(response)]


@pytest.fixture
def three_countries(db):
    # Created out of order, so that neither pk nor code order gives the answer.
    for name, country in [
        ("Beta Jail", "US"),
        ("Kyoto Centre", "JP"),
        ("Alpha Jail", "US"),
        ("Berlin Haus", "DE"),
        ("Osaka Centre", "JP"),
    ]:
        make_case(facility=make_facility(name=name, country=country))


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        (
            "",
            [
                "Germany",
                "Berlin Haus",
                "Japan",
                "Kyoto Centre",
                "Osaka Centre",
                "United States of America",
                "Alpha Jail",
                "Beta Jail",
            ],
        ),
        (
            "/es",
            [
                "Alemania",
                "Berlin Haus",
                "Estados Unidos",
                "Alpha Jail",
                "Beta Jail",
                "Japón",
                "Kyoto Centre",
                "Osaka Centre",
            ],
        ),
    ],
)
def test_facility_list_orders_by_country_name_in_the_language_then_name(
    client, three_countries, prefix, expected
):
    assert entries(client.get(f"{prefix}/facilities/")) == expected


def test_facility_list_paginates_and_repeats_a_split_countrys_heading(client, three_countries, monkeypatch):
    monkeypatch.setattr(views, "FACILITIES_PER_PAGE", 3)
    first = client.get("/es/facilities/")
    assert entries(first) == ["Alemania", "Berlin Haus", "Estados Unidos", "Alpha Jail", "Beta Jail"]
    assert "Página 1 de 2" in page_text(first)
    assert 'href="?page=2" rel="next"' in first.content.decode()
    second = client.get("/es/facilities/", {"page": 2})
    assert entries(second) == ["Japón", "Kyoto Centre", "Osaka Centre"]
    assert "Página 2 de 2" in page_text(second)

    monkeypatch.setattr(views, "FACILITIES_PER_PAGE", 2)
    pages = [entries(client.get("/facilities/", {"page": number})) for number in (1, 2, 3)]
    assert pages == [
        ["Germany", "Berlin Haus", "Japan", "Kyoto Centre"],
        ["Japan", "Osaka Centre", "United States of America", "Alpha Jail"],
        ["United States of America", "Beta Jail"],
    ]
    assert "Page 3 of 3" in page_text(client.get("/facilities/", {"page": 3}))


@pytest.mark.parametrize(("asked", "shown"), [("99", 3), ("0", 3), ("-1", 3), ("abc", 1), ("", 1)])
def test_facility_list_page_out_of_range_is_like_case_list(
    client, three_countries, monkeypatch, asked, shown
):
    monkeypatch.setattr(views, "FACILITIES_PER_PAGE", 2)
    monkeypatch.setattr(views, "CASES_PER_PAGE", 2)
    facilities = page_text(client.get("/facilities/", {"page": asked}))
    cases = page_text(client.get("/cases/", {"page": asked}))
    assert f"Page {shown} of 3" in facilities
    assert f"Page {shown} of 3" in cases
    assert entries(client.get("/facilities/", {"page": asked})) == entries(
        client.get("/facilities/", {"page": shown})
    )


def test_facility_list_counts_and_lists_through_public_cases_only(client, db, monkeypatch):
    monkeypatch.setattr(views, "FACILITIES_PER_PAGE", 1)
    shared = make_facility(name="Shared Jail", country="US")
    earlier = make_facility(name="Earlier Jail", country="US")
    secret = make_facility(name="Secret Jail", country="US")
    abroad = make_facility(name="Secret Abroad", country="MN")
    moved = make_case(facility=shared)
    Custody.objects.filter(case=moved).update(started_on=D(2020, 1, 1))
    Custody.objects.create(case=moved, facility=earlier, started_on=D(2019, 4, 11), ended_on=D(2020, 1, 1))
    make_case(facility=shared)
    # Hidden cases, each way a case can be hidden, at a listed facility and alone.
    for facility in (shared, earlier, secret, abroad):
        make_case(facility=facility, is_public=False)
        make_case(facility=facility, person=make_person(consent_to_publish=False))
    Custody.objects.create(
        case=make_case(is_public=False), facility=earlier, started_on=D(2019, 1, 1), ended_on=D(2019, 2, 1)
    )

    pages = [
        page_text(client.get(url, {"page": n}))
        for url in ("/facilities/", "/es/facilities/")
        for n in (1, 2, 3)
    ]
    assert "Earlier Jail (Somewhere) 0 cases held now · 1 case in all" in pages[0]
    assert "Shared Jail (Somewhere) 2 cases held now · 2 cases in all" in pages[1]
    assert pages[2] == pages[1]  # two pages, whatever is asked
    assert "Página 2 de 2" in pages[4]
    for page in pages:
        assert "Secret" not in page
        assert "Mongolia" not in page
