"""Database triggers for every append-only table, generated from the models.

Every concrete subclass of ``AppendOnlyModel`` gets, on its table:

- SQLite: ``<table>_no_update`` and ``<table>_no_delete`` (BEFORE UPDATE / BEFORE DELETE,
  ``RAISE(ABORT, ...)``);
- PostgreSQL: ``<table>_append_only`` (BEFORE UPDATE OR DELETE, for each row) and
  ``<table>_no_truncate`` (BEFORE TRUNCATE, for each statement), both calling
  ``minka_refuse_append_only_change()``.

The error names the table: «UPDATE en tabla fund_x: solo se agregan filas». The trigger
names are the ones the journal's triggers have used since ledger 0002/0005, so a tool that
knows one table's triggers knows them all.

A model whose triggers an app's migrations install themselves says so with
``append_only_triggers_installed_by_migrations = True`` (the journal: its message names the
reversal entry, and migrations 0002 and 0005 install it); it is left alone here.

No model that Minka itself updates is append-only today (checked when this was written:
none overrides save(), and every foreign key pointing at them is PROTECT, so no cascade
deletes or SET NULL updates reach them). If one ever needs to change a column after
insert, it must not be an ``AppendOnlyModel``.

``ensure_append_only_triggers`` runs after every migrate and flush (post_migrate, connected
in ``toolkit.apps``), once, when the last app has had its signal: a database that lost its
triggers (a restore, a test flush, someone dropping them by hand) gets them back.
Creating them is idempotent: ``CREATE TRIGGER IF NOT EXISTS`` on SQLite,
``CREATE OR REPLACE`` on PostgreSQL.
"""

from django.apps import apps as global_apps
from django.db import connections

from toolkit.append_only import AppendOnlyModel

POSTGRES_FUNCTION = "minka_refuse_append_only_change"
OPERATIONS = ("UPDATE", "DELETE")


def append_only_models(apps=global_apps) -> list:
    """Every concrete, managed model whose rows are only ever added."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, AppendOnlyModel) and model._meta.managed and not model._meta.proxy
    ]


def guarded_tables(apps=global_apps) -> list[str]:
    """The tables this module puts triggers on (the journal's come from ledger's migrations)."""
    return sorted(
        {
            model._meta.db_table
            for model in append_only_models(apps)
            if not getattr(model, "append_only_triggers_installed_by_migrations", False)
        }
    )


def message(table: str, operation: str) -> str:
    return f"{operation} en tabla {table}: solo se agregan filas"


def create_statements(vendor: str, tables: list[str]) -> list[str]:
    if vendor == "postgresql":
        function = (
            f"CREATE OR REPLACE FUNCTION {POSTGRES_FUNCTION}() RETURNS trigger AS $$\n"
            "BEGIN\n"
            "    RAISE EXCEPTION '% en tabla %: solo se agregan filas', TG_OP, TG_TABLE_NAME;\n"
            "END;\n"
            "$$ LANGUAGE plpgsql;"
        )
        statements = [function]
        for table in tables:
            statements += [
                f'CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON "{table}" '
                f"FOR EACH ROW EXECUTE FUNCTION {POSTGRES_FUNCTION}();",
                f'CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON "{table}" '
                f"FOR EACH STATEMENT EXECUTE FUNCTION {POSTGRES_FUNCTION}();",
            ]
        return statements
    if vendor == "sqlite":
        return [
            f'CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON "{table}" '
            f"BEGIN SELECT RAISE(ABORT, '{message(table, op)}'); END;"
            for table in tables
            for op in OPERATIONS
        ]
    return []


def drop_statements(vendor: str, tables: list[str]) -> list[str]:
    if vendor == "postgresql":
        return [
            f'DROP TRIGGER IF EXISTS {table}_{name} ON "{table}";'
            for table in tables
            for name in ("append_only", "no_truncate")
        ]
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_no_{op.lower()};" for table in tables for op in OPERATIONS]
    return []


def _existing(connection, tables: list[str]) -> list[str]:
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
    return [table for table in tables if table in present]


def ensure_append_only_triggers(*, using: str = "default", apps=global_apps) -> list[str]:
    """Install the triggers on every append-only table that exists; return those tables."""
    connection = connections[using]
    tables = _existing(connection, guarded_tables(apps))
    if tables:
        with connection.cursor() as cursor:
            for statement in create_statements(connection.vendor, tables):
                cursor.execute(statement)
    return tables


def drop_append_only_triggers(*, using: str = "default") -> None:
    """Only for the teardown of tests that commit (Django empties the database after them)."""
    connection = connections[using]
    tables = _existing(connection, guarded_tables())
    with connection.cursor() as cursor:
        for statement in drop_statements(connection.vendor, tables):
            cursor.execute(statement)


def last_app_with_models():
    """post_migrate is sent once per app that has a models module, in INSTALLED_APPS order."""
    return [config for config in global_apps.get_app_configs() if config.models_module is not None][-1]


def after_migrate(sender, *, using: str = "default", **kwargs) -> None:
    """post_migrate receiver: acts once per migrate or flush, on the last app's signal."""
    if sender is not last_app_with_models():
        return
    ensure_append_only_triggers(using=using)
