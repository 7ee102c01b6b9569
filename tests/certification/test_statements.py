"""The member's season statement: numbers read back from the PDF equal the ledger, and it verifies."""

import csv
import hashlib
import io
from datetime import date

import pytest
from django.urls import reverse
from pypdf import PdfReader, PdfWriter

from acopio import services as purchases
from certification.documents import issue
from certification.models import DownloadLog, IssuedDocument
from certification.statements import statement_draft
from ledger.member_accounts import owed_to_member
from ledger.models import MovementKind, PaymentMethod
from ledger.services import record_movement
from tests.acopio.factories import load_prices
from toolkit.money import format_money, from_minor


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def season_with_history(coop, deliver, admin_user_minka):
    """María: one delivery last season, three this season (one voided), a payment, an advance, a deduction."""
    maria = coop["maria"]
    load_prices(date(2025, 1, 1))
    deliver(date=date(2025, 11, 3), gross_kg="40")
    first = deliver(date=date(2026, 3, 10), gross_kg="100")
    deliver(date=date(2026, 4, 2), gross_kg="61.5")
    wrong = deliver(date=date(2026, 4, 20), gross_kg="300")
    purchases.void_delivery(
        delivery=wrong, reason="peso mal digitado", user=admin_user_minka, on=date(2026, 4, 21)
    )
    record_movement(
        member=maria,
        kind=MovementKind.PAYMENT,
        method=PaymentMethod.BANK,
        date=date(2026, 4, 5),
        amount="900.00",
        document="OP-7731",
        user=admin_user_minka,
    )
    record_movement(
        member=maria,
        kind=MovementKind.INPUT_CREDIT,
        date=date(2026, 5, 3),
        amount="120.40",
        document="INS-3",
        user=admin_user_minka,
    )
    record_movement(
        member=maria,
        kind=MovementKind.ADVANCE,
        method=PaymentMethod.CASH,
        date=date(2026, 5, 2),
        amount="1500.55",
        document="ADL-12",
        user=admin_user_minka,
    )
    return {"maria": maria, "season": coop["seasons"]["2026"], "first": first, "wrong": wrong}


def test_the_statement_pdf_shows_the_ledgers_balances_to_the_centimo(season_with_history):
    maria, season = season_with_history["maria"], season_with_history["season"]
    document, pdf = issue(statement_draft(member=maria, season=season))
    text = pdf_text(pdf)

    opening = owed_to_member(maria, on=date(2025, 12, 31))
    closing = owed_to_member(maria, on=season.ends_on)
    assert opening > 0 and closing != opening
    assert f"Saldo inicial al 01/01/2026 {format_money(opening, 'PEN')}" in text
    assert f"(a favor del socio si es positivo) {format_money(closing, 'PEN')}" in text
    assert format_money(-90000, "PEN") in text and format_money(-150055, "PEN") in text
    assert format_money(-12040, "PEN") in text
    for receipt in (season_with_history["first"].receipt_code, season_with_history["wrong"].receipt_code):
        assert receipt in text
    # The reason may wrap inside its cell; what matters is that it is printed.
    assert "ANULADO" in text and "peso mal digitado" in " ".join(text.split())
    assert "Entregas vigentes: 2 (y 1 anulada)" in text
    assert "Campaña 2026 · 01/01/2026 – 31/12/2026" in text
    assert document.number in text and document.content_hash in text.replace("\n", "")


def test_the_attached_csv_is_the_verification_code_and_carries_the_same_balance(season_with_history):
    maria, season = season_with_history["maria"], season_with_history["season"]
    document, pdf = issue(statement_draft(member=maria, season=season))
    reader = PdfReader(io.BytesIO(pdf))
    ((name, [data]),) = reader.attachments.items()
    assert name == f"estado-de-cuenta-{maria.code}-2026.csv"
    assert hashlib.sha256(data).hexdigest() == document.content_hash
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    closing_row = next(row for row in rows if row["seccion"] == "saldo_final")
    assert closing_row["saldo_soles"] == str(from_minor(owed_to_member(maria, on=season.ends_on)))
    assert sum(row["seccion"] == "entrega" for row in rows) == 3
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="3"' in xmp and b'pdfaid:conformance="B"' in xmp  # archival PDF/A-3b


def test_each_statement_gets_the_next_number(season_with_history):
    maria, season = season_with_history["maria"], season_with_history["season"]
    first, _pdf = issue(statement_draft(member=maria, season=season))
    second, _pdf = issue(statement_draft(member=maria, season=season))
    assert (first.number, second.number) == ("EC-0000001", "EC-0000002")


def test_the_verification_page_confirms_the_file_and_refuses_a_tampered_copy(client, season_with_history):
    maria, season = season_with_history["maria"], season_with_history["season"]
    document, pdf = issue(statement_draft(member=maria, season=season))
    url = reverse("document_verify", args=[document.verification_key])

    page = client.get(url).content.decode()
    assert document.number in page and maria.name in page
    assert format_money(owed_to_member(maria, on=season.ends_on), "PEN") in page

    genuine = client.post(url, {"archivo": io.BytesIO(pdf)}, format="multipart")
    assert "idéntico al documento emitido" in genuine.content.decode()

    # Opened and saved again by a PDF editor, with one field changed: no longer the file Minka issued.
    editor = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    editor.add_metadata({"/Title": "Estado de cuenta corregido"})
    tampered_file = io.BytesIO()
    editor.write(tampered_file)
    tampered_file.seek(0)
    tampered_file.name = "estado.pdf"
    answer = client.post(url, {"archivo": tampered_file}).content.decode()
    assert "NO coincide" in answer and "idéntico" not in answer

    assert (
        client.get(reverse("document_verify", args=["6f1c1d2e-0000-4000-8000-000000000000"])).status_code
        == 404
    )


def test_a_downloaded_statement_is_issued_and_logged_with_who(client, make_user, season_with_history):
    certifier = make_user("certificador")
    client.force_login(certifier)
    maria = season_with_history["maria"]
    response = client.get(reverse("certification:member_statement_pdf", args=[maria.code, "2026"]))
    assert response["Content-Type"] == "application/pdf"
    document = IssuedDocument.objects.get()
    assert document.issued_by == certifier and document.member == maria
    log = DownloadLog.objects.get()
    assert (log.user, log.document) == (certifier, document)
    assert document.number in response["Content-Disposition"]
