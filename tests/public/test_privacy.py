"""Canary test: seed every private field, and everything of cases the public
may not see, with marked strings; crawl every public URL; no marker may show.
"""

import datetime
import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest

from cases.models import Account, Custody, LegalEvent
from cases.services import record_status_update
from people.models import Alias
from tests.conftest import make_article, make_case, make_facility, make_person, make_user
from tests.public.conftest import png_upload

D = datetime.date
CANARY = "CANARY"
# Years that appear only in private dates (birth dates, consent dates) or in
# the references of hidden cases.
PRIVATE_YEARS = ["1911", "1912", "1913", "1914", "CT-2015-", "CT-2016-", "CT-2017-"]
SKIPPED_PREFIXES = ("/static/", "/media/", "/admin/", "/api/", "/i18n/")


def hidden_person_case(tag, *, opened_on, consent, is_public, past_facility):
    """A case the public may not see, every text field holding a canary."""
    person = make_person(
        full_name=f"Zacarías Quintero {CANARY}{tag}NAME",
        rank=f"{CANARY}-{tag}-RANK",
        branch="navy",
        public_summary=f"{CANARY}-{tag}-PUBLIC-SUMMARY",
        private_notes=f"{CANARY}-{tag}-PERSON-NOTES",
        alien_number=f"{CANARY}-{tag}-ALIEN",
        date_of_birth=D(1913, 3, 3),
        consent_to_publish=consent,
        consent_recorded_on=D(1914, 4, 4) if consent else None,
        photo=png_upload(),
    )
    Alias.objects.create(person=person, name=f"{CANARY}-{tag}-ALIAS")
    case = make_case(
        person=person,
        opened_on=opened_on,
        is_public=is_public,
        summary=f"{CANARY}-{tag}-CASE-SUMMARY",
        private_notes=f"{CANARY}-{tag}-CASE-NOTES",
    )
    add_canary_facts(case, tag, past_facility)
    article = make_article(
        title=f"{CANARY}-{tag}-INTERVIEW",
        outlet=f"{CANARY}-{tag}-OUTLET",
        author=f"{CANARY}-{tag}-AUTHOR",
        url=f"https://example.org/{CANARY}-{tag}-interview",
        excerpt=f"{CANARY}-{tag}-EXCERPT",
    )
    Account.objects.create(
        person=person, article=article, quote=f"{CANARY}-{tag}-QUOTE", is_disputed=True, dispute_note="x"
    )
    return case


def add_canary_facts(case, tag, past_facility):
    article = make_article(title=f"{CANARY}-{tag}-ARTICLE", outlet=f"{CANARY}-{tag}-ARTICLE-OUTLET")
    record_status_update(
        case=case,
        status="detained",
        effective_on=case.opened_on,
        note=f"{CANARY}-{tag}-STATUS-NOTE",
        internal_note=f"{CANARY}-{tag}-INTERNAL",
        is_disputed=True,
        dispute_note=f"{CANARY}-{tag}-DISPUTE",
        sources=[article],
    )
    # Once at a facility the public knows, now at one only this case uses.
    Custody.objects.create(
        case=case,
        facility=past_facility,
        started_on=case.opened_on,
        ended_on=case.opened_on + datetime.timedelta(days=30),
        note=f"{CANARY}-{tag}-PAST-CUSTODY",
    ).sources.add(article)
    Custody.objects.create(
        case=case,
        facility=make_facility(
            name=f"{CANARY}-{tag}-FACILITY",
            slug=f"canary-{tag.lower()}-facility",
            city=f"{CANARY}-{tag}-CITY",
            country="MN",
            notes=f"{CANARY}-{tag}-FACILITY-NOTES",
        ),
        started_on=case.opened_on + datetime.timedelta(days=30),
        note=f"{CANARY}-{tag}-CUSTODY",
    )
    LegalEvent.objects.create(
        case=case, kind="hearing", occurred_on=case.opened_on, note=f"{CANARY}-{tag}-LEGAL"
    ).sources.add(article)


