# ruff: noqa: S608 - the SQL is assembled from constant fragments; nothing comes from input.
"""CaseTally: how many cases have each combination of the publication rule's
columns, counted by the database.

Triggers on cases_case add each written case to its combination's row and take
it from the one it leaves, however the row is written (save, bulk_create,
update(), delete, loaddata, the consent copy's own triggers, SQL), in the same
transaction: a count read from the tally is the count of the rows, in every
transaction's own view. A write that changes none of the three columns (an
advocate's edit, a status update) writes nothing to the tally, so it takes no
lock there; a case created, deleted, published or unpublished waits for any
other transaction doing the same to the same combination's row, until it ends.

On PostgreSQL the triggers run once per statement (a bulk insert of 1,000
cases adds to each row once) and order their writes by combination, so two
transactions take the rows' locks in the same order; Django's flush empties the
tables with one TRUNCATE, which empties the tally too. SQLite runs one writer at
a time and its triggers once per row.

Like the consent copy they belong to migrate (cases.kept_triggers): installed
after every migrate while the tally's table exists (cases/0010), which counts
the cases again from scratch.
"""

from cases.kept_triggers import KeptTriggers

KEY = "is_public, has_person, person_consents"
ADD = f"ON CONFLICT ({KEY}) DO UPDATE SET n = cases_casetally.n + excluded.n"


def _rows(table, sign):
    return f"SELECT is_public, person_id IS NOT NULL AS has_person, person_consents, {sign} AS n FROM {table}"


def _add(changes):
    """Add the changed cases (a query of KEY and n, +1 or -1) to their rows."""
    return f"""
        INSERT INTO cases_casetally ({KEY}, n)
        SELECT {KEY}, sum(n) FROM ({changes}) AS changes
        GROUP BY {KEY} HAVING sum(n) <> 0 ORDER BY {KEY}
        {ADD}
    """


# PostgreSQL: per statement, from its transition tables (new_rows, old_rows).
STATEMENT_CHANGES = {
    "insert": _rows("new_rows", "1"),
    "update": f"{_rows('new_rows', '1')} UNION ALL {_rows('old_rows', '-1')}",
    "delete": _rows("old_rows", "-1"),
}
TRANSITION_TABLES = {
    "insert": "NEW TABLE AS new_rows",
    "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "delete": "OLD TABLE AS old_rows",
}
POSTGRESQL = []
for operation, changes in STATEMENT_CHANGES.items():
    POSTGRESQL += [
        f"""
        CREATE OR REPLACE FUNCTION cases_case_tally_{operation}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {_add(changes)};
            RETURN NULL;
        END $$
        """,
        f"""
        CREATE TRIGGER cases_case_tally_{operation} AFTER {operation.upper()} ON cases_case
        REFERENCING {TRANSITION_TABLES[operation]}
        FOR EACH STATEMENT EXECUTE FUNCTION cases_case_tally_{operation}()
        """,
    ]
POSTGRESQL += [
    """
    CREATE OR REPLACE FUNCTION cases_case_tally_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM cases_casetally;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER cases_case_tally_truncate AFTER TRUNCATE ON cases_case
    FOR EACH STATEMENT EXECUTE FUNCTION cases_case_tally_truncate()
    """,
]


# SQLite: per row, from NEW and OLD. A case leaving its row only updates it:
# Django's flush deletes the tables in no set order, and a tally emptied before
# the cases must stay empty, not count them below zero.
def _add_row(row):
    return (
        f"INSERT INTO cases_casetally ({KEY}, n)"
        f" VALUES ({row}.is_public, {row}.person_id IS NOT NULL, {row}.person_consents, 1) {ADD};"
    )


def _take_row(row):
    return (
        f"UPDATE cases_casetally SET n = n - 1 WHERE is_public = {row}.is_public"
        f" AND has_person = ({row}.person_id IS NOT NULL) AND person_consents = {row}.person_consents;"
    )


SQLITE = [
    f"CREATE TRIGGER cases_case_tally_insert AFTER INSERT ON cases_case BEGIN {_add_row('NEW')} END",
    f"CREATE TRIGGER cases_case_tally_delete AFTER DELETE ON cases_case BEGIN {_take_row('OLD')} END",
    f"""
    CREATE TRIGGER cases_case_tally_update AFTER UPDATE OF {KEY.replace("has_person", "person_id")} ON cases_case
    WHEN NEW.is_public IS NOT OLD.is_public OR NEW.person_consents IS NOT OLD.person_consents
        OR (NEW.person_id IS NULL) IS NOT (OLD.person_id IS NULL)
    BEGIN {_take_row("OLD")} {_add_row("NEW")} END
    """,
]

OPERATIONS = [*STATEMENT_CHANGES, "truncate"]
KEPT = KeptTriggers(
    triggers={
        "postgresql": [(f"cases_case_tally_{operation}", "cases_case") for operation in OPERATIONS],
        "sqlite": [(f"cases_case_tally_{operation}", "cases_case") for operation in STATEMENT_CHANGES],
    },
    functions={"postgresql": [f"cases_case_tally_{operation}()" for operation in OPERATIONS]},
    create={"postgresql": POSTGRESQL, "sqlite": SQLITE},
    correct=[
        "DELETE FROM cases_casetally",
        f"INSERT INTO cases_casetally ({KEY}, n) SELECT {KEY}, count(*) FROM ({_rows('cases_case', 1)}) AS cases"
        f" GROUP BY {KEY}",
    ],
    needs=("cases_casetally", None),
)
