"""import_deliveries: all or nothing, every bad row named, a second import changes nothing."""

import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from acopio.models import Delivery
from acopio.services import import_deliveries
from ledger.member_accounts import owed_to_member
from ledger.models import JournalEntry
from ledger.verification import verify_ledger

pytestmark = pytest.mark.django_db

HEADER = (
    "Referencia externa;Centro;Fecha;Código de socio;DNI;Parcela;Forma;Grado;"
    "Peso bruto (kg);Tara (kg);Humedad (%)"
)
GOOD = (
    HEADER
    + """
BAL-0001;C01;10/03/2026;S-00001;;S-00001-P1;seco;I;100,5;1,25;7,5
BAL-0002;C01;10/03/2026;;01234567;;baba;;61,7;0,5;55
BAL-0003;c02;11/03/2026;S-00003;42345678;S-00003-P1;Seco;Grado II;40;0;7
"""
)


def csv_bytes(text: str) -> bytes:
    return text.encode("utf-8")


def test_a_good_file_records_every_row_with_receipts_and_ledger_entries(coop):
    report = import_deliveries(source=csv_bytes(GOOD), filename="balanza.csv", user=None)
    assert report.ok, report.errors
    assert (report.rows, report.created, report.unchanged) == (3, 3, 0)
    first = Delivery.objects.get(external_ref="BAL-0001")
    # The same figures as the clerk's page: 99.25 kg × S/ 11.35 = S/ 1,126.49.
    assert (first.receipt_code, first.net_g, first.certification, first.amount_minor) == (
        "C01-000001",
        99_250,
        "ft_org",
        112_649,
    )
    wet = Delivery.objects.get(external_ref="BAL-0002")
    # Conventional: 61.2 × 3.10.
    assert (wet.receipt_code, wet.member, wet.dry_g, wet.amount_minor) == (
        "C01-000002",
        coop["segundo"],
        22_644,
        18_972,
    )
    third = Delivery.objects.get(external_ref="BAL-0003")
    assert (third.receipt_code, third.grade, third.amount_minor) == ("C02-000001", "g2", 38_800)
    assert report.amount_minor == 112_649 + 18_972 + 38_800
    assert owed_to_member(coop["maria"]) == 112_649
    assert JournalEntry.objects.count() == 3
    assert verify_ledger().ok


def test_importing_the_same_file_again_changes_nothing(coop):
    import_deliveries(source=csv_bytes(GOOD), filename="balanza.csv", user=None)
    again = import_deliveries(source=csv_bytes(GOOD), filename="balanza.csv", user=None)
    assert again.ok and (again.created, again.unchanged) == (0, 3)
    assert Delivery.objects.count() == 3 and JournalEntry.objects.count() == 3


def test_a_known_reference_with_other_figures_is_refused(coop):
    import_deliveries(source=csv_bytes(GOOD), filename="balanza.csv", user=None)
    changed = GOOD.replace(
        "BAL-0003;c02;11/03/2026;S-00003;42345678;S-00003-P1;Seco;Grado II;40",
        "BAL-0003;c02;11/03/2026;S-00003;42345678;S-00003-P1;Seco;Grado II;45",
    )
    report = import_deliveries(source=csv_bytes(changed), filename="balanza.csv", user=None)
    assert [(p.row, p.column) for p in report.errors] == [(4, "Referencia externa")]
    assert "C02-000001" in report.errors[0].message
    assert Delivery.objects.count() == 3


