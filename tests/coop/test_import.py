"""Importing the Alliance traceability sheet: the samples, every format, all or nothing."""

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from coop.models import Member, MemberStatusChange, Plot
from coop.services import import_register
from coop.traceability import parse_month

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
pytestmark = pytest.mark.django_db

HEADER = [
    "Departamento",
    "Provincia",
    "Distrito",
    "Comunidad",
    "Nombre",
    "DNI",
    "Sexo",
    "Edad",
    "Cacao instalado (ha)",
    "Área del predio (ha)",
    "Mes-año de instalación",
    "Título de propiedad (SI/NO)",
]


def row(
    name="Rosa Tapullima",
    dni="40112233",
    installed="1,5",
    total="2",
    month="03/2015",
    title="SI",
    community="Llucanayacu",
):
    return [
        "San Martín",
        "San Martín",
        "Chazuta",
        community,
        name,
        dni,
        "F",
        40,
        installed,
        total,
        month,
        title,
    ]


def csv_bytes(rows, header=HEADER, delimiter=";", encoding="utf-8"):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def run(source, filename="padron.csv", dry_run=False, user=None):
    return import_register(source=source, filename=filename, dry_run=dry_run, user=user)


def snapshot():
    return (
        list(Member.objects.order_by("dni").values_list("dni", "name", "community")),
        list(Plot.objects.order_by("code").values_list("code", "total_area_ha", "cocoa_installed_ha")),
        Member.history.count(),
        Plot.history.count(),
        MemberStatusChange.objects.count(),
    )


def test_sample_xlsx_imports_members_plots_and_geolocation(admin_user_minka):
    report = run((SAMPLES / "padron_chazuta.xlsx").read_bytes(), "padron_chazuta.xlsx", user=admin_user_minka)
    assert report.ok, report.errors
    assert (report.members_created, report.plots_created) == (3, 4)
    rosa = Member.objects.get(dni="01234567")  # leading zero kept
    assert rosa.name == "Rosa Tapullima Sangama" and rosa.community == "Llucanayacu"
    assert rosa.status == "active" and rosa.status_changes.get().recorded_by == admin_user_minka
    first, second = rosa.plots.order_by("code")
    assert first.total_area_ha == Decimal("3.2500") and first.installed_on == date(2015, 3, 1)
    assert first.has_title is True and first.organic_stage == "organic" and first.fairtrade_certified
    assert first.geometry_kind == "Point" and first.centroid_lat == Decimal("-6.551234")
    assert second.geometry_kind == "Polygon" and second.has_title is False
    assert second.organic_stage == "t2"
    # the change history says who imported, and from which file
    created = rosa.history.get()
    assert created.history_user == admin_user_minka
    assert "padron_chazuta.xlsx" in created.history_change_reason


def test_latin1_semicolon_decimal_comma_without_accents():
    report = run((SAMPLES / "padron_latin1_puntoycoma.csv").read_bytes(), "padron_latin1_puntoycoma.csv")
    assert report.ok, report.errors
    nelida = Member.objects.get(dni="40556677")
    assert nelida.name == "Nélida Tuanama Ríos" and nelida.sex == "F"
    areas = sorted(nelida.plots.values_list("total_area_ha", flat=True))
    assert areas == [Decimal("0.9000"), Decimal("2.0500")]
    assert sorted(nelida.plots.values_list("installed_on", flat=True)) == [date(2014, 9, 1), date(2021, 4, 1)]
    assert Plot.objects.get(member__dni="71234890").installed_on == date(2020, 8, 1)


def test_reimporting_the_same_file_updates_and_never_duplicates():
    source = (SAMPLES / "padron_chazuta.xlsx").read_bytes()
    run(source, "padron_chazuta.xlsx")
    before = snapshot()
    report = run(source, "padron_chazuta.xlsx")
    assert report.ok
    assert (report.members_created, report.members_updated, report.members_unchanged) == (0, 0, 3)
    assert (report.plots_created, report.plots_updated, report.plots_unchanged) == (0, 0, 4)
    assert snapshot() == before  # not even a history record


