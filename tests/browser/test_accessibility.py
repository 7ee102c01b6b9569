"""axe-core, run in Chromium on every Minka page a role works on, finds no serious or critical
accessibility violation: labels, contrast, names of buttons and links, landmarks, language."""

from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.acopio.factories import make_coop, record
from toolkit.roles import ADMINISTRATOR, BOARD, CERTIFIER, CLERK, OVERSIGHT, TREASURER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = {  # role: the pages it works on ({member} and {receipt} filled in below)
    ADMINISTRATOR: [
        "/",
        "/padron/socios/",
        "/padron/socios/{member}/",
        "/padron/socios/{member}/editar/",
        "/padron/importar/",
        "/acopio/",
        "/acopio/entregas/",
        "/acopio/recibos/{receipt}/",
        "/acopio/importar/",
        "/cuentas/{member}/movimiento/",
        "/ventas/lotes/",
        "/ventas/lotes/nuevo/",
        "/ventas/contratos/",
        "/ventas/contratos/nuevo/",
        "/ventas/balance-de-masas/",
        "/fondo-prima/",
        "/fondo-prima/plan/nueva-linea/",
        "/fondo-prima/gastos/nuevo/",
        "/asambleas/",
        "/asambleas/convocar/",
    ],
    CLERK: ["/", "/acopio/", "/acopio/entregas/"],
    BOARD: ["/", "/asambleas/", "/fondo-prima/"],
    TREASURER: ["/", "/fondo-prima/"],
    OVERSIGHT: ["/", "/acopio/control-rendimiento/", "/certificacion/descargas/"],
    CERTIFIER: ["/", "/certificacion/", "/padron/socios/"],
    None: ["/cuenta/entrar/", "/verificar/", "/no-existe/"],
}
SERIOUS = {"serious", "critical"}


@pytest.fixture(scope="module")
def axe():
    return Axe()


@pytest.mark.parametrize("role", sorted(PAGES, key=str))
def test_no_serious_accessibility_violation_on_the_pages_of_each_role(
    live_server, page, sign_in, make_user, axe, role
):
    coop = make_coop()
    admin = make_user(ADMINISTRATOR, username="jefa")
    delivery = record(coop, admin, date=date(2026, 3, 10))
    if role is not None:
        user = admin if role == ADMINISTRATOR else make_user(role, username=f"u_{role}")
        sign_in(user.username)
    found = []
    for path in PAGES[role]:
        page.goto(live_server.url + path.format(member=coop["maria"].code, receipt=delivery.receipt_code))
        results = axe.run(page)
        for violation in results.response["violations"]:
            if violation["impact"] in SERIOUS:
                targets = [" ".join(node["target"]) for node in violation["nodes"]][:3]
                found.append(f"{path}: {violation['id']} ({violation['impact']}) {targets}")
    assert not found, "\n".join(found)


def test_the_check_sees_a_violation_when_there_is_one(live_server, page, axe):
    """The harness itself: a text box without a label is a critical violation axe must report."""
    page.goto(f"{live_server.url}/cuenta/entrar/")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<input id=bare>')")
    impacts = {v["id"]: v["impact"] for v in axe.run(page).response["violations"]}
    assert impacts.get("label") == "critical"
