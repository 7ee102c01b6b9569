"""The collection-centre pages as their users meet them: the clerk, the administrator, the councils, anyone
holding a receipt."""

import io
import re
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from acopio.models import CollectionCentre, Delivery
from ledger.member_accounts import owed_to_member
from ledger.models import JournalEntry
from ledger.services import record_movement
from tests.acopio.conftest import DAY
from toolkit.money import format_money
from toolkit.roles import ADMINISTRATOR, BOARD, CERTIFIER, CLERK, OVERSIGHT

pytestmark = pytest.mark.django_db

MM = Decimal("72") / Decimal("25.4")  # PDF points per millimetre


def form_data(coop, **overrides) -> dict:
    """What the clerk types for María: dry grade I, 100,5 kg gross, 1.25 kg tare → 99.25 kg, S/ 1,126.49."""
    data = {
        "centre": coop["centre"].pk,
        "date": DAY.isoformat(),
        "member": "S-00001",
        "plot": "S-00001-P1",
        "form": "dry",
        "grade": "g1",
        "gross_kg": "100,5",
        "tare_kg": "1.25",
        "moisture_pct": "7.5",
        "token": str(uuid.uuid4()),
        "replaces": "",
    }
    data.update(overrides)
    return data


def hidden_value(html: str, name: str) -> str:
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden field {name}"
    return found.group(1)


def row_of(html: str, receipt_code: str) -> str:
    """The <tr …>…</tr> of a list that links to the receipt."""
    rows = [row for row in html.split("<tr")[1:] if f">{receipt_code}</a>" in row]
    assert len(rows) == 1, f"{receipt_code} appears in {len(rows)} rows"
    return "<tr" + rows[0].split("</tr>")[0]


def pdf_text(content: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages), reader


def nothing_saved(coop):
    coop["centre"].refresh_from_db()
    counts = (Delivery.objects.count(), JournalEntry.objects.count(), coop["centre"].last_receipt_number)
    return counts == (0, 0, 0)


# --- The clerk's page -------------------------------------------------------------


def test_the_clerk_page_opens_with_a_fresh_token_each_time(coop, role_clients):
    clerk = role_clients[CLERK]
    first = clerk.get(reverse("acopio:delivery_new"))
    second = clerk.get(reverse("acopio:delivery_new"))
    assert first.status_code == second.status_code == 200
    html = first.content.decode()
    assert "Guardar y emitir recibo" in html
    assert "C01 · Chazuta" in html and "C02 · Curiyacu" in html
    tokens = {hidden_value(first.content.decode(), "token"), hidden_value(second.content.decode(), "token")}
    assert len(tokens) == 2
    for token in tokens:
        uuid.UUID(token)  # a real UUID, not an empty value


def test_saving_a_delivery_shows_its_receipt(coop, role_clients):
    response = role_clients[CLERK].post(reverse("acopio:delivery_new"), form_data(coop), follow=True)
    assert response.redirect_chain == [(reverse("acopio:delivery_detail", args=["C01-000001"]), 302)]
    html = response.content.decode()
    assert "Recibo C01-000001 registrado." in html
    assert "Recibo C01-000001" in html
    assert "99.25 kg" in html
    assert "S/ 1,126.49" in html
    assert "María Luz Tuanama Sangama" in html
    delivery = Delivery.objects.get()
    assert (delivery.receipt_code, delivery.net_g, delivery.amount_minor) == ("C01-000001", 99_250, 112_649)
    assert delivery.recorded_by.username == f"u_{CLERK}"
    assert owed_to_member(coop["maria"]) == 112_649


def test_the_member_can_be_typed_by_dni(coop, role_clients):
    response = role_clients[ADMINISTRATOR].post(
        reverse("acopio:delivery_new"), form_data(coop, member="41234567")
    )
    assert response.status_code == 302
    assert Delivery.objects.get().member == coop["maria"]


def test_the_page_remembers_the_centre_of_the_last_delivery(coop, role_clients):
    clerk = role_clients[CLERK]
    other = coop["other_centre"]
    assert clerk.post(reverse("acopio:delivery_new"), form_data(coop, centre=other.pk)).status_code == 302
    html = clerk.get(reverse("acopio:delivery_new")).content.decode()
    assert f'<option value="{other.pk}" selected>' in html
    assert f'<option value="{coop["centre"].pk}" selected>' not in html


