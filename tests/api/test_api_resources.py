"""People, facilities, articles and accounts."""

import datetime

from django.utils import translation

from cases.filters import ApiFilterSet
from cases.models import Account, Facility, SourceArticle
from people.models import Person
from tests.conftest import make_article, make_facility, make_person

D = datetime.date


def test_person_whole_payload_for_advocate(db, advocate_client):
    person = make_person(
        full_name="Hugo Parra",
        rank="Major",
        branch="army",
        nationality="VE",
        alien_number="A-123",
        date_of_birth=D(1980, 5, 6),
        private_notes="Via lawyer.",
        public_summary="Army major.",
    )
    person.aliases.create(name="Mayor Parra")
    assert advocate_client.get(f"/api/v1/people/{person.pk}/").json() == {
        "id": person.pk,
        "full_name": "Hugo Parra",
        "rank": "Major",
        "branch": "army",
        "nationality": "VE",
        "public_summary": "Army major.",
        "aliases": ["Mayor Parra"],
        "photo_url": None,
        "photo_thumbnail_url": None,
        "consent_to_publish": True,
        "photo_consent": True,
        "summary_consent": True,
        "accounts_consent": True,
        "consent_recorded_on": "2020-01-01",
        "date_of_birth": "1980-05-06",
        "alien_number": "A-123",
        "private_notes": "Via lawyer.",
        "created_at": person.created_at.isoformat().replace("+00:00", "Z"),
        "updated_at": person.updated_at.isoformat().replace("+00:00", "Z"),
    }


def test_people_search_finds_aliases_accent_insensitively(db, reader_client):
    person = make_person(full_name="Hugo Parra")
    person.aliases.create(name="Mayor Párra")
    make_person(full_name="Someone Else")
    results = reader_client.get("/api/v1/people/?q=mayor parra").json()["results"]
    assert [row["id"] for row in results] == [person.pk]


