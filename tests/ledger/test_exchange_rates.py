"""Exchange rates from the SBS table: all or nothing, and the rate of a day (weekends take Friday's)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from sales.models import ExchangeRate
from sales.rates import import_exchange_rates, rate_on

pytestmark = pytest.mark.django_db
SBS = """Tipo de cambio SBS - dólar americano
Fecha;Compra;Venta
13/05/2020;3,418;3,424
14/05/2020;3,425;3,431
15/05/2020;3,429;3,435
"""


def test_the_table_is_imported_and_a_weekend_takes_the_last_published_rate():
    report = import_exchange_rates(source=SBS.encode(), filename="sbs.csv")
    assert report.ok and (report.rows, report.created) == (3, 3)
    assert rate_on(date(2020, 5, 14)).buy == Decimal("3.4250")
    assert rate_on(date(2020, 5, 17)).date == date(2020, 5, 15)  # a Sunday
    with pytest.raises(ValidationError, match="23/05/2020"):
        rate_on(date(2020, 5, 23))


def test_importing_again_changes_nothing_and_a_changed_day_is_refused():
    import_exchange_rates(source=SBS.encode(), filename="sbs.csv")
    again = import_exchange_rates(source=SBS.encode(), filename="sbs.csv")
    assert again.ok and again.created == 0 and ExchangeRate.objects.count() == 3
    edited = SBS.replace("3,425;3,431", "3,500;3,431")
    changed = import_exchange_rates(source=edited.encode(), filename="sbs.csv")
    assert [(p.row, p.column) for p in changed.errors] == [(4, "Fecha")]
    assert ExchangeRate.objects.get(date=date(2020, 5, 14)).buy == Decimal("3.4250")


def test_bad_rows_are_named_and_nothing_is_saved(tmp_path, capsys):
    bad = SBS + "16/05/2020;tres;3,44\n31/02/2020;3,4;3,4\n17/05/2020;34,2;3,44\n"
    path = tmp_path / "sbs.csv"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(CommandError, match="3 errores"):
        call_command("import_exchange_rates", str(path))
    err = capsys.readouterr().err
    assert "Fila 6, columna «Compra»" in err and "Fila 7, columna «Fecha»" in err and "plausible" in err
    assert ExchangeRate.objects.count() == 0
