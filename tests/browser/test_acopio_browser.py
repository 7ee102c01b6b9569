"""A clerk records a delivery from the keyboard in Chromium, and the administrator voids it."""

import pytest
from playwright.sync_api import expect

from acopio.models import Delivery
from ledger.member_accounts import owed_to_member
from tests.acopio.factories import make_coop, record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def coop(live_server):
    return make_coop()


def test_clerk_records_a_delivery_from_the_keyboard(live_server, page, sign_in, make_user, coop):
    make_user("acopiador", username="clerk")
    sign_in("clerk")
    page.goto(f"{live_server.url}/acopio/")
    page.fill("#id_date", "2026-03-10")
    page.fill("#id_member", "41234567")  # María's DNI
    expect(page.locator(".member-found")).to_contain_text("María Luz Tuanama Sangama")
    page.select_option("#id_plot", "S-00001-P1")
    page.select_option("#id_form", "dry")
    page.press("#id_form", "Tab")
    expect(page.locator("#id_grade")).to_have_value("g1")
    page.fill("#id_gross", "100,5")
    page.fill("#id_tare", "1,25")
    page.fill("#id_moisture", "7,5")
    # The price preview shows the receipt's figures before anything is saved.
    expect(page.locator("#quote")).to_contain_text("S/ 1,126.49")
    expect(page.locator("#quote")).to_contain_text("Comercio Justo + Orgánico")
    assert Delivery.objects.count() == 0
    page.press("#id_moisture", "Enter")
    page.wait_for_url("**/acopio/recibos/C01-000001/")
    expect(page.locator("h1")).to_contain_text("C01-000001")
    expect(page.locator("main")).to_contain_text("99.25 kg")
    # Enter on the receipt page goes straight to the next delivery.
    page.keyboard.press("Enter")
    page.wait_for_url("**/acopio/")
    assert Delivery.objects.count() == 1
    assert owed_to_member(coop["maria"]) == 112_649


def test_administrator_voids_and_reissues(live_server, page, sign_in, make_user, coop):
    admin = make_user("administrador", username="jefa")
    record(coop, admin, gross_kg="200")
    sign_in("jefa")
    page.goto(f"{live_server.url}/acopio/recibos/C01-000001/")
    page.fill("#id_reason", "Peso mal digitado")
    page.click("button[name=reissue]")
    # Nothing is voided until the confirmation page's button is pressed.
    expect(page.locator("main")).to_contain_text("Peso mal digitado")
    assert Delivery.objects.get().status == "valid"
    page.click("main button[type=submit]:has-text('Anular y reemitir')")
    page.wait_for_url("**/acopio/?reemplaza=C01-000001")
    expect(page.locator("h1")).to_contain_text("reemplaza al recibo anulado C01-000001")
    expect(page.locator("#id_gross")).to_have_value("200")
    page.fill("#id_gross", "100,5")
    page.click("text=Guardar y emitir recibo")
    page.wait_for_url("**/acopio/recibos/C01-000002/")
    expect(page.locator("main")).to_contain_text("Este recibo reemplaza al recibo anulado")
    page.goto(f"{live_server.url}/acopio/entregas/")
    expect(page.locator("tr.void")).to_contain_text("C01-000001")
    assert owed_to_member(coop["maria"]) == Delivery.objects.get(receipt_number=2).amount_minor