def test_a_changed_row_updates_the_plot_and_keeps_a_history_record():
    run(csv_bytes([row(total="2"), row(total="3", installed="2")]))
    report = run(csv_bytes([row(total="2"), row(total="3,5", installed="2")]))
    assert (report.plots_created, report.plots_updated, report.plots_unchanged) == (0, 1, 1)
    plots = Plot.objects.filter(member__dni="40112233").order_by("id")
    assert [p.total_area_ha for p in plots] == [Decimal("2.0000"), Decimal("3.5000")]
    assert plots[1].history.count() == 2


def test_same_dni_on_several_rows_is_one_member_with_several_plots():
    report = run(csv_bytes([row(), row(total="4", installed="3"), row(dni="40999888", name="Juan Pinedo")]))
    assert report.ok
    assert Member.objects.count() == 2
    assert Plot.objects.filter(member__dni="40112233").count() == 2


@pytest.mark.parametrize("delimiter,encoding", [(",", "utf-8"), (";", "latin-1"), ("\t", "utf-8-sig")])
def test_csv_dialects(delimiter, encoding):
    report = run(
        csv_bytes(
            [row(name="Ñuñez Ríos"), row(dni="40999888", total="2.5", installed="1.25")],
            delimiter=delimiter,
            encoding=encoding,
        )
    )
    assert report.ok, report.errors
    assert Member.objects.get(dni="40112233").name == "Ñuñez Ríos"
    assert Plot.objects.get(member__dni="40999888").total_area_ha == Decimal("2.5000")


@pytest.mark.parametrize(
    "written,expected",
    [
        ("03/2015", date(2015, 3, 1)),
        ("3-2015", date(2015, 3, 1)),
        ("mar-15", date(2015, 3, 1)),
        ("Marzo 2015", date(2015, 3, 1)),
        ("marzo de 2015", date(2015, 3, 1)),
        ("2015-03", date(2015, 3, 1)),
        ("Set-2014", date(2014, 9, 1)),
        ("ago. 2020", date(2020, 8, 1)),
        ("15/03/2015", date(2015, 3, 1)),
        ("ENE-98", date(1998, 1, 1)),
        (date(2015, 3, 17), date(2015, 3, 1)),
    ],
)
def test_month_year_spellings(written, expected):
    assert parse_month(written) == expected


def test_xlsx_with_numbers_dates_and_a_title_block():
    book = Workbook()
    sheet = book.active
    sheet.append(["Padrón 2026"])
    sheet.append([])
    sheet.append(
        [
            "DEPARTAMENTO",
            "NOMBRE",
            "DNI",
            "AREA DEL PREDIO",
            "CACAO INSTALADO",
            "MES AÑO DE INSTALACION",
            "TITULO DE PROPIEDAD",
            "OBSERVACIONES",
        ]
    )
    sheet.append(["San Martín", "Juan Amasifuen", 1234567, 2.35, 1.1, date(2016, 5, 1), "Sí", "ok"])
    out = io.BytesIO()
    book.save(out)
    report = run(out.getvalue(), "padron.xlsx")
    assert report.ok, report.errors
    plot = Plot.objects.get()
    assert plot.member.dni == "01234567"  # Excel dropped the leading zero; Minka puts it back
    assert plot.total_area_ha == Decimal("2.3500") and plot.installed_on == date(2016, 5, 1)
    assert [str(w) for w in report.warnings] == [
        "Fila 3, columna «OBSERVACIONES»: Columna desconocida; se ignora."
    ]


def test_bad_sample_is_refused_with_every_row_named_and_nothing_saved():
    run((SAMPLES / "padron_chazuta.xlsx").read_bytes(), "padron_chazuta.xlsx")
    before = snapshot()
    report = run((SAMPLES / "padron_con_errores.csv").read_bytes(), "padron_con_errores.csv")
    assert not report.ok
    named = {(p.row, p.column) for p in report.errors}
    assert named == {
        (3, "DNI"),
        (4, "Cacao instalado (ha)"),
        (5, "Geolocalización (GeoJSON)"),
        (6, "Mes-año de instalación"),
        (7, "Latitud / Longitud"),
        (8, "Nombre"),
        (9, "Latitud / Longitud"),
        (10, "Área del predio (ha)"),
        (10, "Título de propiedad (SI/NO)"),
    }
    messages = " ".join(p.message for p in report.errors)
    assert "8 dígitos" in messages and "auto-intersección" in messages and "polígono" in messages
    assert "fuera del Perú" in messages
    assert snapshot() == before  # row 2 is fine, but nothing of the file was saved


