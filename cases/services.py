"""Writes that touch several models. Admin and API both call these."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cases.dates import DatePrecision
from cases.models import Case, CaseChange, Custody, LegalEvent, StatusUpdate


def case_record_change(*, case, kind):
    """Log a change for polling clients and bump the case's updated_at and version.

    The version covers the case's facts too: an editor who opened the case
    before a custody row changed must not save the stale rows back.
    """
    now = timezone.now()
    Case.objects.filter(pk=case.pk).update(updated_at=now, version=F("version") + 1)
    CaseChange.objects.create(case=case, kind=kind, changed_at=now)
    # The caller's copy stays saveable.
    case.refresh_from_db(fields=["updated_at", "version"])


@transaction.atomic
def record_status_update(
    *,
    case,
    status,
    effective_on,
    effective_on_precision=DatePrecision.DAY,
    note="",
    internal_note="",
    sources=(),
    recorded_by=None,
    is_disputed=False,
    dispute_note="",
):
    """Append a status update and set Case.status/status_since to the latest one.

    The case row is locked first, so two advocates recording at once are
    serialised and the case always ends equal to the latest entry.
    """
    case = Case.objects.select_for_update().get(pk=case.pk)
    update = StatusUpdate(
        case=case,
        status=status,
        effective_on=effective_on,
        effective_on_precision=effective_on_precision,
        note=note,
        internal_note=internal_note,
        recorded_by=recorded_by,
        is_disputed=is_disputed,
        dispute_note=dispute_note,
    )
    update.full_clean()
    update.save()
    update.sources.set(sources)
    # A back-dated entry does not displace a later one: "latest" is by date.
    latest = case.status_updates.latest()
    case.status = latest.status
    case.status_since = latest.effective_on
    case.status_since_precision = latest.effective_on_precision
    case.save(update_fields=["status", "status_since", "status_since_precision", "updated_at"])
    case_record_change(case=case, kind=CaseChange.Kind.STATUS)
    return update


@transaction.atomic
def case_create(**fields):
    """Create a case (its reference is assigned on save) and log it."""
    case = Case(**fields)
    # The reference is assigned by save(); its constraints cannot be checked before.
    case.full_clean(exclude=["reference"])
    case.save()
    case_record_change(case=case, kind=CaseChange.Kind.CREATED)
    return case


@transaction.atomic
def case_update(*, case, **fields):
    """Change a case's own fields; logs a change only if a value really changed."""
    changed = [name for name, value in fields.items() if getattr(case, name) != value]
    for name, value in fields.items():
        setattr(case, name, value)
    case.full_clean()
    if changed:
        case.save()
        case_record_change(case=case, kind=CaseChange.Kind.FIELDS)
    return case


def _add_sourced_fact(model, kind, *, case, sources, fields):
    # The case row lock serialises writers, so an overlap check cannot pass
    # for two custody rows being added at once.
    case = Case.objects.select_for_update().get(pk=case.pk)
    fact = model(case=case, **fields)
    fact.full_clean()
    fact.save()
    fact.sources.set(sources)
    case_record_change(case=case, kind=kind)
    return fact


@transaction.atomic
def custody_add(*, case, sources=(), **fields):
    """Append a custody row (validated against the case's other rows) and log it."""
    return _add_sourced_fact(Custody, CaseChange.Kind.CUSTODY, case=case, sources=sources, fields=fields)


@transaction.atomic
def legal_event_add(*, case, sources=(), **fields):
    """Append a legal event and log it."""
    return _add_sourced_fact(
        LegalEvent, CaseChange.Kind.LEGAL_EVENT, case=case, sources=sources, fields=fields
    )
