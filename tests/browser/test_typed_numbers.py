"""In Chromium, what a person types as an amount or a weight is what Minka records, or it asks.

«2,500» and «1,250» can each be read two ways (two thousand five hundred, or two and a half); Minka
says so under the field as it is typed and refuses it when sent. What Minka itself shows
(«S/ 2,500.00», «1,250.5») and the decimal comma where it cannot mean anything else («2500,75»)
are recorded as meant, and the page that follows repeats the amount.
"""

from datetime import date

import pytest
from playwright.sync_api import expect

from acopio.models import Delivery
from fund.models import Spending
from tests.acopio.factories import make_coop
from tests.ledger.factories import fund_with_soles
from tests.ledger.test_premium_fund import RUC, authorized_line
from tests.terms import reload_published_fairtrade_terms

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fund(live_server, make_user):
    reload_published_fairtrade_terms()  # a committing test loses what the data migration loaded
    return fund_with_soles(make_user)


def fill_spending(page, url, line, amount):
    page.goto(f"{url}/fondo-prima/gastos/nuevo/")
    page.select_option("#id_line", str(line.pk))
    page.fill("#id_amount", amount)
    page.fill("#id_document", f"F001-{len(amount)}{amount.count(',')}")
    page.fill("#id_document_date", "01/07/2020")
    page.fill("#id_description", "Calaminas")
    page.fill("#id_supplier", "Ferretería")
    page.fill("#id_ruc", RUC)


@pytest.mark.parametrize(
    "typed, recorded_minor, shown",
    [
        ("S/ 2,500.00", 250_000, "S/ 2,500.00"),
        ("2,500.00", 250_000, "S/ 2,500.00"),
        ("2500", 250_000, "S/ 2,500.00"),
        ("2500,75", 250_075, "S/ 2,500.75"),
        ("2.500,75", 250_075, "S/ 2,500.75"),
        ("62,5", 6_250, "S/ 62.50"),
    ],
)
def test_a_spending_is_recorded_as_typed_and_the_page_repeats_it(
    live_server, page, sign_in, fund, typed, recorded_minor, shown
):
    line = authorized_line(fund)
    sign_in(fund["admin"].username)
    fill_spending(page, live_server.url, line, typed)
    expect(page.locator("#id_amount + output.understood")).to_have_text(f"Minka entiende: {shown}")
    page.click("main button[type=submit]")
    expect(page.locator(".messages")).to_contain_text(f"registrado por {shown}")
    assert Spending.objects.get().amount_minor == recorded_minor


@pytest.mark.parametrize(
    "typed, says",
    [
        ("2,500", "«2,500»: ¿2500 o 2.5? Escriba 2500 o 2.5."),
        ("1.250", "«1.250»: ¿1250 o 1.25? Escriba 1250 o 1.25."),
        ("2,50,0", "«2,50,0» tiene los separadores de miles o de decimales fuera de lugar."),
        ("S/ 2.505", "«S/ 2.505» tiene demasiados decimales. Use como máximo 2 decimales."),
        ("US$ 2,500.00", "«US$ 2,500.00» no es un monto en S/."),
    ],
)
def test_an_ambiguous_spending_is_questioned_while_typed_and_refused_when_sent(
    live_server, page, sign_in, fund, typed, says
):
    line = authorized_line(fund)
    sign_in(fund["admin"].username)
    fill_spending(page, live_server.url, line, typed)
    expect(page.locator("#id_amount + output.understood")).to_have_text(says)
    page.click("main button[type=submit]")
    expect(page.locator("main")).to_contain_text(says)
    expect(page.locator("#id_amount")).to_have_value(typed)  # echoed exactly as typed
    assert not Spending.objects.exists()


@pytest.mark.parametrize(
    "gross, recorded_g",
    [("1,250.5", 1_250_500), ("1250,5", 1_250_500), ("62.1250", 62_125), ("1,250", None), ("1.250", None)],
)
def test_the_clerk_page_weighs_what_was_typed_or_asks(
    live_server, page, sign_in, make_user, gross, recorded_g
):
    coop = make_coop()
    make_user("acopiador", username="clerk")
    sign_in("clerk")
    page.goto(f"{live_server.url}/acopio/")
    page.fill("#id_date", "10/03/2026")
    page.fill("#id_member", "41234567")  # María's DNI
    expect(page.locator(".member-found")).to_contain_text("María Luz Tuanama Sangama")
    page.select_option("#id_form", "dry")
    page.fill("#id_gross", gross)
    page.fill("#id_tare", "1")
    page.fill("#id_moisture", "7,5")
    if recorded_g is None:
        whole, fraction = gross.replace(".", ",").split(",")
        question = f"¿{whole}{fraction} o {whole}.{fraction.rstrip('0')}?"
        expect(page.locator("#quote")).to_contain_text(question)
        page.press("#id_moisture", "Enter")
        expect(page.locator("main")).to_contain_text(question)
        assert not Delivery.objects.exists()
        return
    expect(page.locator("#quote")).to_contain_text("S/")
    page.press("#id_moisture", "Enter")
    page.wait_for_url("**/acopio/recibos/C01-000001/")
    delivery = Delivery.objects.get()
    assert delivery.gross_g == recorded_g and delivery.member == coop["maria"]
    assert delivery.date == date(2026, 3, 10)
