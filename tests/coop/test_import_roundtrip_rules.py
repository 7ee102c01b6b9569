"""What spreadsheets predictably do to the exported register, restored or refused on import (issue 22):
leading zeros of a DNI, trailing zeros of coordinates and areas, the export's apostrophe, two-digit
years, day and month swapped; and the dry run's list of every field it would change."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from coop.models import Member, Plot
from coop.services import import_register
from coop.traceability import FieldChange, export_register
from toolkit.spreadsheets import CellError, parse_date, unneutralize

pytestmark = pytest.mark.django_db

HEADER = [
    "Código de socio",
    "Nombre",
    "DNI",
    "Fecha de nacimiento",
    "Fecha de ingreso",
    "Teléfono",
    "Código de parcela",
    "Área del predio (ha)",
    "Comercio Justo desde",
    "Latitud",
    "Longitud",
]
ROSA = {
    "Código de socio": "S-0001",
    "Nombre": "Rosa Tapullima",
    "DNI": "02138201",
    "Fecha de nacimiento": "1980-03-05",
    "Fecha de ingreso": "2010-11-04",
    "Teléfono": "+51 987 654 321",
    "Código de parcela": "S-0001-P1",
    "Área del predio (ha)": "1.2460",
    "Comercio Justo desde": "2015-02-01",
    "Latitud": "-6.430000",
    "Longitud": "-76.500000",
}


def csv_file(*rows: dict) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def run(source: bytes, filename="padron.csv", dry_run=True):
    return import_register(source=source, filename=filename, dry_run=dry_run, user=None)


@pytest.fixture
def rosa():
    report = run(csv_file(ROSA), dry_run=False)
    assert report.ok, report.errors
    return Member.objects.get(dni="02138201")


def history_counts():
    return Member.history.count(), Plot.history.count()


# --- Export ----------------------------------------------------------------------


def test_export_writes_dates_as_iso_text_and_dnis_and_coordinates_as_text(rosa):
    workbook = load_workbook(io.BytesIO(export_register(fmt="xlsx")))
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    cells = {name: sheet.cell(row=2, column=header.index(name) + 1) for name in header}
    for name, expected in [
        ("DNI", "02138201"),
        ("Fecha de nacimiento", "1980-03-05"),
        ("Fecha de ingreso", "2010-11-04"),
        ("Comercio Justo desde", "2015-02-01"),
        ("Latitud", "-6.430000"),
        ("Longitud", "-76.500000"),
    ]:
        assert (cells[name].value, cells[name].data_type) == (expected, "s"), name
    text = export_register(fmt="csv").decode("utf-8-sig")
    assert ",02138201," in text and ",1980-03-05,2010-11-04," in text and ",-6.430000,-76.500000" in text


# --- DNI: one rule for numbers and text ---------------------------------------


def test_a_dni_given_as_seven_digits_gets_its_zero_back_in_csv_text_and_in_xlsx_numbers(rosa):
    before = history_counts()
    report = run(csv_file({**ROSA, "DNI": "2138201"}))
    assert report.nothing_changes, (report.errors, report.changes)

    workbook = Workbook()
    workbook.active.append(["Nombre", "DNI"])
    workbook.active.append(["Rosa Tapullima", 2138201])
    stream = io.BytesIO()
    workbook.save(stream)
    assert run(stream.getvalue(), filename="padron.xlsx").nothing_changes

    report = run(
        csv_file({**ROSA, "DNI": "4512345", "Código de socio": "", "Código de parcela": ""}), dry_run=False
    )
    assert report.ok and Member.objects.filter(dni="04512345").exists()
    assert history_counts()[0] == before[0] + 1


def test_a_dni_that_lost_more_than_one_zero_is_refused_naming_row_and_column(rosa):
    report = run(csv_file({**ROSA, "DNI": "138201"}))
    assert [str(p) for p in report.errors] == [
        "Fila 2, columna «DNI»: «138201» no es un DNI: debe tener exactamente 8 dígitos."
    ]


# --- Coordinates and areas that lost their trailing zeros ------------------------


def test_a_point_the_register_holds_given_without_trailing_zeros_is_the_same_point(rosa):
    report = run(csv_file({**ROSA, "Latitud": "-6.43", "Longitud": "-76.5"}), dry_run=False)
    assert report.nothing_changes, (report.errors, report.changes)
    plot = Plot.objects.get(code="S-0001-P1")
    assert plot.geometry == '{"type":"Point","coordinates":[-76.500000,-6.430000]}'


def test_a_new_or_moved_point_with_fewer_than_six_decimals_is_refused(rosa):
    moved = run(csv_file({**ROSA, "Latitud": "-6.44", "Longitud": "-76.5"}))
    assert len(moved.errors) == 1
    assert moved.errors[0].column == "Latitud / Longitud" and "6 decimales" in moved.errors[0].message
    new = run(csv_file({**ROSA, "Código de parcela": "S-0001-P2", "Latitud": "-6.43"}))
    assert len(new.errors) == 1 and "6 decimales" in new.errors[0].message


def test_an_area_that_lost_its_trailing_zero_is_taken_only_when_the_plot_holds_it(rosa):
    assert run(csv_file({**ROSA, "Área del predio (ha)": "1.246"})).nothing_changes
    other = run(csv_file({**ROSA, "Área del predio (ha)": "1.247"}))
    assert [str(p) for p in other.errors] == [
        "Fila 2, columna «Área del predio (ha)»: «1.247»: ¿1247 o 1.247? Escriba 1247 o 1.2470."
    ]
    new = run(csv_file({**ROSA, "Código de parcela": "S-0001-P2", "Área del predio (ha)": "1.246"}))
    assert len(new.errors) == 1 and "¿1246 o 1.246?" in new.errors[0].message


# --- The export's apostrophe ---------------------------------------------------------


def test_the_apostrophe_the_export_adds_is_removed_on_import(rosa):
    exported = export_register(fmt="csv")
    assert b"'+51 987 654 321" in exported  # neutralised for the spreadsheet
    report = run(exported, dry_run=False)
    assert report.nothing_changes, (report.errors, report.changes)
    assert Member.objects.get(dni="02138201").phone == "+51 987 654 321"


def test_only_the_neutralising_apostrophe_is_removed():
    assert unneutralize("'+51 987 654 321") == "+51 987 654 321"
    assert unneutralize("'=SUM(A1)") == "=SUM(A1)"
    assert unneutralize("'Chacho'") == "'Chacho'"
    assert unneutralize("'-6.43") == "'-6.43"  # a plain number is never neutralised
    assert unneutralize(42) == 42


# --- Two-digit years -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("04/11/47", date(1947, 11, 4)),
        ("04/11/68", date(1968, 11, 4)),
        ("03/12/26", date(2026, 12, 3)),  # today
        ("04/12/26", date(1926, 12, 4)),  # tomorrow in 2026: a century earlier
        ("15/01/05", date(2005, 1, 15)),
        ("15-01-99", date(1999, 1, 15)),
    ],
)
def test_a_two_digit_year_is_the_latest_that_is_not_in_the_future(written, expected):
    assert parse_date(written, today=date(2026, 12, 3)) == expected


def test_a_two_digit_year_that_is_no_date_is_refused():
    with pytest.raises(CellError, match="no es una fecha"):
        parse_date("31/02/47", today=date(2026, 12, 3))


def test_a_birth_year_47_imports_as_1947(rosa):
    report = run(csv_file({**ROSA, "Fecha de nacimiento": "04/11/47"}), dry_run=False)
    assert report.ok, report.errors
    assert Member.objects.get(dni="02138201").birth_date == date(1947, 11, 4)


# --- Day and month swapped ---------------------------------------------------------


def test_a_date_that_is_the_registers_with_day_and_month_swapped_is_refused_naming_both(rosa):
    before = history_counts()
    report = run(
        csv_file({**ROSA, "Fecha de nacimiento": "03/05/1980", "Comercio Justo desde": "2015-01-02"}),
        dry_run=False,
    )
    assert [str(p) for p in report.errors] == [
        "Fila 2, columna «Fecha de nacimiento»: «03/05/1980» se lee como 1980-05-03, pero con el día y el "
        "mes intercambiados es 1980-03-05, la fecha que tiene el padrón; una hoja de cálculo con otro "
        "idioma pudo invertirlos. No se aplica: escriba la fecha como aaaa-mm-dd, o corríjala en la página "
        "del socio.",
        "Fila 2, columna «Comercio Justo desde»: «2015-01-02» se lee como 2015-01-02, pero con el día y el "
        "mes intercambiados es 2015-02-01, la fecha que tiene el padrón; una hoja de cálculo con otro "
        "idioma pudo invertirlos. No se aplica: escriba la fecha como aaaa-mm-dd, o corríjala en la página "
        "del socio.",
    ]
    assert history_counts() == before
    assert Member.objects.get(dni="02138201").birth_date == date(1980, 3, 5)


def test_a_date_changed_otherwise_is_applied_and_listed(rosa):
    report = run(csv_file({**ROSA, "Fecha de nacimiento": "06/03/1980"}), dry_run=False)
    assert report.ok, report.errors
    assert report.changes == [
        FieldChange("member", "S-0001", "Rosa Tapullima", "Fecha de nacimiento", "1980-03-05", "1980-03-06")
    ]
    assert Member.objects.get(dni="02138201").birth_date == date(1980, 3, 6)


# --- The dry run lists every field it would change ------------------------------------


CHANGED = {**ROSA, "Nombre": "Rosa Tapullima Sangama", "Teléfono": "", "Área del predio (ha)": "2.5"}


def test_the_dry_run_lists_each_field_with_its_old_and_new_value(rosa):
    report = run(csv_file({**CHANGED, "Latitud": "-6.431000"}))
    assert report.ok and not report.nothing_changes
    assert [(c.kind, c.code, c.column, c.old, c.new) for c in report.changes] == [
        ("member", "S-0001", "Nombre", "Rosa Tapullima", "Rosa Tapullima Sangama"),
        ("plot", "S-0001-P1", "Área del predio (ha)", "1.2460", "2.5000"),
        (
            "plot",
            "S-0001-P1",
            "Geolocalización (GeoJSON)",
            '{"type":"Point","coordinates":[-76.500000,-6.430000]}',
            '{"type":"Point","coordinates":[-76.500000,-6.431000]}',
        ),
    ]
    assert Member.objects.get(dni="02138201").name == "Rosa Tapullima"  # a dry run saves nothing


def test_the_command_prints_every_change_or_says_nothing_changes(rosa, tmp_path, capsys):
    changed = tmp_path / "cambiado.csv"
    changed.write_bytes(csv_file(CHANGED))
    call_command("import_members", str(changed), "--dry-run")
    out = capsys.readouterr().out
    assert "Socio S-0001, «Nombre»: Rosa Tapullima → Rosa Tapullima Sangama" in out
    assert "Parcela S-0001-P1, «Área del predio (ha)»: 1.2460 → 2.5000" in out
    assert "Nada cambia" not in out

    same = tmp_path / "igual.csv"
    same.write_bytes(export_register(fmt="csv"))
    call_command("import_members", str(same), "--dry-run")
    out = capsys.readouterr().out
    assert "Nada cambia: el padrón ya tiene todos los datos del archivo." in out
    assert "→" not in out

    swapped = tmp_path / "invertido.csv"
    swapped.write_bytes(csv_file({**ROSA, "Fecha de nacimiento": "1980-05-03"}))
    with pytest.raises(CommandError):
        call_command("import_members", str(swapped), "--dry-run")
    assert "1980-05-03" in capsys.readouterr().err


def test_the_import_page_shows_old_and_new_values_and_nothing_changes(rosa, role_clients):
    client = role_clients["administrador"]
    url = reverse("coop:register_import")
    page = client.post(url, {"file": SimpleUploadedFile("cambiado.csv", csv_file(CHANGED))}).content.decode()
    assert "Datos que cambiarán" in page
    assert "<td>Nombre</td><td>Rosa Tapullima</td><td>Rosa Tapullima Sangama</td>" in page
    assert "<td>Área del predio (ha)</td><td>1.2460</td><td>2.5000</td>" in page
    assert "Nada cambia" not in page

    same = SimpleUploadedFile("igual.csv", export_register(fmt="csv"))
    page = client.post(url, {"file": same}).content.decode()
    assert "Nada cambia: el padrón ya tiene todos los datos del archivo." in page
    assert "Datos que cambiarán" not in page


def test_blank_cells_change_nothing_and_are_not_listed(rosa):
    # A blank cell never erases (the register keeps the phone), so it is no change either.
    report = run(csv_file({**ROSA, "Teléfono": ""}))
    assert report.nothing_changes and Decimal("1.2460") == Plot.objects.get().total_area_ha


def test_a_swapped_date_in_a_date_cell_is_refused_too(rosa):
    workbook = Workbook()
    workbook.active.append(["Nombre", "DNI", "Fecha de nacimiento"])
    workbook.active.append(["Rosa Tapullima", "02138201", datetime(1980, 5, 3)])
    stream = io.BytesIO()
    workbook.save(stream)
    report = run(stream.getvalue(), filename="padron.xlsx")
    assert len(report.errors) == 1
    assert report.errors[0].message.startswith("«1980-05-03» se lee como 1980-05-03, pero con el día")
