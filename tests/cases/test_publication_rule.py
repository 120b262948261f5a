import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Account, Case, Custody, StatusUpdate
from tests.conftest import make_article, make_case, make_person


@pytest.fixture
def cases(db):
    return {
        "public": make_case(status="detained"),
        "unpublished": make_case(is_public=False, status="detained"),
        "no_consent": make_case(person=make_person(consent_to_publish=False), status="detained"),
        "group": make_case(group_name="Unnamed group", status="sheltered"),
    }


def test_case_public_needs_flag_and_consent(cases):
    assert set(Case.objects.public()) == {cases["public"], cases["group"]}


def test_facts_follow_their_case(cases):
    assert {u.case for u in StatusUpdate.objects.public()} == {cases["public"], cases["group"]}


def test_accounts_public_only_for_consenting_person_with_public_case(cases):
    article = make_article()
    shown = Account.objects.create(person=cases["public"].person, article=article, quote="shown")
    Account.objects.create(person=cases["unpublished"].person, article=article, quote="hidden")
    Account.objects.create(person=cases["no_consent"].person, article=article, quote="hidden too")
    assert list(Account.objects.public()) == [shown]


def test_visible_to_groups_and_anonymous(cases, advocate, reader, django_user_model):
    everything = set(cases.values())
    assert set(Case.objects.visible_to(advocate)) == everything
    assert set(Case.objects.visible_to(reader)) == everything
    assert set(Case.objects.visible_to(AnonymousUser())) == {cases["public"], cases["group"]}
    stranger = django_user_model.objects.create_user("stranger", is_staff=True)
    assert set(Case.objects.visible_to(stranger)) == {cases["public"], cases["group"]}


def test_days_in_custody_computed_from_custody_rows(demo):
    parra = Case.objects.with_related().get(pk=demo.pk)
    assert parra.days_in_custody(today=datetime.date(2020, 4, 11)) == 366


def test_current_custody_from_the_join_matches_the_prefetched_rows(demo, django_assert_num_queries):
    released = make_case(status="released")
    ended = Custody.objects.get(case=demo, ended_on__isnull=False)
    Custody.objects.create(
        case=released,
        facility=ended.facility,
        started_on=datetime.date(2019, 5, 1),
        ended_on=datetime.date(2019, 6, 1),
    )
    expected = {case.pk: case.current_custody for case in Case.objects.with_related()}
    assert expected[demo.pk].facility.name == "Winn Correctional Center"
    assert expected[released.pk] is None
    with django_assert_num_queries(1):
        joined = {case.pk: case.current_custody for case in Case.objects.with_current_custody()}
        facilities = {pk: custody and custody.facility.name for pk, custody in joined.items()}
    assert joined == expected
    assert facilities == {pk: custody and custody.facility.name for pk, custody in expected.items()}


def test_counting_cases_with_current_custody_joins_no_custody(demo):
    # A page's count (every visible case) would otherwise join every open custody row.
    with CaptureQueriesContext(connection) as captured:
        assert Case.objects.with_current_custody().count() == Case.objects.count()
    assert "cases_custody" not in captured.captured_queries[0]["sql"]
