import datetime
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from cases.models import Case, CaseChange, Status, StatusUpdate
from cases.services import record_status_update
from tests.conftest import make_article, make_case

D = datetime.date


def assert_case_matches_latest_update(case):
    case.refresh_from_db()
    latest = case.status_updates.latest()
    assert (case.status, case.status_since, case.status_since_precision) == (
        latest.status,
        latest.effective_on,
        latest.effective_on_precision,
    )


@pytest.mark.django_db
def test_record_status_update_sets_case_status_and_history(advocate):
    case = make_case()
    article = make_article()
    update = record_status_update(
        case=case,
        status=Status.DETAINED,
        effective_on=D(2019, 4, 11),
        note="Surrendered at the border.",
        internal_note="Lawyer's phone number.",
        sources=[article],
        recorded_by=advocate,
    )
    case.refresh_from_db()
    assert (case.status, case.status_since) == (Status.DETAINED, D(2019, 4, 11))
    assert list(update.sources.all()) == [article]
    assert update.recorded_by == advocate
    assert list(case.changes.values_list("kind", flat=True)) == [CaseChange.Kind.STATUS]


@pytest.mark.django_db
def test_backdated_update_does_not_displace_latest():
    case = make_case(status=Status.DETAINED, opened_on=D(2019, 4, 11))
    record_status_update(case=case, status=Status.RELEASED, effective_on=D(2020, 1, 1))
    record_status_update(case=case, status=Status.SHELTERED, effective_on=D(2019, 6, 1))
    case.refresh_from_db()
    assert case.status == Status.RELEASED
    assert case.status_updates.count() == 3
    assert_case_matches_latest_update(case)


@pytest.mark.django_db
def test_month_precision_update_shown_as_month():
    case = make_case()
    record_status_update(
        case=case, status=Status.SHELTERED, effective_on=D(2019, 5, 17), effective_on_precision="month"
    )
    case.refresh_from_db()
    assert case.status_since == D(2019, 5, 1)
    assert case.status_since_display == "May 2019"


@pytest.mark.django_db
def test_invalid_update_writes_nothing():
    case = make_case(status=Status.DETAINED)
    changes_before = CaseChange.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        record_status_update(case=case, status="escaped", effective_on=D(2020, 1, 1))
    assert "status" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        record_status_update(case=case, status=Status.RELEASED, effective_on=D(2020, 1, 1), is_disputed=True)
    assert excinfo.value.messages == ["Say what is disputed in the dispute note."]
    case.refresh_from_db()
    assert case.status == Status.DETAINED
    assert StatusUpdate.objects.filter(case=case).count() == 1
    assert CaseChange.objects.count() == changes_before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_leave_case_equal_to_latest_update():
    """Advocate A records a later status and has not committed yet when
    advocate B records an earlier one. Without the service's row lock B would
    compute "latest" without seeing A's entry and overwrite the case with its
    own, older status once A commits."""
    case = make_case(opened_on=D(2019, 1, 1), status=Status.DETAINED)
    a_recorded, a_may_commit = threading.Event(), threading.Event()
    errors = []

    def advocate_a():
        try:
            with transaction.atomic():
                record_status_update(case=case, status=Status.RELEASED, effective_on=D(2020, 6, 1))
                a_recorded.set()
                a_may_commit.wait(timeout=10)
        except Exception as exc:  # a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connections.close_all()

    def advocate_b():
        try:
            a_recorded.wait(timeout=10)
            record_status_update(case=case, status=Status.SHELTERED, effective_on=D(2020, 1, 1))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=advocate_a), threading.Thread(target=advocate_b)]
    for thread in threads:
        thread.start()
    a_recorded.wait(timeout=10)
    time.sleep(0.5)  # let B reach the database and wait on A's transaction
    a_may_commit.set()
    for thread in threads:
        thread.join(timeout=20)
    assert errors == []
    assert case.status_updates.count() == 3
    assert_case_matches_latest_update(case)
    assert Case.objects.get(pk=case.pk).status == Status.RELEASED


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_concurrent_case_creation_gets_distinct_references():
    references = []
    barrier = threading.Barrier(4)

    def create():
        try:
            barrier.wait(timeout=10)
            references.append(make_case(opened_on=D(2024, 3, 3)).reference)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(references) == [f"CT-2024-000{n}" for n in range(1, 5)]
