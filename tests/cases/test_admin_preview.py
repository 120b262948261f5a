"""'Preview as public' on the case admin page: the public page, as it is or
would be once published, built by the same code from the same QuerySets."""

import datetime
import re

import pytest
from django.urls import reverse

from cases.models import Account, Case, CaseChange, LegalEvent
from cases.services import record_status_update
from people.photos import sanitize_photo
from people.services import person_set_photo, record_consent
from tests.conftest import make_article, make_case, make_facility, make_person, make_user
from tests.people.test_photos import image_bytes, upload

CANARY = "PREVIEW-CANARY"


def preview_url(case):
    return reverse("admin:cases_case_preview", args=[case.pk])


def article(response):
    """The page's case article, where the public page and its preview must agree."""
    match = re.search(r'<article class="case">.*</article>', response.content.decode(), re.DOTALL)
    assert match, response.content.decode()[:500]
    return match.group()


def make_story(*, is_public, consent=True):
    """A case with a fact of each kind, a quote and a photo, and a canary in every private field."""
    person = make_person(
        full_name="Ana Preview",
        consent_to_publish=consent,
        public_summary="Army captain.",
        private_notes=f"{CANARY} person notes",
        alien_number=f"{CANARY}-A",
    )
    person_set_photo(person=person, photo_files=sanitize_photo(upload(image_bytes())))
    case = make_case(
        person=person,
        is_public=is_public,
        facility=make_facility(name="Preview Detention Center"),
        summary="Crossed at El Paso.",
        private_notes=f"{CANARY} case notes",
    )
    article_cited = make_article(title="Report on Ana")
    record_status_update(
        case=case,
        status="detained",
        effective_on=datetime.date(2020, 3, 4),
        note="Held on arrival.",
        internal_note=f"{CANARY} internal",
        sources=[article_cited],
    )
    LegalEvent.objects.create(case=case, kind="hearing", occurred_on=datetime.date(2020, 5, 6))
    Account.objects.create(person=person, article=article_cited, quote="I only asked for asylum.")
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def advocate_client(client, advocate):
    client.force_login(advocate)
    return client


def test_preview_linked_from_the_case_change_page(advocate_client, db):
    case = make_story(is_public=False)
    page = advocate_client.get(reverse("admin:cases_case_change", args=[case.pk]))
    assert f'href="{preview_url(case)}"' in page.text
    assert "Preview as public" in page.text


def test_preview_of_public_case_is_the_public_page(advocate_client, client, db):
    case = make_story(is_public=True)
    preview = advocate_client.get(preview_url(case))
    assert preview.status_code == 200
    assert "This case is public: below is exactly what anonymous visitors see now." in preview.text
    client.logout()
    public = client.get(case.get_absolute_url())
    assert article(preview) == article(public)
    assert "preview-banner" not in public.text


def test_preview_of_unpublished_case_shows_it_as_published_and_saves_nothing(advocate_client, client, db):
    case = make_story(is_public=False)
    before = Case.objects.values().get(pk=case.pk)
    changes = CaseChange.objects.count()

    preview = advocate_client.get(preview_url(case))
    assert preview.status_code == 200
    assert "This case is not public yet" in preview.text
    for shown in (
        "Ana Preview",
        "Army captain.",
        "Held on arrival.",
        "I only asked for asylum.",
        "Report on Ana",
    ):
        assert shown in article(preview)
    assert CANARY not in preview.text

    assert Case.objects.values().get(pk=case.pk) == before
    assert CaseChange.objects.count() == changes
    client.logout()
    assert client.get(case.get_absolute_url()).status_code == 404
    # Once published for real, the public sees what the preview showed.
    Case.objects.filter(pk=case.pk).update(is_public=True)
    assert article(client.get(case.get_absolute_url())) == article(preview)


def test_preview_applies_the_consent_scopes(advocate_client, db):
    case = make_story(is_public=False)
    # The flags follow the ledger: name granted, every other scope withheld.
    record_consent(person=case.person, scopes=["name"], granted=True, method="phone")
    case.person.refresh_from_db()
    preview = advocate_client.get(preview_url(case))
    assert "Ana Preview" in article(preview)
    for withheld in (
        case.person.photo.name,
        "og:image",
        "I only asked for asylum.",
        "Army captain.",
        "El Paso",
    ):
        assert withheld not in preview.text


def test_preview_says_when_the_case_would_not_appear_publicly(advocate_client, db):
    case = make_story(is_public=True, consent=False)
    preview = advocate_client.get(preview_url(case))
    assert preview.status_code == 200
    assert "This case would NOT appear publicly." in preview.text
    assert '<article class="case">' not in preview.text
    for withheld in ("Ana Preview", "Held on arrival.", "I only asked for asylum.", case.person.photo.name):
        assert withheld not in preview.text
    assert Case.objects.get(pk=case.pk).is_public is True


def test_preview_for_group_case(advocate_client, db):
    case = make_case(group_name="Officers at an embassy", is_public=False, status="sheltered")
    preview = advocate_client.get(preview_url(case))
    assert "Officers at an embassy" in article(preview)


def test_preview_open_to_readers(client, reader, db):
    case = make_story(is_public=False)
    client.force_login(reader)
    assert client.get(preview_url(case)).status_code == 200


def test_preview_refused_without_view_permission(client, django_user_model, db):
    case = make_story(is_public=False)
    assert client.get(preview_url(case)).status_code == 302  # to the admin login
    client.force_login(make_user(django_user_model, "staff-only", is_staff=True))
    response = client.get(preview_url(case))
    assert response.status_code in {403, 404}
    assert "Ana Preview" not in response.text


def test_preview_of_missing_case_is_404(advocate_client, db):
    assert advocate_client.get(reverse("admin:cases_case_preview", args=[999999])).status_code == 404
