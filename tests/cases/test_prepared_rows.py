"""PreparedRows (a query compiled once and run with each value), and
get_visible(), which keeps one for public and one for all cases: the status
poll's lookup."""

import datetime
import threading
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, connections
from django.db.models import Q

from cases.models import Case, StatusDocument
from casetracker.prepared import PreparedRows
from tests.conftest import make_case, make_facility


@pytest.fixture
def held(db):
    return make_case(status="detained", facility=make_facility(slug="winn", name="Winn"))


@pytest.fixture
def hidden(db):
    return make_case(is_public=False, status="released")


def by(field_name, queryset=None):
    """Rows of status documents by one of their fields."""
    rows = StatusDocument.objects.rows() if queryset is None else queryset
    return PreparedRows(
        lambda value: rows.filter(**{field_name: value}), StatusDocument._meta.get_field(field_name)
    )


def test_reads_the_row_get_reads_converted_as_the_queryset_converts_it(held):
    row = by("reference").get(held.reference)
    assert row == StatusDocument.objects.rows().get(reference=held.reference)
    # SQLite hands dates and instants back as text; the row has them as values.
    assert (row.status_since, row.updated_at) == (datetime.date(2019, 4, 11), held.updated_at)
    assert (row.reference, row.status, row.facility_slug) == (held.reference, "detained", "winn")


def test_each_call_runs_one_query_with_its_own_value(held, hidden, django_assert_num_queries):
    prepared = by("reference")
    for case in [held, hidden, held]:
        with django_assert_num_queries(1):
            assert prepared.get(case.reference).reference == case.reference


def test_the_value_goes_to_every_place_the_query_uses_it(held, hidden):
    rows = StatusDocument.objects.rows()
    either = PreparedRows(
        lambda value: rows.filter(Q(reference=value) | Q(status=value)).order_by("reference"),
        StatusDocument._meta.get_field("reference"),
    )
    other = make_case(status="released")
    assert [row.reference for row in either(held.reference)] == [held.reference]
    assert [row.reference for row in either("released")] == sorted([hidden.reference, other.reference])
    assert either("no such value") == []


def test_no_row_and_several_rows_raise_as_get_raises(held, hidden):
    prepared = by("reference")
    # The value is a parameter, never part of the SQL.
    for value in ["CT-0000-0000", f"{held.reference}' OR '1'='1"]:
        with pytest.raises(StatusDocument.DoesNotExist, match="No StatusDocument for reference="):
            prepared.get(value)
    make_case(status="detained")
    by_status = by("status")
    assert by_status.get("released").reference == hidden.reference
    with pytest.raises(StatusDocument.MultipleObjectsReturned):
        by_status.get("detained")


def test_builds_named_rows_around_the_value_or_says_why_not(db):
    reference = StatusDocument._meta.get_field("reference")
    with pytest.raises(TypeError, match="named=True"):
        PreparedRows(lambda value: StatusDocument.objects.filter(reference=value), reference)("x")
    with pytest.raises(ValueError, match="does not use the value"):
        PreparedRows(lambda value: StatusDocument.objects.rows(), reference)("x")


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


def test_get_visible_compiles_once_for_each_part_and_field(held, hidden, advocate):
    rows = StatusDocument.objects.rows()
    compile_ = PreparedRows._compile
    with mock.patch.object(PreparedRows, "_compile", autospec=True, side_effect=compile_) as compiling:
        for user in [AnonymousUser(), advocate] * 3:
            rows.get_visible(user, reference=held.reference)
        rows.get_visible(advocate, status="released")
    assert compiling.call_count == 3


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a second thread's connection: the SQLite test database is in memory",
)
@pytest.mark.django_db(transaction=True)
def test_compiled_on_one_thread_runs_on_another_s_connection():
    held = make_case(status="detained", facility=make_facility(slug="winn", name="Winn"))
    prepared = by("reference")
    assert prepared.get(held.reference).status_since == datetime.date(2019, 4, 11)
    found = []

    def poll():
        try:
            found.append(prepared.get(held.reference))
        except Exception as exc:  # a thread's exception is otherwise lost
            found.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=poll)
    thread.start()
    thread.join(timeout=20)
    assert [(row.reference, row.status_since, row.updated_at) for row in found] == [
        (held.reference, datetime.date(2019, 4, 11), held.updated_at)
    ]
