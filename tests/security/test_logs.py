"""Nothing private reaches a log line: PostgreSQL quotes the failing row in an
error's message, and a 500's traceback would carry it into the log."""

import contextlib
import io
import logging

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from cases.api import CaseViewSet
from casetracker.log_filters import WithholdDatabaseValues, WithoutQueryStrings, withhold_values
from people.models import Person

CANARY = "CANARY-private-notes-5e1d"


@contextlib.contextmanager
def written_by(logger, filter_class):
    """What the configured handler of `logger` with that filter writes."""
    (handler,) = [h for h in logger.handlers if any(isinstance(f, filter_class) for f in h.filters)]
    output = io.StringIO()
    previous = handler.setStream(output)
    try:
        yield output
    finally:
        handler.setStream(previous)


@pytest.fixture
def log_output():
    with written_by(logging.getLogger(), WithholdDatabaseValues) as output:
        yield output


def create_invalid_person():
    """A real constraint violation with private values in the row."""
    with transaction.atomic():
        Person.objects.create(full_name="", private_notes=f"{CANARY}\nsecond line")


@pytest.mark.parametrize(
    ("message", "logged"),
    [
        (
            'new row for relation "people_person" violates check constraint "people_person_full_name_required"\n'
            "DETAIL:  Failing row contains (7, , Hugo Parra, Major, secret\nnotes).",
            'new row for relation "people_person" violates check constraint "people_person_full_name_required"',
        ),
        (
            'duplicate key value violates unique constraint "people_person_pkey"\n'
            "DETAIL:  Key (id)=(7) already exists.",
            'duplicate key value violates unique constraint "people_person_pkey"',
        ),
        (
            'invalid input syntax for type date: "Hugo "El Mayor" Parra"',
            "invalid input syntax for type date: (withheld from the log)",
        ),
        (
            'value "99999999999" is out of range for type integer',
            "value (withheld from the log) is out of range for type integer",
        ),
        ('syntax error at or near "Parra"', "syntax error at or near (withheld from the log)"),
        (
            'null value in column "full_name" of relation "people_person" violates not-null constraint',
            'null value in column "full_name" of relation "people_person" violates not-null constraint',
        ),
        (
            "CHECK constraint failed: people_person_full_name_required",
            "CHECK constraint failed: people_person_full_name_required",
        ),
    ],
)
def test_database_error_keeps_what_failed_and_withholds_values(message, logged):
    assert withhold_values(message) == logged


@pytest.mark.django_db
def test_server_error_from_the_database_logs_no_private_value(monkeypatch, log_output):
    def failing_queryset(view):
        create_invalid_person()

    monkeypatch.setattr(CaseViewSet, "get_queryset", failing_queryset)
    response = Client(raise_request_exception=False).get("/api/v1/cases/")
    assert response.status_code == 500
    logged = log_output.getvalue()
    assert "Internal Server Error: /api/v1/cases/" in logged
    assert "IntegrityError" in logged
    assert "people_person_full_name_required" in logged  # what failed is still said
    assert CANARY not in logged


@pytest.mark.django_db
def test_database_error_as_a_log_argument_is_withheld_too(log_output):
    with pytest.raises(IntegrityError) as caught:
        create_invalid_person()
    logging.getLogger("cases").error("Could not save: %s", caught.value)
    logging.getLogger("cases").error(caught.value)
    logging.getLogger("cases").error(
        "Could not save %(model)s: %(error)s", {"model": "person", "error": caught.value}
    )
    logged = log_output.getvalue()
    assert logged.count("people_person_full_name_required") == 3
    assert "Could not save person: " in logged
    assert CANARY not in logged
    # The exception itself is left as it was.
    assert str(caught.value) == str(caught.value.__cause__)


def test_development_server_request_lines_leave_out_query_strings():
    server = logging.getLogger("django.server")
    with written_by(server, WithoutQueryStrings) as output:
        for line in ("GET /admin/people/person/?q=Hugo+Parra HTTP/1.1", "GET /cases/?q=Hugo Parra HTTP/1.1"):
            server.info('"%s" %s %s', line, "200", "512", extra={"status_code": 200})
    logged = output.getvalue()
    assert '"GET /admin/people/person/ HTTP/1.1" 200 512' in logged
    assert '"GET /cases/ HTTP/1.1" 200 512' in logged
    assert "Hugo" not in logged
    assert "Parra" not in logged
