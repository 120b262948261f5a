import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation

from cases.dates import DatePrecision
from cases.models import Account, Custody, Facility, LegalEvent, SourceArticle
from cases.services import record_status_update
from tests.conftest import make_article, make_case, make_facility, make_person
from tests.public.conftest import page_text as text
from tests.public.conftest import png_upload

D = datetime.date


def test_url_names_reverse_to_the_public_paths():
    with translation.override("en"):
        assert reverse("home") == "/"
        assert reverse("case-list") == "/cases/"
        assert reverse("case-detail", kwargs={"reference": "CT-2019-0001"}) == "/cases/CT-2019-0001/"
        assert reverse("case-feed", kwargs={"reference": "CT-2019-0001"}) == "/cases/CT-2019-0001/feed/"
        assert reverse("facility-list") == "/facilities/"
        assert reverse("facility-detail", kwargs={"slug": "winn"}) == "/facilities/winn/"
        assert reverse("source-list") == "/sources/"
        assert reverse("feed") == "/feed/"
        assert reverse("sitemap") == "/sitemap.xml"
        assert reverse("robots-txt") == "/robots.txt"


def test_home_shows_counts_latest_changes_and_chart(client, demo):
    response = client.get("/")
    assert response.status_code == 200
    page = text(response)
    assert "2 Detained" in page
    assert "1 Released" in page
    assert "4 public cases in all" in page
    assert "Hugo Parra" in page
    assert "Dec. 9, 2019" in page  # the latest change, at day precision
    assert "<svg" in response.content.decode()
    assert "Now: 2 cases" in page


def test_home_counts_only_public_cases(client, db):
    make_case(status="detained")
    make_case(status="detained", is_public=False)
    make_case(status="detained", person=make_person(consent_to_publish=False))
    page = text(client.get("/"))
    assert "1 Detained" in page
    assert "1 public case in all" in page


def test_detained_chart_follows_status_history(client, db):
    case = make_case(opened_on=D(2020, 1, 15), status="detained")
    record_status_update(case=case, status="released", effective_on=D(2020, 3, 2))
    make_case(opened_on=D(2020, 2, 3), status="detained")
    page = text(client.get("/"))
    assert "January 2020" in page
    assert "Now: 1 case." in page
    assert "Highest: 2 cases, in February 2020." in page


def test_case_list_rows(client, demo):
    response = client.get("/cases/")
    page = text(response)
    assert "4 cases found" in page
    row = page[page.index("Hugo Parra") :]
    assert row.startswith("Hugo Parra CT-2019-0001 · Major · Army Status Detained Since April 11, 2019")
    assert "Held at Winn Correctional Center" in row
    assert re.search(r"In custody \d+ days", row)
    assert "Military deserters with refugee status in Colombia" in page  # a group case, by its name
    assert "Since April 2019" in page  # status date at month precision


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=detained", {"Hugo Parra", "Erick Molina"}),
        ("status=released", {"Officers sheltered at the Panamanian embassy in Caracas"}),
        ("country=VE", {"Officers sheltered at the Panamanian embassy in Caracas"}),
        ("country=US", {"Hugo Parra"}),
        ("facility=winn-correctional-center", {"Hugo Parra"}),
        ("facility=ice-texas-unnamed", {"Hugo Parra"}),  # held there in the past
        ("branch=army", {"Hugo Parra"}),
        ("q=hugo+parra", {"Hugo Parra"}),
        ("q=MAYOR+parra", {"Hugo Parra"}),  # an alias
        ("q=ct-2019-0002", {"Erick Molina"}),
        ("q=colombia", {"Military deserters with refugee status in Colombia"}),
        ("q=nobody", set()),
    ],
)
def test_case_list_filters_and_search(client, demo, query, expected):
    response = client.get(f"/cases/?{query}")
    assert response.status_code == 200
    names = set(re.findall(r'class="case-name"><a href="[^"]+">([^<]+)</a>', response.content.decode()))
    assert names == expected


def test_case_list_search_ignores_accents(client, db):
    make_case(person=make_person(full_name="José Ángel Pérez"))
    make_case(person=make_person(full_name="Someone Else"))
    for query in ["jose angel perez", "JOSÉ ÁNGEL", "perez"]:
        page = text(client.get("/cases/", {"q": query}))
        assert "José Ángel Pérez" in page
        assert "Someone Else" not in page


