"""Writes of the audit app."""

from audit.models import AccessRecord


def record_access(*, user, targets, fields, via):
    """Record that `user` was shown `fields` of each (model, pk) in `targets`:
    one INSERT, however many objects a page holds."""
    AccessRecord.objects.bulk_create(
        AccessRecord(
            user=user,
            username=user.get_username(),
            model=model._meta.label_lower,
            object_id=pk,
            fields=",".join(fields)[:300],
            via=via[:300],
        )
        for model, pk in targets
    )
