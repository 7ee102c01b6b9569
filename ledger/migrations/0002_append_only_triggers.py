"""Database triggers that refuse UPDATE and DELETE on journal entries and lines.

The models refuse too; the triggers also stop raw SQL, other programs and
psql sessions. TRUNCATE is left alone so test databases can still be flushed.
The entry counter is deliberately not covered: posting updates it.
"""

from django.db import migrations

TABLES = ("ledger_journalentry", "ledger_journalline")
MESSAGE = "El libro mayor no admite cambios ni borrados: corrija con un asiento de reversión."

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% en %: {MESSAGE}', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def _statements(vendor: str, if_missing: bool = False) -> list[str]:
    # if_missing: used by ledger.triggers.ensure_triggers after every migrate and flush.
    if vendor == "postgresql":
        create = "CREATE OR REPLACE TRIGGER" if if_missing else "CREATE TRIGGER"
        return [POSTGRES_FUNCTION] + [
            f"{create} {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();"
            for table in TABLES
        ]
    if vendor == "sqlite":
        create = "CREATE TRIGGER IF NOT EXISTS" if if_missing else "CREATE TRIGGER"
        return [
            f"{create} {table}_no_{op.lower()} BEFORE {op} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{op} en {table}: {MESSAGE}'); END;"
            for table in TABLES
            for op in ("UPDATE", "DELETE")
        ]
    return []


def _reverse_statements(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};" for table in TABLES] + [
            "DROP FUNCTION IF EXISTS ledger_refuse_change();"
        ]
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {table}_no_{op.lower()};"
            for table in TABLES
            for op in ("UPDATE", "DELETE")
        ]
    return []


def install(apps, schema_editor):
    for statement in _statements(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


def uninstall(apps, schema_editor):
    for statement in _reverse_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
