"""An administrator and a clerk use the register in Chromium."""

import pytest
from playwright.sync_api import expect

from coop.models import Member, MemberStatus, Plot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POLYGON = (
    '{"type":"Polygon","coordinates":[[[-76.130000,-6.570000],[-76.132000,-6.570000],'
    "[-76.132500,-6.572000],[-76.130000,-6.572500],[-76.130000,-6.570000]]]}"
)


@pytest.fixture
def maria(make_user):
    member = Member.objects.create(
        code="S-00001",
        dni="41234567",
        name="María Luz Tuanama Sangama",
        community="Tununtunumba",
        district="Chazuta",
    )
    Member.objects.create(code="S-00002", dni="42222222", name="Segundo Panaifo Amasifuen")
    plot = Plot(member=member, code="S-00001-P1", total_area_ha=5, fairtrade_certified=True, geometry=POLYGON)
    plot.full_clean()
    plot.save()
    return member


def test_administrator_finds_a_member_and_suspends_her(live_server, page, sign_in, make_user, maria):
    make_user("administrador", username="gerente")
    sign_in("gerente")
    page.get_by_role("link", name="Padrón de socios").first.click()
    page.fill("#id_q", "tuanama")
    page.keyboard.press("Enter")
    expect(page.get_by_text("1 socio encontrado")).to_be_visible()
    page.get_by_role("link", name="María Luz Tuanama Sangama").click()
    expect(page.locator("svg polygon")).to_have_count(1)
    page.select_option("#id_status", "suspended")
    page.fill("#id_note", "Deuda de insumos")
    page.get_by_role("button", name="Registrar cambio de estado").click()
    expect(page.get_by_text("cambiado a «Suspendido»")).to_be_visible()
    expect(page.locator("h1 .badge")).to_have_text("Suspendido")
    assert Member.objects.get(code="S-00001").status == MemberStatus.SUSPENDED


def test_clerk_reads_but_cannot_import(live_server, page, sign_in, make_user, maria):
    make_user("acopiador", username="acopio1")
    sign_in("acopio1")
    expect(page.get_by_role("link", name="Importar")).to_have_count(0)
    page.goto(f"{live_server.url}/padron/importar/")
    expect(page.get_by_role("heading", name="Acceso denegado")).to_be_visible()
    page.goto(f"{live_server.url}/padron/socios/S-00001/")
    expect(page.get_by_role("button", name="Registrar cambio de estado")).to_have_count(0)
