"""The database triggers that keep the journal append-only, installed by migration 0002.

``ensure_triggers`` runs after every migrate and flush too, so a database that
lost them (a restore, a test flush on SQLite, someone dropping them by hand)
gets them back the next time Minka migrates.
"""

import importlib

from django.db import connections

_migration = importlib.import_module("ledger.migrations.0002_append_only_triggers")
TABLES = _migration.TABLES


def ensure_triggers(*, using: str = "default", **kwargs) -> None:
    connection = connections[using]
    if not set(TABLES) <= set(connection.introspection.table_names()):
        return
    with connection.cursor() as cursor:
        for statement in _migration._statements(connection.vendor, if_missing=True):
            cursor.execute(statement)


def drop_triggers(*, using: str = "default") -> None:
    """Only for test teardown on SQLite, where Django's flush deletes rows one table at a time."""
    connection = connections[using]
    with connection.cursor() as cursor:
        for statement in _migration._reverse_statements(connection.vendor):
            cursor.execute(statement)
