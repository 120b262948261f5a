"""Case.person_consents: the person's consent_to_publish, copied by the database.

The publication rule (cases.models.base.public_case_q) reads the copy, so that
counting and ordering public cases needs no join to people. Triggers keep it
true however a row is written (save, bulk_create, update(), loaddata, SQL):

- a write of a case's person sets the copy from that person;
- a change of a person's consent rewrites the copy on all their cases, in the
  same transaction, and so does a person written after their cases (loaddata).

On PostgreSQL the case's trigger reads the person FOR SHARE: a case written
while another transaction changes that person's consent waits for it to end and
copies its result, and a consent change waits for a case being written to
commit, then rewrites that case too. SQLite runs one writer at a time.

SQLite drops a table's triggers when Django rebuilds the table (an altered
column): a later migration that rebuilds cases_case or people_person must run
these statements again. tests/cases/test_publication_rule.py fails if not.
"""

from django.db import migrations, models

COPY = (
    "COALESCE((SELECT p.consent_to_publish FROM people_person p WHERE p.id = {case}.person_id{lock}), FALSE)"
)

POSTGRESQL = [
    f"""
    CREATE FUNCTION cases_case_copy_person_consent() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.person_consents := {COPY.format(case="NEW", lock=" FOR SHARE")};
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER cases_case_person_consents
    BEFORE INSERT OR UPDATE OF person_id, person_consents ON cases_case
    FOR EACH ROW EXECUTE FUNCTION cases_case_copy_person_consent()
    """,
    """
    CREATE FUNCTION people_person_copy_consent_to_cases() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE cases_case SET person_consents = NEW.consent_to_publish WHERE person_id = NEW.id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER people_person_consent_to_cases
    AFTER UPDATE OF consent_to_publish ON people_person
    FOR EACH ROW WHEN (OLD.consent_to_publish IS DISTINCT FROM NEW.consent_to_publish)
    EXECUTE FUNCTION people_person_copy_consent_to_cases()
    """,
    # A person written after their cases, in the same transaction (foreign
    # keys are checked at commit): loaddata of a dump, for one.
    """
    CREATE TRIGGER people_person_consent_to_new_cases
    AFTER INSERT ON people_person
    FOR EACH ROW EXECUTE FUNCTION people_person_copy_consent_to_cases()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER people_person_consent_to_new_cases ON people_person",
    "DROP TRIGGER people_person_consent_to_cases ON people_person",
    "DROP FUNCTION people_person_copy_consent_to_cases()",
    "DROP TRIGGER cases_case_person_consents ON cases_case",
    "DROP FUNCTION cases_case_copy_person_consent()",
]

# SQLite's triggers cannot assign NEW: the case's row is corrected right after
# its write, in the same statement. Recursive triggers are off, so the
# correcting UPDATE does not fire its own trigger again.
SQLITE_CASE_FIX = f"""
    WHEN NEW.person_consents IS NOT {COPY.format(case="NEW", lock="")}
    BEGIN
        UPDATE cases_case SET person_consents = {COPY.format(case="NEW", lock="")} WHERE id = NEW.id;
    END
"""
SQLITE = [
    f"CREATE TRIGGER cases_case_person_consents_insert AFTER INSERT ON cases_case {SQLITE_CASE_FIX}",
    "CREATE TRIGGER cases_case_person_consents_update AFTER UPDATE OF person_id, person_consents ON cases_case"
    f" {SQLITE_CASE_FIX}",
    """
    CREATE TRIGGER people_person_consent_to_cases AFTER UPDATE OF consent_to_publish ON people_person
    WHEN NEW.consent_to_publish IS NOT OLD.consent_to_publish
    BEGIN
        UPDATE cases_case SET person_consents = NEW.consent_to_publish WHERE person_id = NEW.id;
    END
    """,
    """
    CREATE TRIGGER people_person_consent_to_new_cases AFTER INSERT ON people_person
    BEGIN
        UPDATE cases_case SET person_consents = NEW.consent_to_publish WHERE person_id = NEW.id;
    END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER people_person_consent_to_new_cases",
    "DROP TRIGGER people_person_consent_to_cases",
    "DROP TRIGGER cases_case_person_consents_update",
    "DROP TRIGGER cases_case_person_consents_insert",
]

BACKFILL = f"UPDATE cases_case SET person_consents = {COPY.format(case='cases_case', lock='')}"


def run(statements):
    def operation(apps, schema_editor):
        for sql in statements[schema_editor.connection.vendor]:
            schema_editor.execute(sql)

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_status_update_order_indexes"),
        ("people", "0002_history_and_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="person_consents",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(
            run({"postgresql": [*POSTGRESQL, BACKFILL], "sqlite": [*SQLITE, BACKFILL]}),
            run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(
                    ("is_public", True),
                    models.Q(("person__isnull", True), ("person_consents", True), _connector="OR"),
                ),
                fields=["-opened_on", "reference"],
                name="cases_case_public_idx",
            ),
        ),
    ]