def test_advocate_creates_and_updates_person_with_aliases(db, advocate_client):
    response = advocate_client.post(
        "/api/v1/people/",
        {
            "full_name": "Erick Molina",
            "aliases": ["Teniente Molina", "E. Molina"],
            "created_at": "2000-01-01T00:00:00Z",
        },
    )
    assert response.status_code == 201, response.json()
    person = Person.objects.get()
    assert sorted(response.json()["aliases"]) == ["E. Molina", "Teniente Molina"]
    assert person.created_at.year > 2000
    response = advocate_client.patch(
        f"/api/v1/people/{person.pk}/", {"aliases": ["E. Molina"], "rank": "Lieutenant"}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["aliases"] == ["E. Molina"]
    assert list(person.aliases.values_list("name", flat=True)) == ["E. Molina"]


def test_invalid_person_answers_400_naming_the_field(db, advocate_client):
    response = advocate_client.post("/api/v1/people/", {"full_name": "", "date_of_birth": "1980-02-30"})
    assert (response.status_code, sorted(response.json())) == (400, ["date_of_birth", "full_name"])
    assert not Person.objects.exists()


def test_reader_cannot_write_people(db, reader_client):
    assert reader_client.post("/api/v1/people/", {"full_name": "X"}).status_code == 403


def test_facility_whole_payload_and_filters(db, reader_client):
    facility = make_facility(
        name="Winn",
        slug="winn",
        kind="immigration_detention",
        city="Winnfield",
        region="Louisiana",
        country="US",
    )
    make_facility(slug="embassy", kind="diplomatic_mission", country="VE")
    assert reader_client.get("/api/v1/facilities/winn/").json() == {
        "slug": "winn",
        "name": "Winn",
        "kind": "immigration_detention",
        "operator": "",
        "authority": "",
        "city": "Winnfield",
        "region": "Louisiana",
        "country": "US",
        "latitude": None,
        "longitude": None,
        "notes": "",
        "created_at": facility.created_at.isoformat().replace("+00:00", "Z"),
        "updated_at": facility.updated_at.isoformat().replace("+00:00", "Z"),
    }
    assert [row["slug"] for row in reader_client.get("/api/v1/facilities/?country=ve").json()["results"]] == [
        "embassy"
    ]
    kind = reader_client.get("/api/v1/facilities/?kind=immigration_detention").json()["results"]
    assert [row["slug"] for row in kind] == ["winn"]


def test_facility_write_validation(db, advocate_client):
    response = advocate_client.post(
        "/api/v1/facilities/", {"name": "Half", "slug": "half", "country": "US", "latitude": "10.5"}
    )
    assert (response.status_code, list(response.json())) == (400, ["non_field_errors"])
    response = advocate_client.post("/api/v1/facilities/", {"name": "Bad", "slug": "bad", "country": "XX"})
    assert (response.status_code, list(response.json())) == (400, ["country"])
    response = advocate_client.post("/api/v1/facilities/", {"name": "Good", "slug": "good", "country": "us"})
    assert response.status_code == 201, response.json()
    assert Facility.objects.get().country == "US"
    response = advocate_client.put(
        "/api/v1/facilities/good/", {"name": "Good", "slug": "good", "country": "CO", "city": "Bogotá"}
    )
    assert (response.status_code, response.json()["city"]) == (200, "Bogotá")


def test_article_whole_payload_filters_and_writes(db, reader_client, advocate_client):
    original = make_article(title="Original", outlet="Telemundo", language="es", published_on=D(2019, 12, 1))
    make_article(title="Later", outlet="PanAm Post", language="en", published_on=D(2020, 3, 1))
    assert reader_client.get(f"/api/v1/articles/{original.pk}/").json() == {
        "id": original.pk,
        "title": "Original",
        "outlet": "Telemundo",
        "author": "",
        "url": original.url,
        "published_on": "2019-12-01",
        "published_on_precision": "day",
        "language": "es",
        "excerpt": "",
        "related_article": None,
        "relation": "",
        "cases": [],
        "created_at": original.created_at.isoformat().replace("+00:00", "Z"),
        "updated_at": original.updated_at.isoformat().replace("+00:00", "Z"),
    }

    def titles(query):
        return [row["title"] for row in reader_client.get(f"/api/v1/articles/?{query}").json()["results"]]

    assert titles("outlet=Telemundo") == ["Original"]
    assert titles("language=en") == ["Later"]
    assert titles("published_on_after=2020-01-01") == ["Later"]
    response = advocate_client.post(
        "/api/v1/articles/", {"title": "Translation", "outlet": "X", "related_article": original.pk}
    )
    assert (response.status_code, list(response.json())) == (400, ["non_field_errors"])
    response = advocate_client.post(
        "/api/v1/articles/",
        {"title": "Translation", "outlet": "X", "related_article": original.pk, "relation": "translation_of"},
    )
    assert response.status_code == 201, response.json()
    assert SourceArticle.objects.count() == 3


def test_accounts_read_filter_and_write(held_case, reader_client, advocate_client):
    article = make_article()
    response = advocate_client.post(
        "/api/v1/accounts/",
        {
            "person": held_case.person_id,
            "article": article.pk,
            "quote": "I lost everything.",
            "said_on": "2019-12-17",
            "said_on_precision": "month",
        },
    )
    assert response.status_code == 201, response.json()
    account = Account.objects.get()
    assert account.said_on == D(2019, 12, 1)
    assert reader_client.get(f"/api/v1/accounts/?person={held_case.person_id}").json()["results"] == [
        {
            "id": account.pk,
            "person": held_case.person_id,
            "article": article.pk,
            "quote": "I lost everything.",
            "language": "",
            "said_on": "2019-12-01",
            "said_on_precision": "month",
            "is_disputed": False,
            "dispute_note": "",
        }
    ]
    response = advocate_client.patch(f"/api/v1/accounts/{account.pk}/", {"quote": ""})
    assert (response.status_code, list(response.json())) == (400, ["quote"])


def test_out_of_range_ids_answer_400_not_a_database_error(db, anon_client):
    for query in ("/api/v1/accounts/?article=-5e99", "/api/v1/cases/?person=99999999999999999999"):
        response = anon_client.get(query)
        assert response.status_code == 400
    response = anon_client.get("/api/v1/changes/?after=99999999999999999999")
    assert (response.status_code, list(response.json())) == (400, ["after"])


def test_anonymous_clients_see_facilities_and_articles_of_public_cases_only(held_case, anon_client):
    make_facility(slug="unused")
    make_article(title="Uncited")
    cited = make_article(title="Cited")
    held_case.status_updates.get().sources.add(cited)
    assert [row["slug"] for row in anon_client.get("/api/v1/facilities/").json()["results"]] == ["winn"]
    assert [row["title"] for row in anon_client.get("/api/v1/articles/").json()["results"]] == ["Cited"]
    assert anon_client.get("/api/v1/facilities/unused/").status_code == 404


def test_api_filter_forms_keep_the_labels_of_each_language():
    # ApiFilterSet builds a form class once per filter set and language:
    # django-filter writes the labels it makes up in the active language.
    class FacilityKinds(ApiFilterSet):
        class Meta:
            model = Facility
            fields = ["kind"]

    for language, label in [("es", "Tipo"), ("en", "Kind"), ("es", "Tipo")]:
        with translation.override(language):
            assert FacilityKinds().form.fields["kind"].label == label
