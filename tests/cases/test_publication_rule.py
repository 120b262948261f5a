import datetime
import threading
import time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from cases import consent_copy, status_view
from cases.models import Account, Case, Custody, Facility, StatusDocument, StatusUpdate
from people.models import ConsentMethod, ConsentScope, Person
from people.services import record_consent
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


def test_a_kept_queryset_builds_its_public_part_once_and_hands_out_copies(cases, advocate, monkeypatch):
    kept = Case.objects.order_by("pk")
    built = []
    public = type(kept).public
    monkeypatch.setattr(type(kept), "public", lambda queryset: built.append(1) or public(queryset))
    first, second = kept.visible_to(AnonymousUser()), kept.visible_to(AnonymousUser())
    assert len(built) == 1
    assert list(first) == list(second) == [cases["public"], cases["group"]]
    # Copies: evaluating one fills no other's cache, nor the kept one's.
    assert first is not second
    assert kept._result_cache is None
    everything = kept.visible_to(advocate)
    assert everything is not kept
    assert len(everything) == 4
    assert kept._result_cache is None
    assert list(kept.visible_to(AnonymousUser())) == [cases["public"], cases["group"]]


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
    # Filtered: all cases are counted from the tally (tests/cases/test_case_tally.py).
    with CaptureQueriesContext(connection) as captured:
        count = Case.objects.with_current_custody().filter(status="detained").count()
    assert count == Case.objects.filter(status="detained").count() > 0
    assert "cases_custody" not in captured.captured_queries[0]["sql"]


# The rule reads the person's consent from the case's copy, which the database
# keeps (migration cases/0007). However consent or the case's person changes,
# the copy must follow at once, or a case would be published without consent.


def public_pks():
    return set(Case.objects.public().values_list("pk", flat=True))


def test_consent_withdrawn_and_granted_through_the_ledger_moves_the_case(advocate):
    case = make_case()
    withdraw = {"scopes": [ConsentScope.NAME], "method": ConsentMethod.WRITING, "recorded_by": advocate}
    record_consent(person=case.person, granted=False, **withdraw)
    assert case.pk not in public_pks()
    record_consent(person=case.person, granted=True, **withdraw)
    assert case.pk in public_pks()


def test_consent_changed_by_a_bulk_update_moves_every_case_of_the_person(db):
    person = make_person()
    cases = {make_case(person=person).pk, make_case(person=person).pk}
    other = make_case()
    Person.objects.filter(pk=person.pk).update(consent_to_publish=False)
    assert public_pks() == {other.pk}
    Person.objects.filter(pk=person.pk).update(consent_to_publish=True)
    assert public_pks() == cases | {other.pk}


def test_a_case_written_with_a_wrong_copy_is_corrected_by_the_database(db):
    refusing = make_person(consent_to_publish=False)
    created = make_case(person=refusing, person_consents=True)
    [bulk] = Case.objects.bulk_create([Case(reference="CT-2019-9999", person=refusing, person_consents=True)])
    Case.objects.filter(pk=created.pk).update(person_consents=True)
    created.person_consents = True
    created.save()
    assert not Case.objects.filter(pk__in=[created.pk, bulk.pk], person_consents=True).exists()
    assert public_pks() == set()


def test_the_copy_follows_the_case_to_another_person(db):
    case = make_case(person=make_person(consent_to_publish=False))
    Case.objects.filter(pk=case.pk).update(person=make_person())
    assert public_pks() == {case.pk}
    case.refresh_from_db()
    case.person = make_person(consent_to_publish=False)
    case.save()
    assert public_pks() == set()


def test_a_case_written_before_its_person_takes_the_person_s_consent(db):
    # As loaddata may write a dump: foreign keys are checked at commit.
    with transaction.atomic():
        case = Case.objects.create(person_id=987654, is_public=True)
        Person.objects.create(
            pk=987654,
            full_name="Loaded later",
            consent_to_publish=True,
            consent_recorded_on=datetime.date(2020, 1, 1),
        )
    assert public_pks() == {case.pk}


def test_migrate_puts_back_triggers_that_a_table_rebuild_dropped_and_corrects_the_copy(db):
    # SQLite drops a table's triggers when a migration rebuilds the table.
    case = make_case()
    consent_copy.KEPT.remove(connection)
    Person.objects.filter(pk=case.person_id).update(consent_to_publish=False)
    assert case.pk in public_pks()  # what the triggers prevent
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    assert public_pks() == set()
    Person.objects.filter(pk=case.person_id).update(consent_to_publish=True)
    assert public_pks() == {case.pk}


def a_plan():
    """What migrate passes pre_migrate when it has a migration to run."""
    return [(MigrationLoader(connection).get_migration("cases", "0009_status_document"), False)]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite rebuilds a table to alter it")
@pytest.mark.django_db(transaction=True)
def test_a_migration_that_rebuilds_people_and_cases_leaves_the_copy_kept():
    # What migrate does around a later migration that adds a NOT NULL column
    # to people or cases: Django rebuilds the table (_remake_table).
    case = make_case()
    emit_pre_migrate_signal(verbosity=0, interactive=False, db=connection.alias, plan=a_plan())
    with connection.schema_editor() as editor:
        editor._remake_table(Person)
        editor._remake_table(Case)
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    Person.objects.filter(pk=case.person_id).update(consent_to_publish=False)
    assert public_pks() == set()


def views():
    with connection.cursor() as cursor:
        return {info.name for info in connection.introspection.get_table_list(cursor) if info.type == "v"}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite rebuilds a table to alter it")
