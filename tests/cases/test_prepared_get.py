"""PreparedGet, and get_visible() which keeps one for public and one for all
cases: a lookup compiled once and run with each value (the status poll's)."""

import datetime
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser

from cases.models import Case, StatusDocument
from cases.models.prepared import PreparedGet
from tests.conftest import make_case, make_facility


@pytest.fixture
def held(db):
    return make_case(status="detained", facility=make_facility(slug="winn", name="Winn"))


@pytest.fixture
def hidden(db):
    return make_case(is_public=False, status="released")


def test_reads_the_row_get_reads_converted_as_the_queryset_converts_it(held):
    rows = StatusDocument.objects.rows()
    row = PreparedGet(rows, "reference", "default")(held.reference)
    assert row == rows.get(reference=held.reference)
    # SQLite hands dates and instants back as text; the row has them as values.
    assert (row.status_since, row.updated_at) == (datetime.date(2019, 4, 11), held.updated_at)
    assert (row.reference, row.status, row.facility_slug) == (held.reference, "detained", "winn")


def test_each_call_runs_one_query_with_its_own_value(held, hidden, django_assert_num_queries):
    prepared = PreparedGet(StatusDocument.objects.rows(), "reference", "default")
    for case in [held, hidden, held]:
        with django_assert_num_queries(1):
            assert prepared(case.reference).reference == case.reference


def test_no_row_and_several_rows_raise_as_get_raises(held, hidden):
    prepared = PreparedGet(StatusDocument.objects.rows(), "reference", "default")
    # The value is a parameter, never part of the SQL.
    for value in ["CT-0000-0000", f"{held.reference}' OR '1'='1"]:
        with pytest.raises(StatusDocument.DoesNotExist, match="No StatusDocument with reference="):
            prepared(value)
    make_case(status="detained")
    by_status = PreparedGet(StatusDocument.objects.rows(), "status", "default")
    assert by_status("released").reference == hidden.reference
    with pytest.raises(StatusDocument.MultipleObjectsReturned):
        by_status("detained")


def test_reads_named_rows_only(db):
    with pytest.raises(TypeError, match="named=True"):
        PreparedGet(StatusDocument.objects.all(), "reference", "default")


@pytest.mark.parametrize("advocate_first", [True, False])
def test_get_visible_keeps_each_client_to_its_part_whoever_asked_first(
    held, hidden, advocate, advocate_first
):
    # A queryset kept for every request (as a view keeps it), asked first by one
    # kind of client and then by the other.
    rows = StatusDocument.objects.rows()
    anonymous = AnonymousUser()
    users = [advocate, anonymous] if advocate_first else [anonymous, advocate]
    for user in users * 2:
        assert rows.get_visible(user, reference=held.reference).reference == held.reference
        if user is advocate:
            assert rows.get_visible(user, reference=hidden.reference).reference == hidden.reference
        else:
            with pytest.raises(StatusDocument.DoesNotExist):
                rows.get_visible(user, reference=hidden.reference)


def test_get_visible_compiles_the_rule_not_the_rows_it_found(held, advocate):
    rows = StatusDocument.objects.rows()
    anonymous = AnonymousUser()
    assert rows.get_visible(anonymous, reference=held.reference).status == "detained"
    Case.objects.filter(pk=held.pk).update(is_public=False)
    with pytest.raises(StatusDocument.DoesNotExist):
        rows.get_visible(anonymous, reference=held.reference)
    assert rows.get_visible(advocate, reference=held.reference).reference == held.reference
    Case.objects.filter(pk=held.pk).update(is_public=True)
    assert rows.get_visible(anonymous, reference=held.reference).reference == held.reference


def test_get_visible_prepares_once_for_each_part(held, hidden, advocate):
    rows = StatusDocument.objects.rows()
    with mock.patch("cases.models.base.PreparedGet", wraps=PreparedGet) as prepare:
        for user in [AnonymousUser(), advocate] * 3:
            rows.get_visible(user, reference=held.reference)
        rows.get_visible(advocate, status="released")
    assert prepare.call_count == 3
