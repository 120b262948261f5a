"""Triggers that migrate keeps, not one migration (cases.apps.kept_by_migrate).

Each set is installed after every migrate (post_migrate), in one transaction
with the statements that correct what its triggers keep (what drifted while
they were away). On SQLite they are removed before migrating (pre_migrate):
Django alters a SQLite table by rebuilding it, which drops that table's
triggers, and SQLite refuses to rename a rebuilt table while another table's
trigger names it. When a migration fails, post_migrate never comes: the
project's migrate command (cases/management/commands/migrate.py) puts them back.
"""

from django.db import connections, transaction


class KeptTriggers:
    def __init__(self, *, triggers, functions, create, correct, needs):
        """triggers: per vendor, (name, table) pairs; functions: per vendor,
        the trigger functions' signatures; create: per vendor, the statements
        that make them; correct: the statements run after (any vendor);
        needs: the (table, column) they exist with, column None for the table
        alone."""
        self.triggers = triggers
        self.functions = functions
        self.create = create
        self.correct = correct
        self.needs = needs

    def _drop(self, cursor, vendor):
        for name, table in self.triggers[vendor]:
            cursor.execute(
                f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if vendor == "postgresql" else "")
            )
        for function in self.functions.get(vendor, []):
            cursor.execute(f"DROP FUNCTION IF EXISTS {function}")

    def install(self, connection):
        """(Re)create the triggers and correct what they keep, in one transaction."""
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            self._drop(cursor, connection.vendor)
            for sql in self.create[connection.vendor]:
                cursor.execute(sql)
            self.correct_now(connection)

    def correct_now(self, connection):
        """Correct what the triggers keep (install() does, after making them)."""
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            for sql in self.correct:
                cursor.execute(sql)

    def remove(self, connection):
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            self._drop(cursor, connection.vendor)

    def remove_before_migrating(self, using, **kwargs):
        """pre_migrate, on SQLite (see above); sync() puts them back."""
        if connections[using].vendor == "sqlite":
            self.remove(connections[using])

    def sync(self, using, **kwargs):
        """post_migrate: the triggers exist exactly while what they need does
        (a migration back past the one that made it removes it)."""
        connection = connections[using]
        table, column = self.needs
        with connection.cursor() as cursor:
            present = table in connection.introspection.table_names(cursor)
            if present and column:
                description = connection.introspection.get_table_description(cursor, table)
                present = column in {field.name for field in description}
        if present:
            self.install(connection)
        else:
            self.remove(connection)
