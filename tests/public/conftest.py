import datetime
import io
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cases.models import Account, Custody, LegalEvent, LegalEventKind, LegalEventOutcome
from cases.services import record_status_update
from tests.conftest import make_article, make_case, make_facility, make_person

D = datetime.date
HISTORY_START = D(2001, 1, 1)
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def page_text(response):
    """The page as text, tags dropped and whitespace squeezed, for readable asserts."""
    words = " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())
    return re.sub(r" ([,.:;])", r"\1", words)


def sitemap_pages(client):
    """/sitemap.xml, an index, and every section page it lists, as {path: response}."""
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    root = ET.fromstring(index.content)  # noqa: S314 -- our own response
    assert root.tag == f"{SITEMAP}sitemapindex"
    pages = {"/sitemap.xml": index}
    for loc in root.iter(f"{SITEMAP}loc"):
        parts = urlsplit(loc.text)
        assert parts.netloc == "testserver", loc.text
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        assert path not in pages, path
        pages[path] = client.get(path)
        assert pages[path].status_code == 200, path
    return pages


def sitemap_urls(client, pages=None):
    """Every <url> of every section page the index lists, in order, as
    (loc, {hreflang: href}) pairs."""
    urls = []
    for path, response in (pages or sitemap_pages(client)).items():
        if path == "/sitemap.xml":
            continue
        root = ET.fromstring(response.content)  # noqa: S314 -- our own response
        assert root.tag == f"{SITEMAP}urlset", path
        for url in root.findall(f"{SITEMAP}url"):
            alternates = {link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link")}
            urls.append((url.findtext(f"{SITEMAP}loc"), alternates))
    return urls


def sitemap_locations(client):
    """The <loc> of every <url> in every section page the index lists."""
    return [loc for loc, _alternates in sitemap_urls(client)]


def png_upload(name="photo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 10), "navy").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def add_history(case, rows, *, start=HISTORY_START):
    """`rows` of each kind of fact on one case: status updates, custody
    transfers, legal events and accounts, each citing its own article."""
    facility = None
    for n in range(rows):
        day = start + datetime.timedelta(days=10 * n)
        article = make_article(author=f"Author {n}", published_on=day)
        record_status_update(
            case=case,
            status="detained" if n % 2 else "sheltered",
            effective_on=day,
            note=f"Status note {n}",
            sources=[article],
            is_disputed=n % 3 == 0,
            dispute_note="Doubtful" if n % 3 == 0 else "",
        )
        Custody.objects.filter(case=case, ended_on__isnull=True).update(ended_on=day)
        facility = make_facility()
        Custody.objects.create(case=case, facility=facility, started_on=day).sources.add(article)
        LegalEvent.objects.create(
            case=case,
            kind=LegalEventKind.HEARING,
            occurred_on=day,
            outcome=LegalEventOutcome.PENDING,
        ).sources.add(article)
        if case.person_id:
            Account.objects.create(person=case.person, article=article, quote=f"Quote {n}")
    return facility


def make_full_case(**fields):
    """A public case with one fact of each kind, at a facility of its own."""
    case = make_case(status="detained", facility=make_facility(), **fields)
    article = make_article()
    Account.objects.create(person=case.person, article=article, quote="In my own words")
    LegalEvent.objects.create(
        case=case, kind=LegalEventKind.BOND_REQUEST, occurred_on=D(2019, 6, 1), outcome="denied"
    ).sources.add(article)
    return case


@pytest.fixture
def photo_person(db):
    return make_person(full_name="Ana Photographed", photo=png_upload())
