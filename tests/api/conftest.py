import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import Account, Custody, LegalEvent
from cases.services import record_status_update
from people.models import Alias, ConsentScope
from people.services import record_consent
from security.models import ApiToken
from tests.conftest import make_article, make_case, make_facility, make_person, make_user

# Seeded into every private field; an anonymous or Reader response must never
# contain one.
CANARY = "CANARY7Q"
# Birth dates travel as ISO dates, so the date itself is the canary.
BIRTH_DATES = {"public": datetime.date(1911, 11, 11), "hidden": datetime.date(1912, 12, 12)}


@pytest.fixture(autouse=True)
def _api_settings(settings):
    # Throttling has its own tests; the settle window too (tests write and
    # read within milliseconds).
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None},
    }
    settings.API_CHANGES_SETTLE_SECONDS = 0


def token_header(user):
    token, key = ApiToken.objects.issue(user=user)
    # In use already: query counts measure a polling client, not the one
    # request that first records a token's use.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return f"Token {key}"


def token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=token_header(user))
    return client


@pytest.fixture
def anon_client():
    return APIClient()


@pytest.fixture
def reader_client(reader):
    return token_client(reader)


@pytest.fixture
def advocate_client(advocate):
    return token_client(advocate)


def seed_case(*, tag, facility, article, recorder, is_public=True, consent=True):
    """A case with every private field (and every kind of fact) carrying a canary."""
    person = make_person(
        full_name=f"Subject {tag}",
        consent_to_publish=consent,
        alien_number=f"{CANARY}-alien-{tag}",
        date_of_birth=BIRTH_DATES.get(tag),
        private_notes=f"{CANARY}-person-notes-{tag}",
    )
    Alias.objects.create(person=person, name=f"Alias {tag}")
    # The same flags as make_person's, through a ledger entry whose note is private.
    record_consent(
        person=person,
        scopes=ConsentScope.values if consent else [ConsentScope.NAME],
        granted=consent,
        method="in_person",
        note=f"{CANARY}-consent-{tag}",
        recorded_by=recorder,
    )
    case = make_case(
        person=person,
        is_public=is_public,
        facility=facility,
        summary=f"Summary {tag}",
        private_notes=f"{CANARY}-case-notes-{tag}",
    )
    record_status_update(
        case=case,
        status="detained",
        effective_on=datetime.date(2020, 1, 2),
        note=f"Note {tag}",
        internal_note=f"{CANARY}-internal-{tag}",
        sources=[article],
        recorded_by=recorder,
    )
    event = LegalEvent.objects.create(case=case, kind="hearing", occurred_on=datetime.date(2020, 2, 3))
    event.sources.add(article)
    case.custodies.get().sources.add(article)
    Account.objects.create(person=person, article=article, quote=f"Quote {tag}")
    case.refresh_from_db()
    return case


@pytest.fixture
def seeded(db, django_user_model):
    """A public case, a case not marked public, and a public-marked case whose
    person does not consent; all citing one article at one facility."""
    recorder = make_user(django_user_model, f"{CANARY}-recorder")
    # Only its owner (and superusers) may list it.
    ApiToken.objects.issue(user=recorder, name=f"{CANARY}-token")
    facility = make_facility(slug="seeded-facility", name="Seeded facility")
    article = make_article(title="Seeded article")
    cases = {
        "public": seed_case(tag="public", facility=facility, article=article, recorder=recorder),
        "hidden": seed_case(
            tag="hidden", facility=facility, article=article, recorder=recorder, is_public=False
        ),
        "unconsented": seed_case(
            tag="unconsented", facility=facility, article=article, recorder=recorder, consent=False
        ),
    }
    # Known only through the unpublished case: the public must not meet them.
    hidden = cases["hidden"]
    hidden_facility = make_facility(slug="hidden-only", name="Hidden-only facility")
    hidden_article = make_article(title="Hidden-only article")
    Custody.objects.create(
        case=hidden,
        facility=hidden_facility,
        started_on=datetime.date(2018, 1, 1),
        ended_on=datetime.date(2018, 2, 1),
    ).sources.add(hidden_article)
    # Published, but without consent to publish its summary.
    quiet = make_case(
        person=make_person(full_name="Subject quiet", summary_consent=False), summary="Summary quiet"
    )
    return {
        "cases": cases,
        "quiet": quiet,
        "facility": facility,
        "article": article,
        "hidden_article": hidden_article,
        "recorder": recorder,
    }


@pytest.fixture
def held_case(db):
    facility = make_facility(
        name="Winn Correctional Center", slug="winn", city="Winnfield", region="Louisiana", country="US"
    )
    person = make_person(full_name="Hugo Parra", rank="Major")
    case = make_case(person=person, status="detained", facility=facility, summary="Held by ICE.")
    case.private_notes = "Lawyer's phone number"
    case.save()
    return case
