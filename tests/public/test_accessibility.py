from html.parser import HTMLParser

import pytest

from tests.conftest import make_case, make_person
from tests.public.conftest import png_upload


class Page(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.tags = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def all(self, tag):
        return [attrs for name, attrs in self.tags if name == tag]


PAGES = [
    "/",
    "/cases/",
    "/cases/?status=detained&q=parra",
    "/cases/CT-2019-0001/",
    "/facilities/",
    "/facilities/winn-correctional-center/",
    "/sources/",
    "/es/cases/CT-2019-0001/",
]


@pytest.mark.parametrize("url", PAGES)
def test_page_structure(client, demo, url):
    page = Page(client.get(url).content.decode())
    assert page.all("html")[0]["lang"] in {"en", "es"}
    assert len(page.all("h1")) == 1
    assert len(page.all("main")) == 1
    assert page.all("meta")[1] == {"name": "viewport", "content": "width=device-width, initial-scale=1"}
    assert page.all("a")[0]["href"] == "#main"  # skip link first
    labels = {attrs["for"] for attrs in page.all("label")}
    for control in page.all("input") + page.all("select"):
        assert control["id"] in labels, control
    for image in page.all("img"):
        assert image.get("alt"), image


def test_filters_are_a_plain_get_form(client, demo):
    page = Page(client.get("/cases/").content.decode())
    (form,) = page.all("form")
    assert form["method"] == "get"
    assert {attrs["name"] for attrs in page.all("select")} == {"status", "country", "branch"}
    assert {attrs["name"] for attrs in page.all("input")} == {"q", "facility"}
    assert page.all("button")[0]["type"] == "submit"
    assert page.all("script") == []


def test_photo_has_alt_text(client, db):
    case = make_case(person=make_person(full_name="Ana Photographed", photo=png_upload()))
    (image,) = Page(client.get(case.get_absolute_url()).content.decode()).all("img")
    assert image["alt"] == "Photo of Ana Photographed"
