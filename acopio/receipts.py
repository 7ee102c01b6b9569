"""Receipt numbers: the one way a centre's series advances, for the clerk's page and the import alike."""

from functools import cache

from django.db import connections

from acopio.models import CollectionCentre
from ledger import sql

_TAKE_SQL = """
UPDATE coop_collectioncentre SET last_receipt_number = last_receipt_number + %s WHERE id = %s
RETURNING {columns}
"""


@cache
def _take_sql(alias: str) -> str:
    return _TAKE_SQL.format(columns=sql.columns(connections[alias], CollectionCentre._meta.concrete_fields))


def take_receipt_numbers(*, centre: CollectionCentre, count: int = 1) -> CollectionCentre:
    """Lock the centre's row and take its next ``count`` receipt numbers, in one statement.

    Returns the centre as it now stands: the numbers taken are the ``count`` up to and including its
    ``last_receipt_number``. The row lock serialises numbering (and the clerk's resent-form check);
    a refused delivery or import rolls back its transaction and the numbers with it, so receipts
    stay gapless. Callers taking several centres take them in id order, so two never deadlock.
    """
    connection = sql.connection_for(CollectionCentre)
    with connection.cursor() as cursor:
        cursor.execute(_take_sql(connection.alias), [count, centre.pk])
        row = cursor.fetchone()
    if row is None:
        raise CollectionCentre.DoesNotExist(f"No collection centre {centre.pk}.")
    return sql.from_row(CollectionCentre, row, connection)