def test_case_list_country_choices_offer_only_where_public_cases_are_held(client, db):
    # Mexico's first facility holds only a hidden case, its second a public one.
    make_case(is_public=False, facility=make_facility(name="Hidden In Mexico", country="MX"))
    make_facility(name="Empty In Mexico", country="MX")
    make_case(facility=make_facility(name="Shown In Mexico", country="MX"))
    make_case(facility=make_facility(name="Shown Facility", slug="shown", country="PA"))
    make_case(is_public=False, facility=make_facility(name="Hidden Facility", slug="hidden", country="CL"))
    no_consent = make_person(consent_to_publish=False)
    make_case(person=no_consent, facility=make_facility(name="No Consent Facility", country="PE"))
    make_facility(name="No Cases Facility", country="BR")
    page = client.get("/cases/").content.decode()
    assert '<option value="PA">Panama</option>' in page
    assert '<option value="MX">Mexico</option>' in page
    for hidden in ["Chile", "Peru", "Brazil", "Hidden Facility", "No Consent Facility"]:
        assert hidden not in page


def test_case_list_facility_filter_takes_a_name_or_a_facility_pages_slug(client, db):
    winn = make_facility(name="Winn Correctional Center", slug="winn-correctional-center")
    make_case(person=make_person(full_name="Held In Winn"), facility=winn)
    make_case(person=make_person(full_name="Held Elsewhere"), facility=make_facility(name="Otero"))
    for typed in ["winn correctional", " WINN ", "winn-correctional-center"]:
        page = text(client.get("/cases/", {"facility": typed}))
        assert "Held In Winn" in page, typed
        assert "Held Elsewhere" not in page, typed
    assert (
        'href="/cases/?facility=winn-correctional-center"'
        in client.get(f"/facilities/{winn.slug}/").content.decode()
    )


def test_case_list_facility_filter_finds_nothing_through_unpublished_cases(client, db):
    hidden = make_facility(name="Hidden Detention Center")
    make_case(person=make_person(full_name="Unpublished Person"), is_public=False, facility=hidden)
    page = text(client.get("/cases/", {"facility": "hidden detention"}))
    assert "Unpublished Person" not in page
    assert "0 cases found." in page


def test_case_list_paginates_and_keeps_filters(client, db):
    for _ in range(30):
        make_case(status="detained")
    page = client.get("/cases/", {"status": "detained"}).content.decode()
    assert page.count('class="case-row"') == 25
    assert 'href="?status=detained&amp;page=2"' in page
    second = client.get("/cases/", {"status": "detained", "page": 2}).content.decode()
    assert second.count('class="case-row"') == 5


def test_case_list_invalid_filter_shows_error_not_500(client, demo):
    response = client.get("/cases/", {"status": "nonsense"})
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()


def test_case_detail_shows_person_status_timeline_accounts_and_sources(client, demo):
    response = client.get(demo.get_absolute_url())
    assert response.status_code == 200
    page = text(response)
    assert "Case CT-2019-0001 Major Hugo Parra" in page
    assert "Rank Major" in page
    assert "Branch Army" in page
    assert "Venezuelan army major" in page  # public summary
    assert "Status Detained disputed Since April 11, 2019" in page
    assert "Held at Winn Correctional Center, United States of America" in page
    # Timeline: custody with the transfer, legal events, dates at their precision.
    assert "Held at ICE detention facility in Texas (not named in reports)" in page
    assert (
        "December 2019 Transferred from ICE detention facility in Texas (not named in reports) to Winn Correctional Center"
        in page
    )
    assert "2019 Bond / bail request: Denied First request for bail: refused." in page
    assert "December 2019 Decision: Pending" in page
    assert "Disputed: The reports put the crossing on 11 April 2019" in page
    # Accounts with their source, and the list of sources.
    assert "I have fallen to rock bottom." in page
    assert "As reported by MintPress News, December 2019" in page
    assert "MintPress News, Alan MacLeod, Dec. 27, 2019: Pro-Coup Venezuelan Soldiers" in page
    assert "Antiwar.com, Jason Ditz, May 2019: Details Emerge" in page
    mintpress = SourceArticle.objects.get(outlet="MintPress News")
    assert f'href="{mintpress.url}"' in response.content.decode() or not mintpress.url


