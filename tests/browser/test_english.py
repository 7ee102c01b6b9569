"""Each role, in Chromium, switches Minka to English: its home and main working pages speak English.

Minka is Spanish first; a certifier or a buyer may read English. A Spanish word left in the page's
frame (menu, headings, table headers, labels, buttons) is a string that skipped gettext.
"""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from coop.models import Season
from tests.acopio.factories import make_coop, record
from toolkit.roles import ADMINISTRATOR, BOARD, CERTIFIER, CLERK, OVERSIGHT, TREASURER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Words of Minka's Spanish interface that an English page never needs (names and places in the
# data are not in the frame checked below).
SPANISH = {
    "de",
    "del",
    "la",
    "las",
    "los",
    "el",
    "para",
    "con",
    "por",
    "sin",
    "una",
    "al",
    "socio",
    "socios",
    "socia",
    "entrega",
    "entregas",
    "campaña",
    "fondo",
    "prima",
    "registrar",
    "buscar",
    "estado",
    "fecha",
    "importe",
    "ventas",
    "asamblea",
    "asambleas",
    "padrón",
    "inicio",
    "salir",
    "parcelas",
    "comunidad",
    "certificación",
    "cuenta",
    "recibo",
    "contratos",
    "lotes",
    "descargas",
    "informe",
    "acopio",
    "entrar",
    "todas",
    "todos",
    "nuevo",
    "nueva",
    "guardar",
}
FRAME = "nav a, h1, h2, h3, th, label, button, legend, summary, .alert strong, .card .muted"
MAIN_PAGES = {  # role: its working pages besides the home page
    ADMINISTRATOR: ["/padron/socios/", "/acopio/entregas/", "/ventas/contratos/"],
    CLERK: ["/acopio/", "/acopio/entregas/"],
    BOARD: ["/asambleas/", "/fondo-prima/"],
    TREASURER: ["/fondo-prima/"],
    OVERSIGHT: ["/acopio/control-rendimiento/", "/asambleas/"],
    CERTIFIER: ["/certificacion/", "/padron/socios/"],
}


def spanish_words(page) -> list[str]:
    texts = page.locator(FRAME).all_inner_texts()
    data = [season.name for season in Season.objects.all()]  # names the cooperative gave: data
    found = []
    for text in texts:
        for name in data:
            text = text.replace(name, "")
        words = {w.lower() for w in re.findall(r"[A-Za-zÁÉÍÓÚÑáéíóúñü]+", text)}
        found += [f"{text.strip()!r}: {', '.join(sorted(words & SPANISH))}" for _ in [0] if words & SPANISH]
    return found


@pytest.mark.parametrize("role", sorted(MAIN_PAGES))
def test_the_main_pages_of_each_role_have_no_spanish_left_in_english(
    live_server, page, sign_in, make_user, role
):
    coop = make_coop()
    admin = make_user(ADMINISTRATOR, username="jefa") if role != ADMINISTRATOR else None
    user = make_user(role, username=f"u_{role}")
    record(coop, admin or user, date=date(2026, 3, 10))
    sign_in(user.username)
    page.click("button[name=language][value=en]")
    expect(page.locator("nav").first).to_contain_text("Home")

    leftovers = {}
    for path in ["/", *MAIN_PAGES[role]]:
        page.goto(f"{live_server.url}{path}")
        if found := spanish_words(page):
            leftovers[path] = found
    assert not leftovers, f"Spanish left in English pages for {role}:\n" + "\n".join(
        f"  {path}: {line}" for path, lines in leftovers.items() for line in lines
    )
