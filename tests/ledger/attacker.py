"""Someone with direct access to the database: the journal's triggers switched off, raw SQL run.

Everything happens inside the test's transaction and is rolled back with it (SQLite's
DROP TRIGGER and PostgreSQL's ALTER TABLE are transactional).
"""

from django.db import connection

JOURNAL_TABLES = ("ledger_journalentry", "ledger_journalline")


def behind_minkas_back(*statements: tuple[str, list]) -> None:
    """Run each (sql, params) with the append-only triggers out of the way."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks from the postings would block ALTER TABLE: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in JOURNAL_TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        else:
            for table in JOURNAL_TABLES:
                for op in ("update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")
        for sql, params in statements:
            cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            for table in JOURNAL_TABLES:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def delete_entries(first: int, last: int) -> None:
    """Delete entries ``first``..``last`` by number, their lines first."""
    behind_minkas_back(
        (
            "DELETE FROM ledger_journalline WHERE entry_id IN "
            "(SELECT id FROM ledger_journalentry WHERE number BETWEEN %s AND %s)",
            [first, last],
        ),
        ("DELETE FROM ledger_journalentry WHERE number BETWEEN %s AND %s", [first, last]),
    )


def behind_the_back_of(table: str, *statements: tuple[str, list]) -> None:
    """Run each (sql, params) with the append-only triggers of ``table`` (one chained row by row,
    toolkit.row_chain) out of the way. On PostgreSQL the foreign-key checks are left deferred and the
    triggers disabled: the test's transaction is rolled back, never committed."""
    from toolkit.append_only_triggers import drop_statements

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Pending foreign-key checks would block ALTER TABLE: run them now, then defer again
            # (a delete may leave rows pointing at nothing).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for statement in drop_statements("sqlite", [table]):
                cursor.execute(statement)
        for sql, params in statements:
            cursor.execute(sql, params)
