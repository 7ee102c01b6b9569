"""PostgreSQL: refuse TRUNCATE on the journal too (``manage.py flush`` would otherwise wipe it).

SQLite has no TRUNCATE: Django's flush deletes rows there, which 0002's triggers refuse.
"""

from django.db import migrations

TABLES = ("ledger_journalentry", "ledger_journalline")


def statements(vendor: str) -> list[str]:
    if vendor != "postgresql":
        return []
    # ledger_refuse_change() comes from 0002; it names the operation and the table.
    return [
        f"CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();"
        for table in TABLES
    ]


def reverse_statements(vendor: str) -> list[str]:
    if vendor != "postgresql":
        return []
    return [f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};" for table in TABLES]


def install(apps, schema_editor):
    for statement in statements(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


def uninstall(apps, schema_editor):
    for statement in reverse_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_counter_last_hash")]
    operations = [migrations.RunPython(install, uninstall)]
