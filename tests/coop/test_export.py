"""Exporting the register as the traceability sheet: same columns back, formulas neutralised."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from coop.models import Member, Plot
from coop.services import import_register
from coop.traceability import COLUMNS, COLUMNS_BY_KEY, EXPORT_KEYS, export_register

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
pytestmark = pytest.mark.django_db


@pytest.fixture
def imported():
    for name in ("padron_chazuta.xlsx", "padron_latin1_puntoycoma.csv"):
        report = import_register(
            source=(SAMPLES / name).read_bytes(), filename=name, dry_run=False, user=None
        )
        assert report.ok, report.errors


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_csv(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_export_has_the_alliance_columns_first_and_one_row_per_plot(imported):
    rows = read_csv(export_register(fmt="csv"))
    assert list(rows[0])[:17] == [c.header for c in COLUMNS[:17]]
    assert len(rows) == Plot.objects.count() == 7
    rosa = [r for r in rows if r["DNI"] == "01234567"]
    assert [r["Área del predio (ha)"] for r in rosa] == ["3.2500", "5.5000"]
    assert [r["Mes-año de instalación"] for r in rosa] == ["03/2015", "06/2018"]
    assert rosa[0]["Latitud"] == "-6.551234" and rosa[1]["Geolocalización (GeoJSON)"].startswith(
        '{"type":"Polygon"'
    )


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_exported_file_imports_back_with_no_change(imported, fmt):
    content = export_register(fmt=fmt)
    before = list(Plot.history.values_list("pk", flat=True))
    report = import_register(source=content, filename=f"padron.{fmt}", dry_run=False, user=None)
    assert report.ok, report.errors
    assert (report.members_created, report.members_updated, report.plots_created, report.plots_updated) == (
        0,
    ) * 4
    assert list(Plot.history.values_list("pk", flat=True)) == before


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_formula_like_values_are_neutralised(imported, fmt):
    Member.objects.filter(dni="42871536").update(name='=HYPERLINK("http://x";"clic")', phone="+51 999")
    Plot.objects.filter(member__dni="40556677").update(name="@SUM(A1)", community="-1+2")
    Member.objects.filter(dni="71234890").update(name="\tTab", address="x")
    if fmt == "csv":
        cells = [
            cell
            for r in csv.reader(io.StringIO(export_register(fmt="csv").decode("utf-8-sig")))
            for cell in r
        ]
    else:
        sheet = load_workbook(io.BytesIO(export_register(fmt="xlsx"))).active
        cells = [c.value for r in sheet.iter_rows() for c in r if c.value is not None]
        assert all(c.data_type != "f" for r in sheet.iter_rows() for c in r)
    texts = [c for c in cells if isinstance(c, str)]
    assert '\'=HYPERLINK("http://x";"clic")' in texts and "'+51 999" in texts
    assert "'@SUM(A1)" in texts and "'-1+2" in texts and "'\tTab" in texts
    # Only plain numbers (negative coordinates) may start with a sign.
    assert not [c for c in texts if c[:1] in ("=", "+", "-", "@", "\t", "\r") and not is_number(c)]


def test_members_without_plots_are_exported_too(imported):
    Member.objects.create(code="CHZ-9", dni="40000001", name="Sin Parcela")
    rows = read_csv(export_register(fmt="csv"))
    assert [r["Código de parcela"] for r in rows if r["DNI"] == "40000001"] == [""]


def test_command_and_page_write_the_same_register(imported, tmp_path, role_clients):
    out = tmp_path / "padron.csv"
    call_command("export_members", "--format", "csv", "-o", str(out))
    response = role_clients["certificador"].get(reverse("coop:register_export") + "?formato=csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="padron-trazabilidad-')
    assert read_csv(response.content) == read_csv(out.read_bytes())
    xlsx = role_clients["administrador"].get(reverse("coop:register_export"))
    assert load_workbook(io.BytesIO(xlsx.content)).active.max_row == 8


def test_demo_register_round_trips_without_a_change():
    from coop.demo import generate_demo

    generate_demo(members=60, seed=3)
    history = (Member.history.count(), Plot.history.count())
    report = import_register(
        source=export_register(fmt="xlsx"), filename="demo.xlsx", dry_run=False, user=None
    )
    assert report.ok, report.errors
    assert (report.members_updated, report.plots_updated) == (0, 0)
    assert (Member.history.count(), Plot.history.count()) == history


def test_admin_export_button_writes_the_traceability_sheet(imported, role_clients):
    client = role_clients["administrador"]
    url = reverse("admin:coop_member_export")
    form = client.get(url)
    assert form.status_code == 200
    formats = dict(form.context["form"].fields["format"].choices)
    csv_choice = next(key for key, label in formats.items() if str(label).lower() == "csv")
    fields = [f"traceabilitysheetresource_{c.key}" for c in COLUMNS]
    response = client.post(url, {"format": csv_choice, "resource": 0, **dict.fromkeys(fields, "on")})
    assert response.status_code == 200, response.content[:500]
    rows = read_csv(response.content)
    assert len(rows) == 7 and list(rows[0]) == [COLUMNS_BY_KEY[key].header for key in EXPORT_KEYS]
    assert {r["DNI"] for r in rows} == set(Member.objects.values_list("dni", flat=True))
