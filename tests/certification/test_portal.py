"""The certifier's portal: read, download (each download logged with who and when), nothing to change."""

import csv
import hashlib
import io
import zipfile
from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from pypdf import PdfReader

from certification.models import AuditPackRun, DownloadLog, IssuedDocument


@pytest.fixture
def certifier_client(client, make_user, coop, deliver):
    deliver(date=date(2026, 3, 10))
    deliver(member=coop["rosa"], plot=coop["plots"]["rosa_ft"], date=date(2026, 3, 11))
    client.force_login(make_user("certificador", username="auditora"))
    return client


def test_the_portal_lists_the_seasons_documents_and_no_print_button_for_a_certifier(certifier_client):
    page = certifier_client.get(reverse("certification:portal") + "?campana=2026").content.decode()
    assert "Documentos de la Campaña 2026" in page
    assert reverse("certification:season_report_pdf", args=["2026"]) in page
    assert reverse("certification:member_statement_pdf", args=["S-00001", "2026"]) in page
    assert "Imprimir los estados de cuenta" not in page


def test_a_season_report_download_is_numbered_and_logged_and_shown_in_the_log(certifier_client):
    response = certifier_client.get(reverse("certification:season_report_pdf", args=["2026"]))
    document = IssuedDocument.objects.get()
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Informe de campaña" in text and document.number in text
    log = DownloadLog.objects.get()
    assert (log.user.username, log.document) == ("auditora", document)
    page = certifier_client.get(reverse("certification:portal")).content.decode()
    assert f"{document.number}-informe-de-campana-2026.pdf" in page


def test_the_fairtrade_workbook_downloads_as_xlsx_and_is_logged(certifier_client):
    response = certifier_client.get(reverse("certification:fairtrade_xlsx", args=["2026"]))
    assert response["Content-Disposition"] == 'attachment; filename="comercio-justo-2026.xlsx"'
    assert "Ventas" in load_workbook(io.BytesIO(response.content)).sheetnames
    assert DownloadLog.objects.get().filename == "comercio-justo-2026.xlsx"


