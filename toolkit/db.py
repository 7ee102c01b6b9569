"""Database upkeep the application does itself."""

from django.db import connection, transaction

# Below this many rows written, autovacuum's own ANALYZE (after 10% of a table changes) is soon enough.
ANALYZE_AFTER_ROWS = 1000


def analyze_after_commit(*models, rows: int) -> None:
    """After a bulk import commits, refresh PostgreSQL's planner statistics of the tables it filled.

    Autovacuum analyzes a table only once about a tenth of it has changed, and not at once: until then
    the planner believes an empty register or a season without deliveries and may choose a full scan
    for the clerk's pages. ANALYZE samples a fixed number of rows (a second or less on the largest
    tables) and takes no lock that blocks reading or writing. Nothing happens on a rolled-back import
    (a dry run), on SQLite, or for a few rows."""
    if connection.vendor != "postgresql" or rows < ANALYZE_AFTER_ROWS:
        return
    tables = sorted({model._meta.db_table for model in models})

    def analyze():
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(table) for table in tables))

    transaction.on_commit(analyze)