def test_every_bad_row_is_named_and_nothing_is_written(coop):
    bad = (
        GOOD
        + "\n".join(
            [
                "BAL-0004;C09;12/03/2026;S-00001;;;seco;I;10;0;7",  # row 5: unknown centre
                "BAL-0005;C01;12/03/2026;S-99999;;;seco;I;10;0;7",  # row 6: unknown member
                "BAL-0006;C01;12/03/2026;S-00001;;;seco;I;10;12;7",  # row 7: tare over gross
                "BAL-0007;C01;31/02/2026;S-00001;;;seco;I;10;0;7",  # row 8: no such date
                "BAL-0001;C01;12/03/2026;S-00001;;;seco;I;10;0;7",  # row 9: repeated reference
                "BAL-0008;C01;12/03/2026;S-00001;;;tostado;I;10;0;7",  # row 10: unknown form
                "BAL-0009;C01;12/03/2026;S-00001;;;seco;I;diez;0;7",  # row 11: not a number
                "BAL-0010;C01;12/03/2026;S-00001;41234568;;seco;I;10;0;7",  # row 12: DNI of someone else
            ]
        )
        + "\n"
    )
    report = import_deliveries(source=csv_bytes(bad), filename="balanza.csv", user=None)
    assert [(p.row, p.column) for p in report.errors] == [
        (5, "Centro"),
        (6, "Código de socio"),
        (7, "Tara (kg)"),
        (8, "Fecha"),
        (9, "Referencia externa"),
        (10, "Forma"),
        (11, "Peso bruto (kg)"),
        (12, "DNI"),
    ]
    assert Delivery.objects.count() == 0 and JournalEntry.objects.count() == 0


def test_missing_columns_and_unreadable_files_are_reported(coop):
    report = import_deliveries(
        source=csv_bytes("Referencia externa;Peso bruto (kg)\nX;10\n"), filename="b.csv", user=None
    )
    assert {p.column for p in report.errors} >= {"Centro", "Fecha", "Forma", "Código de socio o DNI"}
    report = import_deliveries(source=b"\x00\x01 no es excel", filename="b.xlsx", user=None)
    assert "xlsx" in report.errors[0].message


def test_a_dry_run_checks_everything_and_saves_nothing(coop):
    report = import_deliveries(source=csv_bytes(GOOD), filename="balanza.csv", user=None, dry_run=True)
    assert report.ok and report.created == 3
    assert Delivery.objects.count() == 0 and JournalEntry.objects.count() == 0
    coop["centre"].refresh_from_db()
    assert coop["centre"].last_receipt_number == 0


def test_xlsx_with_numbers_as_numbers_and_the_command(coop, tmp_path, capsys):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Entregas de la balanza C01"])
    rows = [line.split(";") for line in GOOD.strip().splitlines()]
    sheet.append(rows[0])
    for row in rows[1:]:
        sheet.append([float(c.replace(",", ".")) if i >= 8 else c for i, c in enumerate(row)])
    buffer = io.BytesIO()
    book.save(buffer)
    path = tmp_path / "balanza.xlsx"
    path.write_bytes(buffer.getvalue())
    call_command("import_deliveries", str(path), "--dry-run")
    assert Delivery.objects.count() == 0
    call_command("import_deliveries", str(path))
    assert Delivery.objects.get(external_ref="BAL-0001").amount_minor == 112_649
    bad = tmp_path / "mala.csv"
    bad.write_text(GOOD.replace("C01;10/03/2026;S-00001", "C01;10/03/2026;S-77777"), encoding="utf-8")
    with pytest.raises(CommandError, match="errores"):
        call_command("import_deliveries", str(bad))
    assert "S-77777" in capsys.readouterr().err


def test_yield_flags_accumulate_within_the_file(coop):
    # Segundo: 0.5 ha × 900 kg = 450 kg dry possible; 300 + 200 crosses it on the second row.
    text = (
        GOOD.splitlines()[0]
        + "\n"
        + ("R1;C01;10/03/2026;S-00002;;;seco;I;300;0;7\nR2;C01;11/03/2026;S-00002;;;seco;I;200;0;7\n")
    )
    report = import_deliveries(source=csv_bytes(text), filename="b.csv", user=None)
    assert report.ok and report.flagged == 1
    assert Delivery.objects.get(external_ref="R2").yield_flag