@pytest.fixture
def seeded(db, django_user_model):
    shared_facility = make_facility(name="Shared Detention Center", slug="shared", country="US")
    advocate = make_user(django_user_model, f"{CANARY}-USER", email=f"{CANARY}@example.org")
    # A published case: only its private fields hold canaries.
    person = make_person(
        full_name="Rosa Publicada",
        rank="Colonel",
        branch="army",
        public_summary="A published colonel.",
        private_notes=f"{CANARY}-P-PERSON-NOTES",
        alien_number=f"{CANARY}-P-ALIEN",
        date_of_birth=D(1911, 11, 11),
        consent_recorded_on=D(1912, 2, 2),
        photo=png_upload(),
    )
    published = make_case(
        person=person,
        opened_on=D(2019, 5, 1),
        summary="Held since May 2019.",
        private_notes=f"{CANARY}-P-CASE-NOTES",
        facility=shared_facility,
    )
    shared_article = make_article(title="Cited by everyone", outlet="Shared Outlet")
    record_status_update(
        case=published,
        status="detained",
        effective_on=D(2019, 5, 1),
        note="Detained on arrival.",
        internal_note=f"{CANARY}-P-INTERNAL",
        recorded_by=advocate,
        sources=[shared_article],
    )
    LegalEvent.objects.create(case=published, kind="hearing", occurred_on=D(2020, 1, 1)).sources.add(
        shared_article
    )
    Account.objects.create(person=person, article=shared_article, quote="I am still here.")
    make_case(
        group_name="Public group", opened_on=D(2019, 6, 1), status="sheltered", facility=make_facility()
    )
    hidden = hidden_person_case(
        "H", opened_on=D(2015, 1, 10), consent=True, is_public=False, past_facility=shared_facility
    )
    unconsented = hidden_person_case(
        "N", opened_on=D(2016, 1, 10), consent=False, is_public=True, past_facility=shared_facility
    )
    group = make_case(
        group_name=f"{CANARY}-G-GROUP",
        opened_on=D(2017, 1, 10),
        is_public=False,
        summary=f"{CANARY}-G-SUMMARY",
        private_notes=f"{CANARY}-G-NOTES",
    )
    add_canary_facts(group, "G", shared_facility)
    # The hidden cases' articles are also cited by the published case's status:
    # the sources page may list them, so they must be harmless; here the
    # canary articles stay cited by hidden facts only.
    # Published under their name only: no photo, summary or quotes.
    name_only = make_person(
        full_name="Nora Nombre",
        public_summary=f"{CANARY}-S-SUMMARY",
        photo=png_upload(),
        photo_consent=False,
        summary_consent=False,
        accounts_consent=False,
    )
    make_case(person=name_only, opened_on=D(2019, 7, 1), status="detained", facility=shared_facility)
    Account.objects.create(person=name_only, article=make_article(), quote=f"{CANARY}-S-QUOTE")
    return {
        "published": published,
        "hidden": [hidden, unconsented, group],
        "canaries": [
            CANARY,
            *PRIVATE_YEARS,
            *(p.photo.name for p in [hidden.person, unconsented.person, name_only]),
        ],
    }


def links(base, response):
    body = response.content.decode()
    found = re.findall(r'href="([^"#]*)', body) + re.findall(r"<loc>([^<]+)</loc>", body)
    for url in found:
        parts = urlsplit(urljoin(base, url.replace("&amp;", "&")))
        if parts.netloc in ("", "testserver") and not parts.path.startswith(SKIPPED_PREFIXES):
            yield parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(client, start):
    seen, queue, responses = set(start), deque(start), {}
    while queue:
        url = queue.popleft()
        response = client.get(url)
        responses[url] = response
        if response.status_code != 200:
            continue
        for link in links(url, response):
            if link not in seen and len(seen) < 1500:
                seen.add(link)
                queue.append(link)
    return responses


def test_no_private_data_on_any_public_url(client, seeded):
    published = f"/cases/{seeded['published'].reference}/"
    hidden_urls = []
    for case in seeded["hidden"]:
        hidden_urls += [f"/cases/{case.reference}/", f"/cases/{case.reference}/feed/"]
    hidden_urls += [
        "/facilities/canary-h-facility/",
        "/facilities/canary-n-facility/",
        "/facilities/canary-g-facility/",
    ]
    searches = [
        "/cases/?q=zacarias",
        "/cases/?q=quintero",
        "/cases/?q=canary",
        "/cases/?q=2015",
        "/cases/?country=MN",
        "/cases/?facility=canary-h-facility",
        "/cases/?facility=shared",
        "/cases/?status=detained&branch=navy",
        "/cases/?status=detained&country=US&facility=shared&branch=army&q=rosa",
        "/cases/?page=2",
    ]
    start = [
        "/",
        "/cases/",
        "/facilities/",
        "/sources/",
        "/feed/",
        f"{published}feed/",
        "/sitemap.xml",
        "/robots.txt",
        "/no-such-page/",
        *searches,
        *hidden_urls,
    ]
    start += ["/es" + url for url in start if not url.startswith(("/sitemap", "/robots"))]
    responses = crawl(client, start)

    # The crawl really reached every kind of page, in both languages.
    for must in [
        published,
        f"/es{published}",
        "/facilities/shared/",
        "/es/facilities/shared/",
        "/es/sources/",
        "/cases/?status=detained",
        # The sitemap index's sections.
        "/sitemap-pages.xml",
        "/sitemap-cases.xml",
        "/sitemap-facilities.xml",
    ]:
        assert responses[must].status_code == 200, must
    assert len(responses) > 40
    for url in hidden_urls:
        assert responses[url].status_code == 404, url

    for url, response in responses.items():
        # A 404 echoes the address the visitor typed (and links its other
        # language twin); that is not a leak.
        body = response.content.decode()
        if response.status_code == 404:
            body = body.replace(re.sub(r"^/es(?=/)", "", urlsplit(url).path), "")
        headers = str(response.headers)
        for canary in seeded["canaries"]:
            assert canary not in body, f"{canary!r} on {url}"
            assert canary not in headers, f"{canary!r} in headers of {url}"


def test_published_page_shows_what_it_should(client, seeded):
    """The canary crawl would pass on empty pages; this one shows they are not."""
    html = client.get(seeded["published"].get_absolute_url()).content.decode()
    for expected in [
        "Rosa Publicada",
        "Colonel",
        "A published colonel.",
        "I am still here.",
        "Cited by everyone",
    ]:
        assert expected in html
    assert seeded["published"].person.photo.url in html
    facility = client.get("/facilities/shared/").content.decode()
    assert "Rosa Publicada" in facility
    assert "Nora Nombre" in facility
    assert "Zacarías" not in facility
