"""The database view StatusDocument reads: a case with where it is held now.

Its query is CaseQuerySet.with_current_custody()'s, compiled when the view is
made: the case joined to its open custody row (at most one: a unique
constraint) and that row's facility. It carries the case's publication
columns, so that the one rule (public_case_q) filters it like a case.

Like the consent copy's triggers (cases.consent_copy) it belongs to migrate,
not to one migration: created after every migrate (post_migrate), exactly
while its model's migration (cases/0009) is applied. It is dropped before a
migrate that applies or reverts anything (pre_migrate): Django alters a
SQLite table by rebuilding it, and SQLite refuses to rename the rebuilt table
while a view names it; PostgreSQL refuses to change the type of a column a
view reads, or to drop it. Status requests fail while those migrations run;
a migrate with nothing to do leaves the view in place.
"""

from django.db import connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import F

NAME = "cases_statusdocument"
DROP = f"DROP VIEW IF EXISTS {NAME}"
# The columns of the case the view carries, and those of its current facility.
CASE_COLUMNS = [
    "id",
    "reference",
    "status",
    "status_since",
    "status_since_precision",
    "updated_at",
    "is_public",
    "person_id",
    "person_consents",
]
FACILITY_COLUMNS = ["slug", "name", "city", "region", "country", "updated_at"]


def create_sql(connection):
    """CREATE VIEW with the query with_current_custody() builds, in this
    database's SQL. The query has no parameters (a view can take none)."""
    from cases.models import Case

    facility = {f"facility_{name}": F(f"open_custody__facility__{name}") for name in FACILITY_COLUMNS}
    rows = Case.objects.with_current_custody().order_by().values(*CASE_COLUMNS, **facility)
    sql, _params = rows.query.get_compiler(connection=connection).as_sql()
    return f"CREATE VIEW {NAME} AS {sql}"


# The migration that makes StatusDocument.
MIGRATION = ("cases", "0009_status_document")


def remove_before_migrating(using, plan=None, **kwargs):
    """pre_migrate, when migrations will run (see above); sync() puts it back."""
    if plan:
        with connections[using].cursor() as cursor:
            cursor.execute(DROP)


def sync(using, **kwargs):
    """post_migrate: (re)create the view, in one transaction, when its model's
    migration is applied; drop it otherwise."""
    connection = connections[using]
    applied = MigrationRecorder(connection).applied_migrations()
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(DROP)
        if MIGRATION in applied:
            cursor.execute(create_sql(connection))
