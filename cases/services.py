"""Writes that touch several models. Admin and API both call these."""

from django.db import transaction
from django.utils import timezone

from cases.dates import DatePrecision
from cases.models import Case, CaseChange, StatusUpdate


def case_record_change(*, case, kind):
    """Log a change for polling clients and bump the case's updated_at."""
    now = timezone.now()
    Case.objects.filter(pk=case.pk).update(updated_at=now)
    CaseChange.objects.create(case=case, kind=kind, changed_at=now)


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
