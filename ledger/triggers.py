"""The database triggers that keep the journal append-only, installed by migrations 0002 and 0005.

``ensure_triggers`` runs after every migrate and flush too, so a database that
lost them (a restore, a test flush on SQLite, someone dropping them by hand)
gets them back the next time Minka migrates.
"""

import importlib

from django.db import connections

_migration = importlib.import_module("ledger.migrations.0002_append_only_triggers")
_truncate = importlib.import_module("ledger.migrations.0005_refuse_truncate")
TABLES = _migration.TABLES


def ensure_triggers(*, using: str = "default", **kwargs) -> None:
    connection = connections[using]
    if not set(TABLES) <= set(connection.introspection.table_names()):
        return
    statements = _migration._statements(connection.vendor, if_missing=True)
    statements += _truncate.statements(connection.vendor)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def drop_triggers(*, using: str = "default") -> None:
    """Only for the teardown of tests that commit (Django empties the database after them)."""
    connection = connections[using]
    statements = _truncate.reverse_statements(connection.vendor)
    statements += _migration._reverse_statements(connection.vendor)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
