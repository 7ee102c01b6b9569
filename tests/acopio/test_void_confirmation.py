"""Voiding a receipt asks first, and a voided receipt names the one that replaced it (PDF and public page)."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from acopio.models import Delivery
from ledger.member_accounts import owed_to_member
from ledger.models import JournalEntry
from toolkit.roles import ADMINISTRATOR

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def receipt(coop, deliver):
    return deliver(gross_kg="100,5", tare_kg="1.25")


def void_url(code="C01-000001"):
    return reverse("acopio:delivery_void", args=[code])


def test_the_void_form_shows_a_confirmation_page_and_writes_nothing(coop, receipt, role_clients):
    admin = role_clients[ADMINISTRATOR]
    entries = JournalEntry.objects.count()
    response = admin.post(void_url(), {"reason": "Peso mal digitado"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "¿Anular el recibo" in html and "Todavía no se ha anulado nada." in html
    for fact in (
        "C01-000001",
        "María Luz Tuanama Sangama",
        "S-00001",
        "99.25 kg",
        "S/ 1,126.49",
        "Peso mal digitado",
    ):
        assert fact in html, fact
    assert 'name="confirm" value="1"' in html
    assert 'name="reason" value="Peso mal digitado"' in html
    receipt.refresh_from_db()
    assert not receipt.is_void and receipt.voided_at is None
    assert JournalEntry.objects.count() == entries
    assert owed_to_member(coop["maria"]) == receipt.amount_minor


def test_anything_but_confirm_1_writes_nothing(coop, receipt, role_clients):
    admin = role_clients[ADMINISTRATOR]
    for confirm in ("", "0", "si", "yes"):
        response = admin.post(void_url(), {"reason": "Peso mal digitado", "confirm": confirm})
        assert response.status_code == 200
    receipt.refresh_from_db()
    assert not receipt.is_void
    assert JournalEntry.objects.count() == 1


def test_a_missing_reason_is_refused_before_the_confirmation(coop, receipt, role_clients):
    response = role_clients[ADMINISTRATOR].post(void_url(), {"reason": "  "}, follow=True)
    assert response.redirect_chain == [(receipt.get_absolute_url(), 302)]
    assert "Indique el motivo de la anulación." in response.content.decode()
    receipt.refresh_from_db()
    assert not receipt.is_void


def test_confirming_voids_the_receipt_and_reverses_its_entry(coop, receipt, role_clients):
    response = role_clients[ADMINISTRATOR].post(
        void_url(), {"reason": "Peso mal digitado", "confirm": "1"}, follow=True
    )
    assert response.redirect_chain == [(receipt.get_absolute_url(), 302)]
    assert "Recibo C01-000001 anulado; su asiento fue revertido." in response.content.decode()
    receipt.refresh_from_db()
    assert receipt.is_void and receipt.void_reason == "Peso mal digitado"
    assert JournalEntry.objects.count() == 2
    assert owed_to_member(coop["maria"]) == 0


def test_the_confirmation_carries_the_reissue_choice(coop, receipt, role_clients):
    admin = role_clients[ADMINISTRATOR]
    page = admin.post(void_url(), {"reason": "Tara equivocada", "reissue": "1"}).content.decode()
    assert 'name="reissue" value="1"' in page and "Anular y reemitir" in page
    assert not Delivery.objects.get(pk=receipt.pk).is_void
    response = admin.post(void_url(), {"reason": "Tara equivocada", "reissue": "1", "confirm": "1"})
    assert response["Location"] == f"{reverse('acopio:delivery_new')}?reemplaza=C01-000001"
    assert Delivery.objects.get(pk=receipt.pk).is_void


def test_the_voided_receipt_names_its_replacement_in_its_pdfs_and_public_page(
    coop, receipt, deliver, role_clients
):
    admin = role_clients[ADMINISTRATOR]
    admin.post(void_url(), {"reason": "Tara equivocada", "confirm": "1"})
    receipt.refresh_from_db()
    public_url = reverse("receipt_verify", args=[receipt.verification_key])

    # Voided, not yet replaced: the papers say so and name nothing.
    for size in ("a6", "ticket"):
        text = pdf_text(admin.get(reverse("acopio:delivery_receipt_pdf", args=["C01-000001", size])).content)
        assert "ANULADO" in text and "Reemplazado por" not in text
    assert "reemplazado" not in Client().get(public_url).content.decode()

    replacement = deliver(gross_kg="100,5", tare_kg="0.5", replaces=receipt)
    assert replacement.receipt_code == "C01-000002"
    for size in ("a6", "ticket"):
        response = admin.get(reverse("acopio:delivery_receipt_pdf", args=["C01-000001", size]))
        text = " ".join(pdf_text(response.content).split())
        assert "ANULADO" in text
        assert "Reemplazado por el recibo C01-000002" in text, size
        assert len(PdfReader(io.BytesIO(response.content)).pages) == 1

    html = Client().get(public_url).content.decode()
    assert "Este recibo fue ANULADO." in html
    assert "Fue reemplazado por el recibo" in html
    replacement_url = reverse("receipt_verify", args=[replacement.verification_key])
    assert f'<a href="{replacement_url}" class="code">C01-000002</a>' in html
    # The replacement's own public page names the receipt it replaces.
    own = Client().get(replacement_url).content.decode()
    assert "Recibo auténtico" in own and "Reemplaza al recibo anulado" in own and "C01-000001" in own


def test_a_voided_receipt_cannot_be_confirmed_again(coop, receipt, role_clients):
    admin = role_clients[ADMINISTRATOR]
    admin.post(void_url(), {"reason": "Peso mal digitado", "confirm": "1"})
    response = admin.post(void_url(), {"reason": "Otra vez"}, follow=True)
    assert "ya está anulado" in response.content.decode()
    assert JournalEntry.objects.count() == 2
