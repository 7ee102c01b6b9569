"""Exporting the register as the traceability sheet: same columns back, formulas neutralised."""

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from coop.exports import export_filename
from coop.models import Member, Plot, RegisterExport
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


def export_on_the_page(client, fmt: str, django_capture_on_commit_callbacks):
    """Ask for the register on the export page, let a worker make it, download it from the progress page."""
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("coop:register_export"), {"formato": fmt})
    export = RegisterExport.objects.get(format=fmt)
    assert started["Location"] == reverse("coop:register_export_run", args=[export.pk])
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    page = client.get(started["Location"]).content.decode()
    assert f"Descargar {export_filename(export)}" in page
    download = client.get(reverse("coop:register_export_file", args=[export.pk]))
    assert download.status_code == 200
    return download


@pytest.mark.django_db(transaction=True)
def test_command_and_page_write_the_same_register(
    imported, tmp_path, settings, role_clients, django_capture_on_commit_callbacks
):
    settings.VAR_DIR = tmp_path
    out = tmp_path / "padron.csv"
    call_command("export_members", "--format", "csv", "-o", str(out))
    response = export_on_the_page(role_clients["certificador"], "csv", django_capture_on_commit_callbacks)
    assert response["Content-Disposition"].startswith('attachment; filename="padron-trazabilidad-')
    content = b"".join(response.streaming_content)
    assert read_csv(content) == read_csv(out.read_bytes())
    xlsx = export_on_the_page(role_clients["administrador"], "xlsx", django_capture_on_commit_callbacks)
    assert load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active.max_row == 8


@pytest.mark.django_db(transaction=True)
def test_the_export_is_made_in_the_background_with_its_progress_and_a_second_click_joins_it(
    imported, tmp_path, settings, role_clients, django_capture_on_commit_callbacks
):
    settings.VAR_DIR = tmp_path
    client = role_clients["consejo_vigilancia"]
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse("coop:register_export"), {"formato": "csv"})
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(reverse("coop:register_export"), {"formato": "csv"})
    export = RegisterExport.objects.get()
    assert first["Location"] == second["Location"] == reverse("coop:register_export_run", args=[export.pk])
    waiting = client.get(first["Location"]).content.decode()
    assert "En cola" in waiting and "0 de 5 socios" in waiting
    assert client.get(reverse("coop:register_export_file", args=[export.pk])).status_code == 404

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    done = client.get(first["Location"]).content.decode()
    assert "Listo el" in done and "5 de 5 socios" in done
    listed = client.get(reverse("coop:register_export")).content.decode()
    assert reverse("coop:register_export_file", args=[export.pk]) in listed
    # Anyone who may export sees the file; the clerk may not.
    assert role_clients["acopiador"].get(reverse("coop:register_export")).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_an_export_whose_worker_stopped_is_given_up_and_asking_again_makes_a_new_one(
    imported, tmp_path, settings, role_clients, django_capture_on_commit_callbacks
):
    settings.VAR_DIR = tmp_path
    client = role_clients["administrador"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("coop:register_export"), {"formato": "xlsx"})
    stopped = RegisterExport.objects.get()
    RegisterExport.objects.update(requested_at=timezone.now() - timedelta(minutes=11))
    page = client.get(reverse("coop:register_export_run", args=[stopped.pk])).content.decode()
    assert "Sin avance desde el" in page and "Preparar el archivo otra vez" in page

    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(reverse("coop:register_export"), {"formato": "xlsx"})
    fresh = RegisterExport.objects.exclude(pk=stopped.pk).get()
    assert again["Location"] == reverse("coop:register_export_run", args=[fresh.pk])
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    stopped.refresh_from_db()
    fresh.refresh_from_db()
    assert (stopped.status, fresh.status) == ("failed", "done")  # the old task stood down
    assert stopped.error.startswith("Interrumpido")


def test_the_worker_reports_the_members_written_as_it_goes(imported, monkeypatch):
    monkeypatch.setattr("coop.traceability.PROGRESS_EVERY", 2)
    seen = []
    export_register(fmt="csv", progress=seen.append)
    assert Member.objects.count() == 5
    assert seen == [2, 4, 5]  # every second member, then the total once the rows are read


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