def test_case_detail_timeline_is_chronological(client, demo):
    page = text(client.get(demo.get_absolute_url()))
    timeline = page[page.index("Timeline") : page.index("In Hugo Parra’s words")]
    assert timeline.index("April 11, 2019") < timeline.index("December 2019")
    # Known only to the year, the bail requests are told after what is known
    # to the day or month within 2019, not before his arrival.
    assert timeline.index("December 2019") < timeline.index("First request for bail")


def test_case_detail_marks_ended_custody_and_links_facilities(client, db):
    case = make_case(opened_on=D(2020, 5, 1))
    facility = make_facility(name="Old Jail")
    Custody.objects.create(
        case=case,
        facility=facility,
        started_on=D(2020, 5, 1),
        ended_on=D(2021, 1, 1),
        ended_on_precision=DatePrecision.YEAR,
    )
    response = client.get(case.get_absolute_url())
    page = text(response)
    assert "May 1, 2020 Held at Old Jail" in page
    assert "2021 Left Old Jail" in page
    assert f'href="{facility.get_absolute_url()}"' in response.content.decode()
    assert "In custody" in page
    assert "Held at Old Jail" not in page.split("Timeline")[0]  # no current facility


def test_case_detail_dates_at_their_precision(client, db):
    case = make_case(opened_on=D(2019, 4, 1))
    record_status_update(
        case=case, status="detained", effective_on=D(2019, 4, 1), effective_on_precision=DatePrecision.MONTH
    )
    LegalEvent.objects.create(
        case=case, kind="hearing", occurred_on=D(2020, 1, 1), occurred_on_precision=DatePrecision.YEAR
    )
    response = client.get(case.get_absolute_url())
    html = response.content.decode()
    assert '<time datetime="2019-04">April 2019</time>' in html
    assert '<time datetime="2020">2020</time>' in html
    assert "April 1, 2019" not in html
    assert "Jan. 1, 2020" not in html


def test_case_detail_marks_disputed_facts(client, db):
    case = make_case()
    record_status_update(
        case=case,
        status="released",
        effective_on=D(2020, 1, 1),
        is_disputed=True,
        dispute_note="Only the government says so.",
    )
    Account.objects.create(
        person=case.person,
        article=make_article(),
        quote="I am free.",
        is_disputed=True,
        dispute_note="The interview may be staged.",
    )
    page = text(client.get(case.get_absolute_url()))
    assert "Status Released disputed" in page
    assert "Disputed: Only the government says so." in page
    assert "Disputed: The interview may be staged." in page


def test_case_detail_shows_photo_of_consenting_person(client, db):
    case = make_case(person=make_person(full_name="Ana Photographed", photo=png_upload()))
    html = client.get(case.get_absolute_url()).content.decode()
    assert f'src="{case.person.photo.url}"' in html
    assert 'alt="Photo of Ana Photographed"' in html
    assert f'<meta property="og:image" content="http://testserver{case.person.photo.url}">' in html