def test_the_same_form_sent_twice_records_one_delivery(coop, role_clients):
    clerk = role_clients[CLERK]
    data = form_data(coop)
    first = clerk.post(reverse("acopio:delivery_new"), data)
    again = clerk.post(reverse("acopio:delivery_new"), data)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == reverse("acopio:delivery_detail", args=["C01-000001"])
    assert Delivery.objects.count() == 1 and JournalEntry.objects.count() == 1
    assert owed_to_member(coop["maria"]) == 112_649
    # A new form (new token) is a new delivery.
    assert clerk.post(reverse("acopio:delivery_new"), form_data(coop))["Location"].endswith("C01-000002/")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"gross_kg": "10", "tare_kg": "10"}, "La tara debe ser menor que el peso bruto."),
        ({"gross_kg": "10", "tare_kg": "12,5"}, "La tara debe ser menor que el peso bruto."),
        ({"gross_kg": "diez"}, "El peso bruto: «diez» no es un número."),
        ({"member": "99999999"}, "Ningún socio tiene el código, DNI o nombre «99999999»."),
        ({"date": "2024-06-01"}, "No hay campaña registrada que incluya el 01/06/2024."),
    ],
)
def test_a_bad_delivery_is_refused_with_a_spanish_message_and_nothing_is_saved(
    coop, role_clients, overrides, message
):
    data = form_data(coop, **overrides)
    response = role_clients[CLERK].post(reverse("acopio:delivery_new"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "No se guardó la entrega." in html
    assert message in html
    # What the clerk typed stays on the page, with the same token, to correct and send again.
    assert hidden_value(html, "token") == data["token"]
    assert f'name="gross_kg" value="{data["gross_kg"]}"' in html
    assert nothing_saved(coop)


def test_the_quote_shows_the_figures_before_saving_and_saves_nothing(coop, role_clients):
    response = role_clients[CLERK].post(reverse("acopio:delivery_quote"), form_data(coop))
    assert response.status_code == 200
    html = response.content.decode()
    assert "99.25 kg" in html
    assert "S/ 11.35" in html
    assert "S/ 1,126.49" in html
    assert "rendimiento" not in html  # 99.25 kg is far below what 2 ha can yield
    assert nothing_saved(coop)


def test_the_quote_reports_a_mistake_once_everything_is_typed(coop, role_clients):
    clerk = role_clients[CLERK]
    wrong = clerk.post(reverse("acopio:delivery_quote"), form_data(coop, gross_kg="5", tare_kg="6"))
    wrong = wrong.content.decode()
    assert "La tara debe ser menor que el peso bruto." in wrong and "S/" not in wrong
    half_typed = clerk.post(reverse("acopio:delivery_quote"), form_data(coop, gross_kg="", tare_kg=""))
    assert "errorlist" not in half_typed.content.decode()
    assert "aquí aparecerán el peso neto" in half_typed.content.decode()
    assert nothing_saved(coop)


def test_the_quote_warns_when_the_member_exceeds_the_yield_of_the_plots(coop, role_clients):
    # Segundo has 0.5 ha in production: 450 kg dry in the season at most.
    data = form_data(coop, member="S-00002", plot="S-00002-P1", gross_kg="461", tare_kg="1")
    html = role_clients[CLERK].post(reverse("acopio:delivery_quote"), data).content.decode()
    assert "supera lo que sus parcelas pueden producir" in html
    assert "460 kg" in html and "450 kg" in html
    assert "S/ 4,370.00" in html  # conventional dry grade I, 460 kg × S/ 9.50
    assert nothing_saved(coop)


def test_member_lookup_finds_by_dni_and_lists_the_plots(coop, role_clients):
    clerk = role_clients[CLERK]
    html = clerk.get(reverse("acopio:member_lookup"), {"member": "42345678"}).content.decode()
    assert "Rosa Ríos Isuiza" in html and "S-00003" in html
    assert '<option value="S-00003-P1"' in html and '<option value="S-00003-P2"' in html
    assert "S-00001-P1" not in html
    # A single plot is chosen for the clerk.
    html = clerk.get(reverse("acopio:member_lookup"), {"member": "41234567"}).content.decode()
    assert '<option value="S-00001-P1" selected>' in html


def test_member_lookup_offers_the_matches_for_part_of_a_name(coop, role_clients):
    html = role_clients[CLERK].get(reverse("acopio:member_lookup"), {"member": "ama"}).content.decode()
    # "ama" is in two names (Tuanama, Amasifuen): both offered, none chosen yet.
    assert '<option value="S-00001">' in html and '<option value="S-00002">' in html
    assert 'value="S-00003"' not in html
    assert "2 socios coinciden" in html
    assert 'name="plot" value=""' in html
    nobody = role_clients[CLERK].get(reverse("acopio:member_lookup"), {"member": "Zzyzx"}).content.decode()
    assert "Ningún socio con el código, DNI o nombre «Zzyzx»." in nobody


# --- Receipts ---------------------------------------------------------------------


@pytest.fixture
def receipt(coop, deliver):
    return deliver(gross_kg="100,5", tare_kg="1.25")


def test_the_a6_receipt_is_a_pdf_with_the_receipt_facts(receipt, role_clients):
    url = reverse("acopio:delivery_receipt_pdf", args=[receipt.receipt_code, "a6"])
    response = role_clients[BOARD].get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "recibo-C01-000001-a6.pdf" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")
    text, reader = pdf_text(response.content)
    assert len(reader.pages) == 1
    for fact in ("C01-000001", "99.25 kg", "S/ 1,126.49", "María Luz Tuanama Sangama", "41234567"):
        assert fact in text, fact
    box = reader.pages[0].mediabox
    assert abs(Decimal(str(box.width)) / MM - 105) < 1
    assert abs(Decimal(str(box.height)) / MM - 148) < 1


def test_the_ticket_receipt_is_an_80_mm_pdf_with_the_receipt_facts(receipt, role_clients):
    response = role_clients[CLERK].get(
        reverse("acopio:delivery_receipt_pdf", args=[receipt.receipt_code, "ticket"])
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text, reader = pdf_text(response.content)
    for fact in ("C01-000001", "99.25 kg", "S/ 1,126.49"):
        assert fact in text, fact
    assert abs(Decimal(str(reader.pages[0].mediabox.width)) / MM - 80) < 1


def test_an_unknown_receipt_or_format_is_not_found(receipt, role_clients):
    client = role_clients[ADMINISTRATOR]
    assert client.get(reverse("acopio:delivery_receipt_pdf", args=["C01-000001", "a4"])).status_code == 404
    assert client.get(reverse("acopio:delivery_receipt_pdf", args=["C01-000999", "a6"])).status_code == 404
    assert client.get(reverse("acopio:delivery_detail", args=["C01-000999"])).status_code == 404
    assert client.get(reverse("acopio:delivery_detail", args=["C01"])).status_code == 404


def test_anyone_can_verify_a_receipt_and_sees_when_it_was_voided(receipt, admin_user_minka):
    anonymous = Client()
    url = reverse("receipt_verify", args=[receipt.verification_key])
    response = anonymous.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Recibo auténtico" in html and "ANULADO" not in html
    for fact in ("C01-000001", "99.25 kg", "S/ 1,126.49", "S-00001", "10/03/2026", "Chazuta"):
        assert fact in html, fact

    from acopio.services import void_delivery

    void_delivery(delivery=receipt, reason="Peso mal digitado", user=admin_user_minka)
    html = anonymous.get(url).content.decode()
    assert "ANULADO" in html and "Recibo auténtico" not in html
    assert "C01-000001" in html


def test_verifying_an_unknown_key_is_not_found(receipt):
    response = Client().get(reverse("receipt_verify", args=["no-existe-esta-clave"]))
    assert response.status_code == 404
    assert "No existe ningún recibo" in response.content.decode()
    assert "C01-000001" not in response.content.decode()


def test_the_qr_on_the_receipt_points_to_the_verification_page(receipt, role_clients):
    html = role_clients[OVERSIGHT].get(receipt.get_absolute_url()).content.decode()
    assert f"http://testserver/verificar/recibo/{receipt.verification_key}/" in html
    assert "<svg" in html


# --- Voiding and reissuing --------------------------------------------------------


def test_the_administrator_voids_a_receipt_and_the_balance_is_reversed(coop, receipt, deliver, role_clients):
    kept = deliver(gross_kg="11", tare_kg="1")
    admin = role_clients[ADMINISTRATOR]
    assert owed_to_member(coop["maria"]) == receipt.amount_minor + kept.amount_minor
    response = admin.post(
        reverse("acopio:delivery_void", args=["C01-000001"]),
        {"reason": "Peso mal digitado", "confirm": "1"},
        follow=True,
    )
    assert response.redirect_chain == [(receipt.get_absolute_url(), 302)]
    html = response.content.decode()
    assert "Recibo C01-000001 anulado; su asiento fue revertido." in html
    assert "ANULADO" in html and "Peso mal digitado" in html
    assert "reversión" in html
    assert owed_to_member(coop["maria"]) == kept.amount_minor
    receipt.refresh_from_db()
    assert receipt.is_void and receipt.voided_by.username == f"u_{ADMINISTRATOR}"

    listing = admin.get(reverse("acopio:delivery_list")).content.decode()
    assert row_of(listing, "C01-000001").startswith('<tr class="void">')
    assert "ANULADA" in row_of(listing, "C01-000001")
    assert 'class="void"' not in row_of(listing, "C01-000002")
    voided_only = admin.get(reverse("acopio:delivery_list"), {"estado": "void"}).content.decode()
    assert "C01-000001" in voided_only and "C01-000002" not in voided_only


def test_voiding_without_a_reason_changes_nothing(coop, receipt, role_clients):
    response = role_clients[ADMINISTRATOR].post(
        reverse("acopio:delivery_void", args=["C01-000001"]), {"reason": "  "}, follow=True
    )
    assert "Indique el motivo de la anulación." in response.content.decode()
    receipt.refresh_from_db()
    assert not receipt.is_void
    assert owed_to_member(coop["maria"]) == receipt.amount_minor


def test_void_and_reissue_opens_the_clerk_page_prefilled(coop, receipt, role_clients):
    admin = role_clients[ADMINISTRATOR]
    response = admin.post(
        reverse("acopio:delivery_void", args=["C01-000001"]),
        {"reason": "Tara equivocada", "reissue": "1", "confirm": "1"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('acopio:delivery_new')}?reemplaza=C01-000001"
    html = admin.get(response["Location"]).content.decode()
    assert "reemplaza al recibo anulado C01-000001" in html
    assert hidden_value(html, "replaces") == "C01-000001"
    assert 'name="member" value="S-00001"' in html
    assert 'name="gross_kg" value="100.5"' in html and 'name="tare_kg" value="1.25"' in html

    # The clerk corrects the tare and saves: a new number that replaces the voided one.
    data = form_data(coop, tare_kg="0.5", replaces="C01-000001", token=hidden_value(html, "token"))
    saved = admin.post(reverse("acopio:delivery_new"), data, follow=True)
    assert saved.redirect_chain[-1][0] == reverse("acopio:delivery_detail", args=["C01-000002"])
    assert "Este recibo reemplaza al recibo anulado" in saved.content.decode()
    assert Delivery.objects.get(receipt_number=2).replaces == receipt
    assert owed_to_member(coop["maria"]) == Delivery.objects.get(receipt_number=2).amount_minor


def test_a_clerk_cannot_void(coop, receipt, role_clients):
    clerk = role_clients[CLERK]
    assert "Anular este recibo" not in clerk.get(receipt.get_absolute_url()).content.decode()
    admin_page = role_clients[ADMINISTRATOR].get(receipt.get_absolute_url()).content.decode()
    assert "Anular este recibo" in admin_page
    response = clerk.post(
        reverse("acopio:delivery_void", args=["C01-000001"]), {"reason": "Quiero anularlo", "confirm": "1"}
    )
    assert response.status_code == 403
    receipt.refresh_from_db()
    assert not receipt.is_void
    assert owed_to_member(coop["maria"]) == receipt.amount_minor
    assert JournalEntry.objects.count() == 1


# --- The member's account and the internal control -----------------------------------


def test_the_member_page_shows_the_balance_from_the_ledger(
    coop, receipt, deliver, admin_user_minka, role_clients
):
    deliver(gross_kg="20", tare_kg="0.5")  # 19.5 kg × 11.35 = 221.325 → S/ 221.33
    record_movement(
        member=coop["maria"],
        kind="advance",
        method="cash",
        date=DAY,
        amount="300",
        document="ADL-1",
        user=admin_user_minka,
    )
    owed = owed_to_member(coop["maria"])
    assert owed == 112_649 + 22_133 - 30_000
    url = reverse("coop:member_detail", args=["S-00001"])
    html = role_clients[OVERSIGHT].get(url).content.decode()
    assert 'id="cuenta"' in html
    assert f'data-balance="{owed}">{format_money(owed, "PEN")}<' in html
    assert "S/ 1,047.82" in html
    assert "Saldo a favor del socio" in html
    assert "ADL-1" in html and "C01-000002" in html
    # Only the administration is offered the movement form.
    assert reverse("ledger:movement_new", args=["S-00001"]) not in html
    admin_page = role_clients[ADMINISTRATOR].get(url).content.decode()
    assert reverse("ledger:movement_new", args=["S-00001"]) in admin_page


def test_the_member_page_says_when_the_member_owes_the_cooperative(coop, admin_user_minka, role_clients):
    record_movement(
        member=coop["segundo"],
        kind="advance",
        method="wallet",
        date=DAY,
        amount="150.40",
        document="YAPE-9",
        user=admin_user_minka,
    )
    html = role_clients[CLERK].get(reverse("coop:member_detail", args=["S-00002"])).content.decode()
    assert 'data-balance="-15040">-S/ 150.40<' in html
    assert "Saldo que el socio debe" in html


def test_the_yield_control_lists_the_flagged_delivery(coop, deliver, role_clients):
    normal = deliver()
    flagged = deliver(member=coop["segundo"], plot=coop["plots"]["segundo"], gross_kg="461", tare_kg="1")
    assert flagged.yield_flag and not normal.yield_flag
    html = role_clients[CERTIFIER].get(reverse("acopio:yield_control")).content.decode()
    row = row_of(html, flagged.receipt_code)
    assert "Segundo Panaifo Amasifuen" in row
    assert "460 kg" in row and "450 kg" in row and "<strong>10 kg</strong>" in row
    assert normal.receipt_code not in html and "María Luz" not in html
    # The season before has nothing flagged.
    earlier = role_clients[CERTIFIER].get(reverse("acopio:yield_control"), {"campana": "2025"})
    earlier = earlier.content.decode()
    assert flagged.receipt_code not in earlier
    assert "Ninguna entrega de esta campaña supera" in earlier
    # The delivery list marks it for control too.
    listing = role_clients[CLERK].get(reverse("acopio:delivery_list")).content.decode()
    assert "Control" in row_of(listing, flagged.receipt_code)
    assert "Control" not in row_of(listing, normal.receipt_code)


def test_the_yield_control_reads_as_much_for_many_flagged_members_as_for_one(coop, deliver, role_clients):
    client = role_clients[CERTIFIER]
    deliver(member=coop["segundo"], plot=coop["plots"]["segundo"], gross_kg="461", tare_kg="1")
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("acopio:yield_control"))
    # Rosa's two hectares give 1,800 kg: two deliveries over that, a second flagged member.
    rosa, plot = coop["rosa"], coop["plots"]["rosa_conv"]
    deliver(member=rosa, plot=plot, gross_kg="1500", tare_kg="1")
    deliver(member=rosa, plot=plot, gross_kg="400", tare_kg="1")
    with CaptureQueriesContext(connection) as two:
        html = client.get(reverse("acopio:yield_control")).content.decode()
    assert "Rosa Ríos Isuiza" in html and "Segundo Panaifo Amasifuen" in html
    assert "1,898.0 kg" in html and "1,800.0 kg" in html and "<strong>98 kg</strong>" in html
    assert len(two.captured_queries) == len(one.captured_queries)


def test_the_delivery_list_finds_a_receipt_by_number_or_member(coop, deliver, role_clients):
    deliver()
    deliver(member=coop["rosa"], plot=coop["plots"]["rosa_ft"], centre=coop["other_centre"])
    client = role_clients[BOARD]
    by_number = client.get(reverse("acopio:delivery_list"), {"q": "c02-1"}).content.decode()
    assert "C02-000001" in by_number and "C01-000001" not in by_number
    by_name = client.get(reverse("acopio:delivery_list"), {"q": "maria"}).content.decode()
    assert "C01-000001" in by_name and "C02-000001" not in by_name
    by_centre = client.get(reverse("acopio:delivery_list"), {"centro": "C02"}).content.decode()
    assert "C02-000001" in by_centre and "C01-000001" not in by_centre
    assert CollectionCentre.objects.get(code="C02").last_receipt_number == 1