def test_an_eudr_export_that_cannot_be_made_names_the_reason_and_logs_nothing(certifier_client):
    response = certifier_client.get(reverse("certification:eudr_season", args=["2026"]))
    assert response.status_code == 422
    assert "no tiene lotes para la Unión Europea" in response.content.decode()
    assert not DownloadLog.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_audit_pack_is_made_in_the_background_and_its_reports_are_in_the_manifest(
    certifier_client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.VAR_DIR = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        response = certifier_client.post(reverse("certification:audit_pack_start", args=["2026"]))
    run = AuditPackRun.objects.get()
    assert response["Location"] == reverse("certification:audit_pack_run", args=[run.pk])
    with django_capture_on_commit_callbacks(execute=True):  # a second click joins the same run
        certifier_client.post(reverse("certification:audit_pack_start", args=["2026"]))
    assert AuditPackRun.objects.count() == 1
    assert "En cola" in certifier_client.get(response["Location"]).content.decode()
    assert certifier_client.get(reverse("certification:audit_pack_zip", args=[run.pk])).status_code == 404

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert "Descargar ZIP" in certifier_client.get(response["Location"]).content.decode()
    download = certifier_client.get(reverse("certification:audit_pack_zip", args=[run.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    manifest = list(csv.reader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    listed = {row[0]: row[2] for row in manifest[1:]}
    for name in ("informe_campana.pdf", "informe_fondo_prima.pdf"):
        assert listed[name] == hashlib.sha256(archive.read(name)).hexdigest()
    season_report = IssuedDocument.objects.get(kind="season")
    first_page = PdfReader(io.BytesIO(archive.read("informe_campana.pdf"))).pages[0]
    assert season_report.number in first_page.extract_text()
    log = DownloadLog.objects.get()
    assert log.filename == "paquete_auditoria_2026.zip" and log.user.username == "auditora"


@pytest.mark.django_db(transaction=True)
def test_a_pack_whose_worker_stopped_is_given_up_and_asking_again_makes_a_new_one(
    certifier_client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.VAR_DIR = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        certifier_client.post(reverse("certification:audit_pack_start", args=["2026"]))
    stopped = AuditPackRun.objects.get()
    AuditPackRun.objects.update(requested_at=timezone.now() - timedelta(minutes=11))
    page = certifier_client.get(reverse("certification:audit_pack_run", args=[stopped.pk])).content.decode()
    assert "Sin avance desde el" in page and "Preparar el paquete otra vez" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = certifier_client.post(reverse("certification:audit_pack_start", args=["2026"]))
    fresh = AuditPackRun.objects.exclude(pk=stopped.pk).get()
    assert response["Location"] == reverse("certification:audit_pack_run", args=[fresh.pk])
    stopped.refresh_from_db()
    assert stopped.status == "failed" and stopped.error.startswith("Interrumpido")

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    fresh.refresh_from_db()
    stopped.refresh_from_db()
    assert (fresh.status, stopped.status) == ("done", "failed")  # the old task stood down
    assert "Descargar ZIP" in certifier_client.get(response["Location"]).content.decode()


def test_the_download_log_pages_everything_for_oversight_and_only_their_own_for_a_certifier(
    client, make_user, certifier_client
):
    for _ in range(3):
        certifier_client.get(reverse("certification:season_report_pdf", args=["2026"]))
    other = make_user("certificador", username="otra_auditora")
    DownloadLog.objects.create(user=other, what="Informe ajeno", filename="ajeno.pdf")
    own = certifier_client.get(reverse("certification:download_log")).content.decode()
    assert "3 descargas registradas" in own and "ajeno.pdf" not in own
    client.force_login(make_user("consejo_vigilancia", username="vigilante"))
    everyone = client.get(reverse("certification:download_log")).content.decode()
    assert "4 descargas registradas" in everyone and "ajeno.pdf" in everyone


def test_the_download_log_filters_by_user_season_dates_and_words(client, make_user, certifier_client, coop):
    certifier_client.get(reverse("certification:season_report_pdf", args=["2026"]))
    certifier_client.get(reverse("certification:fund_report_pdf", args=["2026"]))
    other = make_user("certificador", username="otra_auditora")
    old = DownloadLog.objects.create(
        user=other, what="Informe antiguo", filename="antiguo.pdf", season=coop["seasons"]["2025"]
    )
    DownloadLog.objects.filter(pk=old.pk).update(at=timezone.make_aware(datetime(2025, 6, 1, 10)))
    client.force_login(make_user("administrador", username="gerente"))
    log = reverse("certification:download_log")

    def shown(**filters):
        page = client.get(log, filters).content.decode()
        return {name for name in ("informe-de-campana", "fondo-de-prima", "antiguo.pdf") if name in page}

    assert shown() == {"informe-de-campana", "fondo-de-prima", "antiguo.pdf"}
    assert shown(usuario="otra_auditora") == {"antiguo.pdf"}
    assert shown(campana="2026") == {"informe-de-campana", "fondo-de-prima"}
    assert shown(desde="2025-01-01", hasta="2025-12-31") == {"antiguo.pdf"}
    assert shown(q="fondo") == {"fondo-de-prima"}
    assert shown(q="nada-parecido") == set()
    assert "Ninguna descarga con estos filtros." in client.get(log, {"q": "nada-parecido"}).content.decode()
    wrong = client.get(log, {"desde": "2026-02-01", "hasta": "2026-01-01"}).content.decode()
    assert "La fecha «Desde» es posterior a la fecha «Hasta»." in wrong


def test_a_certifier_filters_only_their_own_downloads_and_cannot_pick_a_user(certifier_client, make_user):
    certifier_client.get(reverse("certification:season_report_pdf", args=["2026"]))
    other = make_user("certificador", username="otra_auditora")
    DownloadLog.objects.create(user=other, what="Informe ajeno", filename="ajeno.pdf")
    page = certifier_client.get(reverse("certification:download_log"), {"usuario": "otra_auditora"})
    text = page.content.decode()
    assert 'name="usuario"' not in text and "ajeno.pdf" not in text and "informe-de-campana" in text


# --- Documents in the reader's language, verification codes in none ---------------------------------


@pytest.fixture
def restore_language():
    """A request in English leaves English active in this thread; later tests expect Spanish."""
    previous = translation.get_language()
    yield
    translation.activate(previous) if previous else translation.deactivate()


def _pdf_text_and_data(response) -> tuple[str, bytes]:
    reader = PdfReader(io.BytesIO(response.content))
    ((_name, [data]),) = reader.attachments.items()
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split()), data


def test_a_report_reads_in_the_readers_language_and_its_verification_code_does_not_change(
    certifier_client, restore_language
):
    url = reverse("certification:season_report_pdf", args=["2026"])
    spanish_text, spanish_data = _pdf_text_and_data(certifier_client.get(url))
    certifier_client.post(reverse("set_language"), {"language": "en", "next": url})
    english_text, english_data = _pdf_text_and_data(certifier_client.get(url))

    assert "Informe de campaña" in spanish_text and "Season report" not in spanish_text
    assert "Season report" in english_text and "Informe de campaña" not in english_text
    # Same figures, same data, same code: the attached CSV keeps its Spanish headers for everyone.
    assert english_data == spanish_data and english_data.decode("utf-8-sig").startswith("seccion,clave,")
    first, second = IssuedDocument.objects.order_by("id")
    assert first.content_hash == second.content_hash and first.number != second.number
    # What the record keeps is in the cooperative's language, whoever asked.
    assert first.title == second.title == "Informe de campaña — Campaña 2026"
    assert second.summary[0] == ["Campaña", "Campaña 2026"]


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("certification:member_statement_pdf", ["S-00001", "2026"]),
        ("certification:fund_report_pdf", ["2026"]),
    ],
)
def test_every_documents_data_is_the_same_in_either_language(certifier_client, restore_language, name, args):
    url = reverse(name, args=args)
    _text, spanish_data = _pdf_text_and_data(certifier_client.get(url))
    certifier_client.post(reverse("set_language"), {"language": "en", "next": url})
    _text, english_data = _pdf_text_and_data(certifier_client.get(url))
    assert english_data == spanish_data
    assert len(set(IssuedDocument.objects.values_list("content_hash", flat=True))) == 1