@pytest.mark.django_db(transaction=True)
def test_a_migration_that_rebuilds_the_tables_of_the_status_view_leaves_the_view():
    # SQLite refuses to rename a rebuilt table that a view names: a migrate
    # that runs migrations takes the view off first, and puts it back after.
    case = make_case()
    emit_pre_migrate_signal(verbosity=0, interactive=False, db=connection.alias, plan=[])
    assert views() == {status_view.NAME}  # nothing to migrate: left in place
    emit_pre_migrate_signal(verbosity=0, interactive=False, db=connection.alias, plan=a_plan())
    with connection.schema_editor() as editor:
        for model in [Case, Facility]:
            editor._remake_table(model)
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    assert StatusDocument.objects.get().reference == case.reference


@pytest.mark.django_db(transaction=True)
def test_a_migrate_that_fails_puts_back_what_migrate_keeps(monkeypatch):
    # After pre_migrate (which takes the triggers off on SQLite, and the status
    # view wherever migrations run), before post_migrate.
    case = make_case()
    call_command("migrate", "audit", "0001", verbosity=0)  # something to migrate

    def fail(*args, **kwargs):
        raise RuntimeError("migration failed")

    try:
        with monkeypatch.context() as patched:
            patched.setattr(MigrationExecutor, "migrate", fail)
            with pytest.raises(RuntimeError, match="migration failed"):
                call_command("migrate", verbosity=0)
        Person.objects.filter(pk=case.person_id).update(consent_to_publish=False)
        assert public_pks() == set()
        assert StatusDocument.objects.get().reference == case.reference
    finally:
        call_command("migrate", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_the_status_view_exists_exactly_while_its_model_s_migration_is_applied():
    assert views() == {status_view.NAME}
    # Past the consent copy's column too: PostgreSQL refuses to drop a column a view reads.
    call_command("migrate", "cases", "0006", verbosity=0)
    try:
        assert views() == set()
    finally:
        call_command("migrate", verbosity=0)
    assert views() == {status_view.NAME}


def test_counting_public_cases_reads_the_case_table_alone(db):
    make_case()
    with CaptureQueriesContext(connection) as ctx:
        assert Case.objects.public().filter(status="unknown").count() == 1
    assert "people_person" not in ctx.captured_queries[0]["sql"]


def race(first, second, first_finish=lambda: None):
    """`first` runs in a transaction that stays open until `second`, in
    another, has reached the database and waits on it; then `first_finish`
    ends the first transaction. The errors either raised."""
    first_started, may_finish = threading.Event(), threading.Event()
    errors = []

    def in_thread(steps):
        try:
            with transaction.atomic():
                for step in steps:
                    step()
        except Exception as exc:  # a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=in_thread, args=([first, first_started.set, may_finish.wait, first_finish],)),
        threading.Thread(target=in_thread, args=([lambda: first_started.wait(timeout=10), second],)),
    ]
    for thread in threads:
        thread.start()
    first_started.wait(timeout=10)
    time.sleep(0.5)  # let the second writer reach the database and wait on the first
    may_finish.set()
    for thread in threads:
        thread.join(timeout=20)
    return errors


def withdrawal(person, advocate):
    return lambda: record_consent(
        person=person,
        scopes=[ConsentScope.NAME],
        granted=False,
        method=ConsentMethod.WRITING,
        recorded_by=advocate,
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["withdrawal", "new case"])
def test_a_case_written_during_a_consent_withdrawal_is_not_published(first, advocate):
    """Whichever transaction reaches the database first, the other waits for
    it and sees its result: neither can leave a copy that still says yes."""
    person = make_person()
    created = []

    def new_case():
        created.append(Case.objects.create(person=person, is_public=True))

    writers = [withdrawal(person, advocate), new_case]
    assert race(*(writers if first == "withdrawal" else reversed(writers))) == []
    assert len(created) == 1
    assert public_pks() == set()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_a_case_saved_during_a_consent_withdrawal_neither_deadlocks_nor_stays_published(advocate):
    """An advocate's save claims the case's row (VersionedModel), then writes
    every column. A withdrawal in between holds the person and waits for the
    case's row; had the save's write then waited for the person, PostgreSQL
    would abort one of them as a deadlock."""
    case = make_case()
    rows = Case.objects.filter(pk=case.pk)

    def claim():
        rows.update(version=F("version") + 1)

    def write_every_column():  # as save() does, with the copy it read
        rows.update(person=case.person, person_consents=case.person_consents, summary="Edited.")

    assert race(claim, withdrawal(case.person, advocate), first_finish=write_every_column) == []
    assert public_pks() == set()
    assert Case.objects.get(pk=case.pk).summary == "Edited."


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("withdrawn", ["old person", "new person"])
@pytest.mark.parametrize("first", ["withdrawal", "move"])
def test_a_case_moved_to_another_person_during_a_consent_withdrawal(first, withdrawn, advocate):
    """An advocate moves a case to another person (claiming its row, then
    writing it, as save() does) while either person's consent is withdrawn,
    in either order: no deadlock, and the case ends public exactly when its
    new person consents."""
    case = make_case()
    old, new = case.person, make_person()
    rows = Case.objects.filter(pk=case.pk)

    def claim():
        rows.update(version=F("version") + 1)

    def move():
        rows.update(person=new, person_consents=case.person_consents)

    withdraw = withdrawal(old if withdrawn == "old person" else new, advocate)
    if first == "move":
        errors = race(claim, withdraw, first_finish=move)
    else:
        errors = race(withdraw, lambda: (claim(), move()))
    assert errors == []
    assert Case.objects.get(pk=case.pk).person_id == new.pk
    assert public_pks() == (set() if withdrawn == "new person" else {case.pk})
