# ruff: noqa: S608 - the SQL is assembled from constant fragments; nothing comes from input.
"""The database view StatusDocument reads: a case with where it is held now.

It joins the case to its open custody row (at most one: a unique constraint)
and that row's facility, as CaseQuerySet.with_current_custody() does, and
carries the case's publication columns, so that the one rule
(public_case_q) filters it like a case.

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

NAME = "cases_statusdocument"
DROP = f"DROP VIEW IF EXISTS {NAME}"
CREATE = f"""
    CREATE VIEW {NAME} AS
    SELECT c.id, c.reference, c.status, c.status_since, c.status_since_precision, c.updated_at,
           c.is_public, c.person_id, c.person_consents,
           f.slug AS facility_slug, f.name AS facility_name, f.city AS facility_city,
           f.region AS facility_region, f.country AS facility_country, f.updated_at AS facility_updated_at
    FROM cases_case c
    LEFT JOIN cases_custody k ON k.case_id = c.id AND k.ended_on IS NULL
    LEFT JOIN cases_facility f ON f.id = k.facility_id
"""
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
            cursor.execute(CREATE)
