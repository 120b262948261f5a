"""Writes about people that touch several rows: consent, photos, erasure."""

import uuid
from pathlib import Path

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from cases.models import Account, Case, CaseChange, Custody, LegalEvent, StatusUpdate
from cases.services import case_record_change
from people.models import Alias, ConsentRecord, ConsentScope, Person

CONSENT_FLAGS = {
    ConsentScope.NAME: "consent_to_publish",
    ConsentScope.PHOTO: "photo_consent",
    ConsentScope.SUMMARY: "summary_consent",
    ConsentScope.ACCOUNTS: "accounts_consent",
}


def _announce_to_pollers(person):
    # What the public may see of each of the person's cases changed.
    for case in Case.objects.filter(person=person).only("pk"):
        case_record_change(case=case, kind=CaseChange.Kind.FIELDS)


@transaction.atomic
def record_consent(*, person, scopes, granted, method, note="", recorded_by=None):
    """Append one ledger entry per scope and refresh the person's consent flags.

    The flags (consent_to_publish = name scope, photo/summary/accounts) are
    what every public QuerySet reads, so a withdrawal takes effect on the next
    request everywhere.
    """
    # NO KEY: the change leaves the person's key alone, so it need not hold up
    # the foreign-key check of a case being saved meanwhile, while the
    # database's copy of the consent onto that case waits for the case
    # (cases.consent_copy): holding both ways was a deadlock.
    person = Person.objects.select_for_update(no_key=True).get(pk=person.pk)
    photo_was_public = person.photo_is_public
    records = []
    for scope in scopes:
        record = ConsentRecord(
            person=person, scope=scope, granted=granted, method=method, note=note, recorded_by=recorded_by
        )
        record.full_clean()
        record.save()
        records.append(record)
    latest = {}
    for record in person.consents.order_by("recorded_at", "pk"):
        latest[record.scope] = record.granted
    for scope, flag in CONSENT_FLAGS.items():
        setattr(person, flag, latest.get(scope, False))
    person.consent_recorded_on = timezone.localdate()
    person.save(update_fields=[*CONSENT_FLAGS.values(), "consent_recorded_on", "updated_at"])
    if photo_was_public and not person.photo_is_public:
        _move_photo_to_new_names(person)
    _announce_to_pollers(person)
    return records


def _move_photo_to_new_names(person):
    """Media is served without a login: once a photo stops being public, the
    URL the public saw must stop working, so the files move to new random names."""
    old_files = [person.photo.name, person.photo_thumbnail.name]
    for field in (person.photo, person.photo_thumbnail):
        if field:
            with field.open("rb") as source:
                content = source.read()
            field.save(f"{uuid.uuid4().hex}{Path(field.name).suffix}", ContentFile(content), save=False)
    person.save(update_fields=["photo", "photo_thumbnail", "updated_at"])
    transaction.on_commit(lambda: _delete_files(person.photo.storage, old_files))


@transaction.atomic
def person_set_photo(*, person, photo_files):
    """Store a photo and its thumbnail, as people.photos.sanitize_photo made
    them from an upload (validation happens there, in the form or serializer)."""
    photo, thumbnail = photo_files
    old_files = [person.photo.name, person.photo_thumbnail.name]
    person.photo.save(photo.name, photo, save=False)
    person.photo_thumbnail.save(thumbnail.name, thumbnail, save=False)
    person.save(update_fields=["photo", "photo_thumbnail", "updated_at"])
    transaction.on_commit(lambda: _delete_files(person.photo.storage, old_files))
    _announce_to_pollers(person)
    return person


def _delete_files(storage, names):
    for name in names:
        if name:
            storage.delete(name)


@transaction.atomic
def person_erase(*, person):
    """Purge a person's identifying data for good, keeping only anonymised
    facts (status codes and dates, facilities, legal event kinds and dates)
    for statistics. Irreversible."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    files = [person.photo.name, person.photo_thumbnail.name]
    person.aliases.all().delete()
    Account.objects.filter(person=person).delete()
    person.consents.all().delete()
    for field, value in {
        "full_name": f"Erased person {person.pk}",
        "rank": "",
        "branch": "",
        "nationality": "",
        "date_of_birth": None,
        "alien_number": "",
        "public_summary": "",
        "private_notes": "",
        "photo": "",
        "photo_thumbnail": "",
        "consent_recorded_on": None,
        **dict.fromkeys(CONSENT_FLAGS.values(), False),
    }.items():
        setattr(person, field, value)
    person.erased_at = timezone.now()
    person.save()

    cases = Case.objects.filter(person=person)
    cases.update(
        summary="", private_notes="", is_public=False, updated_at=timezone.now(), version=F("version") + 1
    )
    blank_facts = {"is_disputed": False, "dispute_note": ""}
    StatusUpdate.objects.filter(case__in=cases).update(note="", internal_note="", **blank_facts)
    Custody.objects.filter(case__in=cases).update(note="", **blank_facts)
    LegalEvent.objects.filter(case__in=cases).update(note="", **blank_facts)
    # Citations point at reports that name the person.
    for model in (StatusUpdate, Custody, LegalEvent):
        model.sources.through.objects.filter(**{f"{model._meta.model_name}__case__in": cases}).delete()
    # The admin's action log repeats names in its object descriptions.
    LogEntry.objects.filter(
        Q(content_type=ContentType.objects.get_for_model(Person), object_id=str(person.pk))
        | Q(
            content_type=ContentType.objects.get_for_model(Case),
            object_id__in=[str(pk) for pk in cases.values_list("pk", flat=True)],
        )
    ).delete()
    _replace_history(person, cases)
    _announce_to_pollers(person)
    transaction.on_commit(lambda: _delete_files(person.photo.storage, files))
    return person


ERASED_REASON = "Identifying data erased"


def _replace_history(person, cases):
    """Drop every history row that could hold the erased data (old names,
    notes, reasons, photo paths) and start each history again from the
    anonymised state, saying why."""
    case_ids = list(cases.values_list("pk", flat=True))
    facts = (StatusUpdate, Custody, LegalEvent)
    for model in facts:
        for m2m_history in _m2m_history_models(model):
            m2m_history.objects.filter(history__case_id__in=case_ids).delete()
        model.history.filter(case_id__in=case_ids).delete()
    for model in (Alias, ConsentRecord, Account):
        model.history.filter(person_id=person.pk).delete()
    Case.history.filter(id__in=case_ids).delete()
    Person.history.filter(id=person.pk).delete()
    for model, rows in (
        (Person, [person]),
        (Case, cases),
        *((model, model.objects.filter(case__in=case_ids)) for model in facts),
    ):
        model.history.bulk_history_create(rows, update=True, default_change_reason=ERASED_REASON)


def _m2m_history_models(model):
    # simple-history's tables of past citations point at their history row by "history".
    return [
        relation.related_model
        for relation in model.history.model._meta.related_objects
        if relation.field.name == "history"
    ]