def test_case_detail_hides_photo_without_photo_consent(client, db):
    person = make_person(full_name="Ana Unphotographed", photo=png_upload(), photo_consent=False)
    case = make_case(person=person)
    response = client.get(case.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ana Unphotographed" in html
    assert person.photo.name not in html
    assert "<img" not in html
    assert "og:image" not in html


def test_case_detail_hides_summary_without_summary_consent(client, db):
    person = make_person(public_summary="Private life story.", summary_consent=False)
    case = make_case(person=person, summary="What the case is about.")
    html = client.get(case.get_absolute_url()).content.decode()
    # The case summary tells the person's story too: it needs the same consent.
    assert "Private life story." not in html
    assert "What the case is about." not in html
    assert f'<meta name="description" content="Case {case.reference}: status, custody and sources.">' in html


def test_case_detail_without_photo_has_no_img(client, db):
    case = make_case()
    html = client.get(case.get_absolute_url()).content.decode()
    assert "<img" not in html
    assert "og:image" not in html


def test_group_case_detail(client, demo):
    response = client.get("/cases/CT-2019-0003/")
    page = text(response)
    assert "Officers sheltered at the Panamanian embassy in Caracas" in page
    assert "Held at Embassy of Panama in Caracas" in page
    assert "Left Embassy of Panama in Caracas" in page
    assert "words" not in page  # a group has no accounts


@pytest.mark.parametrize(
    "make_hidden",
    [
        lambda: make_case(is_public=False),
        lambda: make_case(person=make_person(consent_to_publish=False)),
        lambda: make_case(group_name="Hidden group", is_public=False),
    ],
)
def test_hidden_case_detail_and_feed_are_404(client, db, make_hidden):
    case = make_hidden()
    assert client.get(case.get_absolute_url()).status_code == 404
    assert client.get(f"{case.get_absolute_url()}feed/").status_code == 404


def test_facility_list_counts_public_cases_only(client, demo):
    make_case(is_public=False, facility=Facility.objects.get(slug="winn-correctional-center"))
    page = text(client.get("/facilities/"))
    assert "United States of America" in page
    assert "Winn Correctional Center (Winnfield, Louisiana) 1 case held now · 1 case in all" in page
    assert (
        "ICE detention facility in Texas (not named in reports) (Texas) 0 cases held now · 1 case in all"
        in page
    )
    assert "Embassy of Panama in Caracas" in page


def test_facility_list_ignores_unpublished_custody(client, db):
    facility = make_facility(name="Shared Jail")
    make_case(facility=facility)
    make_case(facility=facility, is_public=False)
    make_case(facility=make_facility(name="Secret Jail"), is_public=False)
    page = text(client.get("/facilities/"))
    assert "Shared Jail (Somewhere) 1 case held now · 1 case in all" in page
    assert "Secret Jail" not in page


def test_facility_detail_lists_present_and_past_public_cases(client, demo):
    response = client.get("/facilities/ice-texas-unnamed/")
    page = text(response)
    assert "No public case is held here now." in page
    assert "Held here in the past Hugo Parra" in page
    page = text(client.get("/facilities/winn-correctional-center/"))
    assert "Held here now Hugo Parra" in page
    assert "Kind Immigration detention" in page
    assert "Authority ICE" in page


def test_facility_detail_of_facility_without_public_cases_is_404(client, db):
    hidden = make_facility()
    make_case(is_public=False, facility=hidden)
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert client.get(make_facility().get_absolute_url()).status_code == 404


def test_sources_lists_articles_cited_by_public_cases_only(client, db):
    public_case = make_case()
    hidden_case = make_case(is_public=False)
    unconsented_case = make_case(person=make_person(consent_to_publish=False))
    cited = make_article(title="Cited by a status", outlet="Outlet A", author="A. Writer")
    quoted = make_article(title="Quoted in an account")
    hidden = make_article(title="Cited only by a hidden case")
    make_article(title="Cited by nobody")
    record_status_update(case=public_case, status="detained", effective_on=D(2020, 1, 1), sources=[cited])
    record_status_update(case=hidden_case, status="detained", effective_on=D(2020, 1, 1), sources=[hidden])
    Account.objects.create(person=public_case.person, article=quoted, quote="words")
    for case, kind in ((public_case, "public"), (unconsented_case, "unconsented")):
        custody = Custody.objects.create(case=case, facility=make_facility(), started_on=D(2020, 1, 1))
        custody.sources.add(make_article(title=f"Custody of the {kind} case"))
        event = LegalEvent.objects.create(case=case, kind="hearing", occurred_on=D(2020, 2, 1))
        event.sources.add(make_article(title=f"Hearing of the {kind} case"))
    page = text(client.get("/sources/"))
    assert "Outlet A, A. Writer" in page
    for title in (
        "Cited by a status",
        "Quoted in an account",
        "Custody of the public case",
        "Hearing of the public case",
    ):
        assert title in page
    for title in (
        "Cited only by a hidden case",
        "Cited by nobody",
        "Custody of the unconsented case",
        "Hearing of the unconsented case",
    ):
        assert title not in page


def test_articles_cited_publicly_are_asked_per_article():
    """Not `pk IN (the sources of every public fact)`: at 100,000 cases
    PostgreSQL ran that list again for each article, for minutes."""
    sql = str(SourceArticle.objects.cited_publicly().query)
    assert "IN (SELECT" not in sql


def test_robots_txt_points_to_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "User-agent: *" in body
    assert "Disallow: /admin/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


def test_pages_have_title_description_and_opengraph(client, demo):
    html = client.get(demo.get_absolute_url()).content.decode()
    assert "<title>CT-2019-0001 · Hugo Parra · casetracker</title>" in html
    assert '<meta name="description" content="Venezuelan army major' in html
    assert '<meta property="og:title" content="CT-2019-0001 · Hugo Parra">' in html
    assert '<meta property="og:url" content="http://testserver/cases/CT-2019-0001/">' in html
    assert '<link rel="alternate" hreflang="es" href="/es/cases/CT-2019-0001/">' in html
