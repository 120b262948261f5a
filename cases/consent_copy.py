# ruff: noqa: S608 - the SQL is assembled from constant fragments; nothing comes from input.
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
commit, then rewrites that case too. It runs on an update only when the person
or the copy changes: an advocate's save that claimed the case's row must not
then wait for a person whose consent change waits for that row (a deadlock;
people.services.record_consent locks the person FOR NO KEY UPDATE for the same
reason). SQLite runs one writer at a time.

The triggers belong to migrate, not to one migration (cases.kept_triggers):
installed after every migrate, which also corrects any copy that drifted
meanwhile, and on SQLite removed before it. A later migration that adds a NOT
NULL column to people or cases would otherwise fail, or leave consent
withdrawals no longer reaching the cases.
"""

from cases.kept_triggers import KeptTriggers

COPY = (
    "COALESCE((SELECT p.consent_to_publish FROM people_person p WHERE p.id = {case}.person_id{lock}), FALSE)"
)
COPY_TO_CASES = "UPDATE cases_case SET person_consents = NEW.consent_to_publish WHERE person_id = NEW.id;"

POSTGRESQL = [
    f"""
    CREATE OR REPLACE FUNCTION cases_case_copy_person_consent() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.person_consents := {COPY.format(case="NEW", lock=" FOR SHARE")};
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER cases_case_person_consents
    BEFORE INSERT ON cases_case
    FOR EACH ROW EXECUTE FUNCTION cases_case_copy_person_consent()
    """,
    # Only when the person or the copy changes: a save of a case that changes
    # neither does not lock the person, so it cannot deadlock with a consent
    # change that holds the person and waits for the case's row.
    """
    CREATE TRIGGER cases_case_person_consents_update
    BEFORE UPDATE OF person_id, person_consents ON cases_case
    FOR EACH ROW WHEN (
        OLD.person_id IS DISTINCT FROM NEW.person_id OR OLD.person_consents IS DISTINCT FROM NEW.person_consents
    )
    EXECUTE FUNCTION cases_case_copy_person_consent()
    """,
    f"""
    CREATE OR REPLACE FUNCTION people_person_copy_consent_to_cases() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {COPY_TO_CASES}
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
    f"""
    CREATE TRIGGER people_person_consent_to_cases AFTER UPDATE OF consent_to_publish ON people_person
    WHEN NEW.consent_to_publish IS NOT OLD.consent_to_publish
    BEGIN {COPY_TO_CASES} END
    """,
    f"CREATE TRIGGER people_person_consent_to_new_cases AFTER INSERT ON people_person BEGIN {COPY_TO_CASES} END",
]

TRIGGERS = {
    "postgresql": [
        ("cases_case_person_consents", "cases_case"),
        ("cases_case_person_consents_update", "cases_case"),
        ("people_person_consent_to_cases", "people_person"),
        ("people_person_consent_to_new_cases", "people_person"),
    ],
    "sqlite": [
        ("cases_case_person_consents_insert", "cases_case"),
        ("cases_case_person_consents_update", "cases_case"),
        ("people_person_consent_to_cases", "people_person"),
        ("people_person_consent_to_new_cases", "people_person"),
    ],
}
FUNCTIONS = {
    "postgresql": ["cases_case_copy_person_consent()", "people_person_copy_consent_to_cases()"],
    "sqlite": [],
}
CREATE = {"postgresql": POSTGRESQL, "sqlite": SQLITE}

RESYNC = f"""
    UPDATE cases_case SET person_consents = {COPY.format(case="cases_case", lock="")}
    WHERE person_consents <> {COPY.format(case="cases_case", lock="")}
"""


KEPT = KeptTriggers(
    triggers=TRIGGERS,
    functions=FUNCTIONS,
    create=CREATE,
    correct=[RESYNC],
    needs=("cases_case", "person_consents"),
)
