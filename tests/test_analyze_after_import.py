"""After a large import PostgreSQL's planner knows the new rows at once (toolkit/db.py), instead of
believing the table empty until autovacuum gets to it."""

import pytest
from django.db import connection

from acopio.models import Delivery
from acopio.services import import_deliveries
from coop.services import import_register
from tests.coop.test_import import csv_bytes, row
from toolkit.db import ANALYZE_AFTER_ROWS

pytestmark = pytest.mark.django_db

HEADER = (
    "Referencia externa;Centro;Fecha;Código de socio;DNI;Parcela;Forma;Grado;"
    "Peso bruto (kg);Tara (kg);Humedad (%)"
)


def scale_file(rows: int) -> bytes:
    lines = [HEADER] + [f"BAL-{n:05d};C01;10/03/2026;S-00001;;S-00001-P1;seco;I;10;0;7" for n in range(rows)]
    return "\n".join(lines).encode()


def planner_rows(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0]


@pytest.mark.postgres_only
def test_a_large_delivery_import_refreshes_the_planner_statistics(coop, django_capture_on_commit_callbacks):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite's planner keeps no statistics unless asked")
    rows = ANALYZE_AFTER_ROWS + 37
    # ANALYZE's figures are not rolled back with a test: whatever an earlier test left, it was not this.
    assert planner_rows("coop_delivery") != rows
    with django_capture_on_commit_callbacks(execute=True):
        report = import_deliveries(source=scale_file(rows), filename="balanza.csv", user=None)
    assert report.ok, report.errors[:3]
    assert Delivery.objects.count() == rows
    assert planner_rows("coop_delivery") == rows
    assert planner_rows("ledger_journalline") == 2 * rows


def test_a_dry_run_or_a_small_import_analyzes_nothing(coop, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        import_deliveries(source=scale_file(ANALYZE_AFTER_ROWS), filename="b.csv", user=None, dry_run=True)
        import_deliveries(source=scale_file(ANALYZE_AFTER_ROWS - 1), filename="b.csv", user=None)
    assert Delivery.objects.count() == ANALYZE_AFTER_ROWS - 1
    assert [c for c in callbacks if c.__name__ == "analyze"] == []


def test_a_large_register_import_refreshes_the_planner_statistics(django_capture_on_commit_callbacks):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite's planner keeps no statistics unless asked")
    members = 611  # 611 members and 611 plots: 1,222 rows written
    source = csv_bytes([row(name=f"Socio {n}", dni=f"{40_000_000 + n}") for n in range(members)])
    assert planner_rows("coop_member") != members
    with django_capture_on_commit_callbacks(execute=True):
        report = import_register(source=source, filename="padron.csv", dry_run=False, user=None)
    assert report.ok, report.errors[:3]
    assert planner_rows("coop_member") == members
    assert planner_rows("coop_plot") == members
