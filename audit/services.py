"""Writes of the audit app."""

from django.db import connection
from django.utils import timezone

from audit.models import AccessRecord


def record_access(*, user, targets, fields, via):
    """Record that `user` was shown `fields` of each (model, pk) in `targets`:
    one INSERT, however many objects a page holds.

    Hand-written, as every row repeats the same values but the object: an
    Advocate's page of 100 API cases spent 4.7 ms building, preparing and
    inserting 100 AccessRecord instances with bulk_create, against 1.5 ms for
    this statement. The table, columns and value preparation are the model's."""
    if not targets:
        return
    meta = AccessRecord._meta
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(meta.get_field(name).column)
        for name in ("user", "username", "accessed_at", "fields", "via", "model", "object_id")
    )
    accessed_at = meta.get_field("accessed_at").get_db_prep_value(timezone.now(), connection)
    shared = [user.pk, user.get_username(), accessed_at, ",".join(fields)[:300], via[:300]]
    object_id = meta.get_field("object_id")
    objects = [
        value for model, pk in targets for value in (model._meta.label_lower, object_id.get_prep_value(pk))
    ]
    # A VALUES list names its columns column1, column2… on SQLite and PostgreSQL alike.
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608 - names from the model, values as parameters
        f"SELECT %s, %s, %s, %s, %s, objects.column1, objects.column2 "
        f"FROM (VALUES {', '.join(['(%s, %s)'] * len(targets))}) AS objects"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*shared, *objects])
