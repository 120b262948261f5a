import datetime
import io
import itertools

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import translation

from cases.models import Case, Custody, Facility, SourceArticle
from cases.services import record_status_update
from people.models import Person
from people.permissions import ADVOCATES_GROUP, READERS_GROUP

_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _default_language():
    # A request activates its language for the rest of the thread (LocaleMiddleware, the API's
    # Accept-Language negotiation); each test starts from the default language instead.
    translation.deactivate()


def make_person(*, aliases=(), **fields):
    n = next(_counter)
    defaults = {"full_name": f"Person {n}", "rank": "Captain", "consent_to_publish": True}
    defaults.update(fields)
    if defaults["consent_to_publish"]:
        # Every scope, as a ledger entry per scope would leave it.
        defaults = {"photo_consent": True, "summary_consent": True, "accounts_consent": True} | defaults
        defaults.setdefault("consent_recorded_on", datetime.date(2020, 1, 1))
    person = Person.objects.create(**defaults)
    for alias in aliases:
        person.aliases.create(name=alias)
    return person


def make_facility(**fields):
    n = next(_counter)
    defaults = {"name": f"Facility {n}", "slug": f"facility-{n}", "country": "US", "city": "Somewhere"}
    defaults.update(fields)
    return Facility.objects.create(**defaults)


def make_article(**fields):
    n = next(_counter)
    defaults = {"title": f"Article {n}", "outlet": "Outlet", "url": f"https://example.org/{n}"}
    defaults.update(fields)
    return SourceArticle.objects.create(**defaults)


def make_case(*, person=None, status=None, facility=None, **fields):
    """A case with a person (unless group_name is given), optionally a status and an open custody."""
    if person is None and not fields.get("group_name"):
        person = make_person()
    defaults = {"opened_on": datetime.date(2019, 4, 11), "is_public": True}
    defaults.update(fields)
    case = Case.objects.create(person=person, **defaults)
    if status:
        record_status_update(case=case, status=status, effective_on=defaults["opened_on"])
    if facility:
        Custody.objects.create(case=case, facility=facility, started_on=defaults["opened_on"])
    case.refresh_from_db()
    return case


def make_user(django_user_model, username, group=None, **fields):
    user = django_user_model.objects.create_user(username=username, password="pw-for-tests-1", **fields)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def advocate(db, django_user_model):
    return make_user(django_user_model, "advocate", ADVOCATES_GROUP, is_staff=True)


@pytest.fixture
def reader(db, django_user_model):
    return make_user(django_user_model, "reader", READERS_GROUP, is_staff=True)


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())
    return Case.objects.get(person__full_name="Hugo Parra")
