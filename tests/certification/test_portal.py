"""The certifier's portal: read, download (each download logged with who and when), nothing to change."""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from certification.models import DownloadLog, IssuedDocument


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
