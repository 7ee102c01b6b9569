"""PostgreSQL: an application role that does not own the tables cannot get past the triggers.

The production set-up in docs/dev/deploy-db-role.md: the tables belong to the migration role;
the application's role has SELECT, INSERT, UPDATE, DELETE only. Connected as it, normal inserts
work, and changing an append-only row, truncating, disabling or dropping a trigger are refused.
"""

import os

import psycopg
import pytest
from django.db import connection
from psycopg import errors, sql

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

PASSWORD = "clave-de-la-app-123"  # noqa: S105 - a throwaway role of the test database


@pytest.fixture
def app_connection(django_user_model):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no roles")
    role = f"minka_app_test_{os.getpid()}"
    ident = sql.Identifier(role)
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(ident).as_string(cursor.connection))
        for statement in (
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(ident, sql.Literal(PASSWORD)),
            sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(ident),
            sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(
                ident
            ),
            sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(ident),
        ):
            cursor.execute(statement.as_string(cursor.connection))
    settings = connection.settings_dict
    app = psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        dbname=settings["NAME"],
        user=role,
        password=PASSWORD,
        autocommit=True,
    )
    try:
        yield app
    finally:
        app.close()
        with connection.cursor() as cursor:
            for statement in (sql.SQL("DROP OWNED BY {}"), sql.SQL("DROP ROLE {}")):
                cursor.execute(statement.format(ident).as_string(cursor.connection))


def refused(app, statement: str, params=(), *, error=errors.InsufficientPrivilege, match: str):
    with pytest.raises(error, match=match), app.cursor() as cursor:
        cursor.execute(statement, params)


def test_the_application_role_inserts_but_cannot_change_rows_or_remove_triggers(
    app_connection, django_user_model
):
    admin = django_user_model.objects.create_user(username="admin_db", password="clave-de-prueba-123")
    app, table = app_connection, "sales_fairtradetermscheck"
    with app.cursor() as cursor:
        cursor.execute(
            # A raw insert outside the row chain (chain_hash empty): this test is about the role's rights.
            f"INSERT INTO {table} (checked_on, checked_by_id, note, created_at, chain_hash) "  # noqa: S608
            "VALUES ('2026-11-30', %s, 'revisada', now(), '') RETURNING id",
            [admin.pk],
        )
        (row_id,) = cursor.fetchone()
        # Tables that do change are writable: the grant is not the protection, the trigger is.
        cursor.execute("UPDATE auth_user SET first_name = 'Rosa' WHERE id = %s", [admin.pk])
        assert cursor.rowcount == 1

    refused(
        app,
        f"UPDATE {table} SET note = 'otra' WHERE id = %s",  # noqa: S608
        [row_id],
        error=errors.RaiseException,
        match=f"UPDATE en tabla {table}: solo se agregan filas",
    )
    refused(
        app,
        f"DELETE FROM {table} WHERE id = %s",  # noqa: S608
        [row_id],
        error=errors.RaiseException,
        match=f"DELETE en tabla {table}: solo se agregan filas",
    )
    refused(app, f"TRUNCATE {table}", match="permission denied")
    refused(app, f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only", match="must be owner")
    refused(app, "ALTER TABLE ledger_journalline DISABLE TRIGGER USER", match="must be owner")
    refused(app, f"DROP TRIGGER {table}_append_only ON {table}", match="must be owner")
    refused(app, "DROP FUNCTION minka_refuse_append_only_change() CASCADE", match="must be owner")
    refused(app, "SET session_replication_role = replica", match="permission denied")

    with app.cursor() as cursor:
        cursor.execute(f"SELECT note FROM {table} WHERE id = %s", [row_id])  # noqa: S608
        assert cursor.fetchall() == [("revisada",)]
