import pytest
from django.test import Client
from django.urls import path

from casetracker.urls import urlpatterns as project_urlpatterns
from tests.conftest import make_case, make_person


def boom(request):
    raise RuntimeError("CANARY-TRACEBACK secret detail")


urlpatterns = [path("boom/", boom), *project_urlpatterns]


@pytest.mark.parametrize("prefix", ["", "/es"])
def test_404_does_not_tell_hidden_from_missing(client, db, prefix):
    hidden = make_case(is_public=False, opened_on=make_case().opened_on)
    unconsented = make_case(person=make_person(consent_to_publish=False))
    missing = "CT-2099-9999"
    pages, feeds = set(), set()
    for reference in [hidden.reference, unconsented.reference, missing]:
        response = client.get(f"{prefix}/cases/{reference}/")
        assert response.status_code == 404
        pages.add(response.content.decode().replace(reference, "REF"))
        feed = client.get(f"{prefix}/cases/{reference}/feed/")
        assert feed.status_code == 404
        feeds.add(feed.content.decode().replace(reference, "REF"))
    assert len(pages) == 1
    assert len(feeds) == 1
    assert hidden.person.full_name not in pages.pop()


def test_404_page_in_spanish(client, db):
    response = client.get("/es/cases/CT-2099-9999/")
    assert "Página no encontrada" in response.content.decode()


def test_500_page_shows_no_traceback(settings, db):
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    assert "CANARY-TRACEBACK" not in body
    assert "Traceback" not in body
    assert "RuntimeError" not in body