def test_dry_run_reports_the_counts_and_saves_nothing():
    report = run((SAMPLES / "padron_chazuta.xlsx").read_bytes(), "padron_chazuta.xlsx", dry_run=True)
    assert report.ok and (report.members_created, report.plots_created) == (3, 4)
    assert not Member.objects.exists() and not Plot.objects.exists() and not Member.history.exists()


@pytest.mark.parametrize(
    "source,filename,message",
    [
        (b"PK\x03\x04 not really a workbook", "padron.xlsx", "no es un libro de Excel"),
        (b"Nombre;Apellido\nRosa;Tapullima\n", "padron.csv", "No se encontró la fila de encabezados"),
        (csv_bytes([]), "padron.csv", "no tiene filas de datos"),
        (b"%PDF-1.7", "padron.pdf", "Suba un archivo .xlsx o .csv"),
    ],
)
def test_unreadable_files_get_a_clear_message(source, filename, message):
    report = run(source, filename)
    assert not report.ok and message in report.errors[0].message
    assert not Member.objects.exists()


def test_missing_name_and_duplicate_plot_code_are_named():
    header = HEADER + ["Código de parcela"]
    report = run(
        csv_bytes(
            [
                row() + ["P-1"],
                row(name="", dni="40999888") + ["P-2"],
                row(dni="40777666", name="Ana Ríos") + ["P-1"],
            ],
            header=header,
        )
    )
    assert {(p.row, p.column) for p in report.errors} == {(3, "Nombre"), (4, "Código de parcela")}


def test_existing_member_keeps_code_and_an_existing_plot_cannot_move(admin_user_minka):
    header = HEADER + ["Código de socio", "Código de parcela"]
    run(
        csv_bytes(
            [row() + ["CHZ-1", "P-1"], row(dni="40999888", name="Juan Pinedo") + ["CHZ-2", "P-2"]],
            header=header,
        )
    )
    report = run(
        csv_bytes(
            [row() + ["CHZ-9", "P-1"], row(dni="40999888", name="Juan Pinedo") + ["CHZ-2", "P-1"]],
            header=header,
        )
    )
    assert [(p.row, p.column) for p in report.errors] == [(2, "Código de socio"), (3, "Código de parcela")]
    assert Plot.objects.get(code="P-1").member.code == "CHZ-1"


def test_a_blank_cell_never_erases_what_the_register_has():
    run(csv_bytes([row(total="2", installed="1")]))
    report = run(csv_bytes([row(total="", installed="1", community="")]))
    assert report.ok and report.plots_updated == 0
    assert Plot.objects.get().total_area_ha == Decimal("2.0000")


def test_command_imports_and_exits_1_naming_rows(capsys):
    call_command("import_members", str(SAMPLES / "padron_chazuta.xlsx"), "--dry-run")
    assert not Member.objects.exists()
    assert "3 nuevos" in capsys.readouterr().out
    call_command("import_members", str(SAMPLES / "padron_chazuta.xlsx"))
    assert Member.objects.count() == 3
    with pytest.raises(CommandError, match="9 errores; no se guardó nada"):
        call_command("import_members", str(SAMPLES / "padron_con_errores.csv"))
    assert "Fila 3, columna «DNI»" in capsys.readouterr().err
    assert Member.objects.count() == 3


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_people_importing_the_same_file_at_once_never_duplicate():
    """Two real parallel transactions: the table lock makes the second see the first's members."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers by itself")
    source = (SAMPLES / "padron_chazuta.xlsx").read_bytes()
    barrier = threading.Barrier(2)
    reports = []

    def clerk():
        try:
            barrier.wait()
            reports.append(run(source, "padron_chazuta.xlsx"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=clerk) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(report.ok for report in reports), [r.errors for r in reports]
    assert sorted(r.members_created for r in reports) == [0, 3]
    assert (Member.objects.count(), Plot.objects.count()) == (3, 4)
