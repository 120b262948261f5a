"""CaseTally: all cases and the public ones are counted from the database's
tally (cases.case_tally), which must equal the rows whatever writes them."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from cases.models import Case, CaseTally
from people.models import Person
from tests.cases.test_admin import admin_url
from tests.cases.test_publication_rule import a_plan, race
from tests.conftest import make_case, make_person


def tallied():
    """(all cases, public cases) as count() answers, from one query of the tally each."""
    with CaptureQueriesContext(connection) as captured:
        counts = Case.objects.count(), Case.objects.public().count()
    assert [("cases_casetally" in query["sql"], 'cases_case"' in query["sql"]) for query in captured] == [
        (True, False),
        (True, False),
    ]
    return counts


def rows():
    """(all cases, public cases), from the rows themselves."""
    return len(Case.objects.values_list("pk")), len(Case.objects.public().values_list("pk"))


def test_all_and_public_cases_are_counted_from_the_tally(db, advocate):
    make_case()
    make_case(is_public=False)
    make_case(person=make_person(consent_to_publish=False))
    make_case(group_name="A group")
    assert tallied() == rows() == (4, 2)
    # However a view builds them: visible_to(), joins for reading, an order.
    for user, expected in [(advocate, 4), (AnonymousUser(), 2)]:
        with CaptureQueriesContext(connection) as captured:
            count = (
                Case.objects.with_current_custody()
                .with_related()
                .order_by("reference")
                .visible_to(user)
                .count()
            )
        assert count == expected
        assert "cases_casetally" in captured[-1]["sql"]


def test_narrower_querysets_count_their_rows(db):
    first = make_case(status="detained")
    make_case(status="released")
    make_case(is_public=False, status="detained")
    narrower = {
        "a filter": (Case.objects.public().filter(status="detained"), 1),
        "the public rule and more": (Case.objects.public().exclude(pk=first.pk), 1),
        "a search": (Case.objects.search(first.reference), 1),
        "distinct values": (Case.objects.values("status").distinct(), 2),
        "a slice": (Case.objects.all()[:2], 2),
        "a join that repeats cases": (Case.objects.annotate(update=F("status_updates__status")), 3),
        "nothing": (Case.objects.none(), 0),
    }
    for name, (queryset, expected) in narrower.items():
        with CaptureQueriesContext(connection) as captured:
            assert queryset.count() == expected, name
        assert all("cases_casetally" not in query["sql"] for query in captured), name


def test_every_kind_of_write_keeps_the_tally(db):
    person = make_person()
    case = make_case(person=person)
    assert tallied() == rows() == (1, 1)
    Case.objects.bulk_create(
        [Case(reference=f"CT-1999-{n:04d}", person=person, is_public=True) for n in range(3)]
    )
    assert tallied() == rows() == (4, 4)
    Case.objects.filter(pk=case.pk).update(is_public=False)
    assert tallied() == rows() == (4, 3)
    Person.objects.filter(pk=person.pk).update(consent_to_publish=False)  # through the consent copy
    assert tallied() == rows() == (4, 0)
    # Only whether it has a person changes: a group case needs no consent.
    moved = Case.objects.filter(is_public=True).first()
    moved.person, moved.group_name = None, "A group"
    moved.save()
    assert tallied() == rows() == (4, 1)
    Case.objects.exclude(pk=moved.pk).delete()
    assert tallied() == rows() == (1, 1)
    moved.delete()
    assert tallied() == rows() == (0, 0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_truncating_the_cases_empties_the_tally(db):
    make_case()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no foreign key check left pending
        cursor.execute("TRUNCATE cases_case CASCADE")
    assert tallied() == rows() == (0, 0)


def test_migrate_counts_again_what_drifted_while_the_triggers_were_away(db):
    make_case()
    CaseTally.objects.filter(n=1).update(n=101)
    assert tallied() == (101, 101)
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    assert tallied() == rows() == (1, 1)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite rebuilds a table to alter it")
@pytest.mark.django_db(transaction=True)
def test_a_migration_that_rebuilds_cases_and_the_tally_leaves_the_tally_kept():
    make_case()
    emit_pre_migrate_signal(verbosity=0, interactive=False, db=connection.alias, plan=a_plan())
    with connection.schema_editor() as editor:
        editor._remake_table(Case)
        editor._remake_table(CaseTally)
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    make_case(is_public=False)
    assert tallied() == rows() == (2, 1)


def tally_triggers():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'cases_case_tally%%'")
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'cases_case_tally%'"
            )
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_the_triggers_exist_exactly_while_the_tally_s_migration_is_applied():
    installed = tally_triggers()
    assert {"cases_case_tally_insert", "cases_case_tally_update", "cases_case_tally_delete"} <= installed
    call_command("migrate", "cases", "0009", verbosity=0)
    try:
        assert tally_triggers() == set()
        Case.objects.create(person=make_person(), is_public=True)  # a write needs no tally
        # The migration alone (migrate's post_migrate not yet run) counts the cases already.
        MigrationExecutor(connection).migrate([("cases", "0010_case_tally")])
        assert tally_triggers() == set()
        assert tallied() == (1, 1)
    finally:
        call_command("migrate", verbosity=0)
    assert tally_triggers() == installed
    assert tallied() == rows() == (1, 1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_cases_created_at_once_are_each_counted():
    # The second waits on the first's new tally row, then adds to it.
    errors = race(lambda: make_case(), lambda: make_case())
    assert errors == []
    assert tallied() == rows() == (2, 2)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("change", "waits"), [({"summary": "Edited"}, False), ({"is_public": False}, True)])
def test_only_a_change_of_the_rule_s_columns_waits_on_the_tally(change, waits):
    case = make_case()

    def hold_the_tally():
        list(CaseTally.objects.select_for_update())

    def edit():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '200ms'")
        for name, value in change.items():
            setattr(case, name, value)
        case.save()

    errors = race(hold_the_tally, edit)
    assert [type(error).__name__ for error in errors] == (["OperationalError"] if waits else [])
    assert tallied() == rows()


def test_a_failed_write_leaves_the_tally(db):
    make_case()
    with pytest.raises(Exception, match="person_or_group"), transaction.atomic():
        Case.objects.create(is_public=True)  # neither a person nor a group name
    assert tallied() == rows() == (1, 1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_publishing_cases_from_the_admin_while_one_of_them_is_published_does_not_deadlock(admin_client):
    # Had the action taken the tally's row with its first case before reaching
    # the second, held by someone who then publishes it: each would wait on the other.
    first, second = make_case(is_public=False), make_case(is_public=False)

    def hold_the_second():
        list(Case.objects.filter(pk=second.pk).select_for_update())

    def make_both_public():
        response = admin_client.post(
            admin_url(Case, "changelist"),
            {"action": "make_public", "_selected_action": [first.pk, second.pk]},
        )
        assert response.status_code == 302

    def publish_the_second():
        Case.objects.filter(pk=second.pk).update(is_public=True)

    errors = race(hold_the_second, make_both_public, publish_the_second)
    assert errors == []
    assert tallied() == rows() == (2, 2)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="flush deletes table by table on SQLite")
def test_a_flush_that_empties_the_tally_before_the_cases_leaves_it_right(db):
    # Django's flush deletes SQLite's tables in no set order.
    make_case()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_casetally")
        for table in ["cases_statusupdate_sources", "cases_statusupdate", "cases_case"]:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - constant table names
    make_case()
    assert tallied() == rows() == (1, 1)
