"""History as people read it: who changed which fields of which row, from
what to what, and why; private values left out for those who may not see them.

The API's case history and the admin's stale-form message both read it here.
"""

from collections import defaultdict

from simple_history.models import HistoricalRecords

from cases.models import Account, Case, Custody, LegalEvent, StatusUpdate
from people.models import Alias, ConsentRecord, Person
from people.permissions import can_view_private

# The fields people.permissions calls private, per model; the API's
# serializers and the admin hide the same ones (a test keeps them in step).
# `recorded_by` names an advocate, which the API keeps from Readers too.
PRIVATE_FIELDS = {
    Person: {"date_of_birth", "alien_number", "private_notes"},
    Case: {"private_notes"},
    StatusUpdate: {"internal_note", "recorded_by"},
    ConsentRecord: {"note", "recorded_by"},
}
# Bookkeeping that changes with every save and says nothing to a reader.
UNTOLD_FIELDS = {"id", "version", "created_at", "updated_at", "recorded_at"}
ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


def case_history_rows(case):
    """(kind, historical rows) of a case, its facts and its person."""
    sources = [
        ("case", Case.history.filter(id=case.pk)),
        ("status_update", StatusUpdate.history.filter(case_id=case.pk)),
        ("custody", Custody.history.filter(case_id=case.pk)),
        ("legal_event", LegalEvent.history.filter(case_id=case.pk)),
    ]
    if case.person_id:
        sources.append(("person", Person.history.filter(id=case.person_id)))
    return sources


def person_history_rows(person):
    """(kind, historical rows) of a person and the rows the person's admin page edits."""
    return [
        ("person", Person.history.filter(id=person.pk)),
        ("alias", Alias.history.filter(person_id=person.pk)),
        ("account", Account.history.filter(person_id=person.pk)),
        ("consent_record", ConsentRecord.history.filter(person_id=person.pk)),
    ]


def m2m_history_models(model):
    """simple-history's tables of past many-to-many rows (a fact's citations)."""
    return {
        field.name: HistoricalRecords.m2m_models[field]
        for field in model._meta.many_to_many
        if field in HistoricalRecords.m2m_models
    }


def history_entries(sources, *, user, since=None):
    """Entries, newest first: {at, who, object, object_id, action, reason,
    changes: [{field, old, new}]}. Without the right to see private fields,
    those fields and `who` are left out (absent, not null) and an entry that
    changed nothing else is dropped. With `since`, only later entries."""
    show_private = can_view_private(user)
    entries = []
    for kind, rows in sources:
        history_model = rows.model
        model = history_model.instance_type
        hidden = UNTOLD_FIELDS | (set() if show_private else PRIVATE_FIELDS.get(model, set()))
        fields = [field for field in history_model.tracked_fields if field.name not in hidden]
        m2m = {name: table for name, table in m2m_history_models(model).items() if name not in hidden}
        rows = list(rows.select_related("history_user").order_by("history_date", "history_id"))
        linked = _m2m_values(m2m, model, rows)
        previous = {}
        for row in rows:
            values = {field.name: getattr(row, field.attname) for field in fields}
            values.update({name: linked[name].get(row.history_id, []) for name in m2m})
            before = previous.get(row.id)
            previous[row.id] = values
            changes = _changes(before, values) if row.history_type != "-" else []
            if (since and row.history_date <= since) or (row.history_type == "~" and not changes):
                continue
            entry = {
                "at": row.history_date,
                "who": row.history_user.get_username() if row.history_user else None,
                "object": kind,
                "object_id": row.id,
                "action": ACTIONS[row.history_type],
                "reason": row.history_change_reason or "",
                "changes": changes,
            }
            if not show_private:
                del entry["who"]
            entries.append(((row.history_date, row.history_id), entry))
    entries.sort(key=lambda item: item[0], reverse=True)
    return [entry for _, entry in entries]


def _m2m_values(m2m, model, rows):
    # {field: {history_id: sorted related ids}}, one query per field for all rows.
    values = {}
    for name, table in m2m.items():
        related = model._meta.get_field(name).m2m_reverse_name()
        by_row = defaultdict(list)
        for history_id, related_id in table.objects.filter(
            history__in=[row.history_id for row in rows]
        ).values_list("history_id", related):
            by_row[history_id].append(related_id)
        values[name] = {history_id: sorted(ids) for history_id, ids in by_row.items()}
    return values


def _changes(before, after):
    """Field, old and new of every value that differs; a creation lists every value set."""
    before = before or {}
    return [
        {"field": name, "old": before.get(name), "new": value}
        for name, value in after.items()
        if before.get(name) != value and (before or value not in (None, "", []))
    ]
