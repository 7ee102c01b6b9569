"""Chromium, holding Minka to its Content-Security-Policy, refuses nothing on the pages the administrator
works on, nor on the public ones: no script, style sheet or style of Minka's own is blocked."""

from datetime import date

import pytest

from tests.acopio.factories import make_coop, record
from toolkit.roles import ADMINISTRATOR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADMIN_PAGES = [
    "/",
    "/padron/socios/",
    "/padron/socios/{member}/",
    "/acopio/",
    "/acopio/entregas/",
    "/acopio/recibos/{receipt}/",
    "/ventas/contratos/",
    "/fondo-prima/",
    "/asambleas/",
    "/admin/",
]
PUBLIC_PAGES = ["/cuenta/entrar/", "/verificar/", "/no-existe/"]

# Every violation the page sees, whatever the console says about it.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile);
});
"""


def violations_on(page, url) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)  # htmx's first requests and swaps
    return page.evaluate("window.__cspViolations")


def test_no_content_security_policy_violation_on_the_administrators_pages(
    live_server, page, sign_in, make_user
):
    page.add_init_script(LISTEN)
    console = []  # Chromium also says it in the console
    page.on("console", lambda msg: console.append(msg.text))
    coop = make_coop()
    admin = make_user(ADMINISTRATOR, username="jefa")
    delivery = record(coop, admin, date=date(2026, 3, 10))
    found = []
    for path in PUBLIC_PAGES:
        found += [f"{path}: {v}" for v in violations_on(page, live_server.url + path)]
    sign_in(admin.username)
    for path in ADMIN_PAGES:
        url = live_server.url + path.format(member=coop["maria"].code, receipt=delivery.receipt_code)
        found += [f"{path}: {v}" for v in violations_on(page, url)]
    # The delivery form asks the server as the member is typed (htmx): still nothing refused.
    page.goto(live_server.url + "/acopio/")
    page.fill("input[name=member]", coop["maria"].code)
    page.wait_for_timeout(800)
    found += [f"typing: {v}" for v in page.evaluate("window.__cspViolations")]
    found += [text for text in console if "Content Security Policy" in text]
    assert not found, "\n".join(found)


def test_the_check_sees_a_violation_when_there_is_one(live_server, page):
    """The harness itself: a style element written into the page is refused and reported."""
    page.add_init_script(LISTEN)
    page.goto(f"{live_server.url}/cuenta/entrar/")
    page.evaluate("document.head.insertAdjacentHTML('beforeend', '<style>body{color:red}</style>')")
    page.wait_for_timeout(200)
    assert any("style-src" in v for v in page.evaluate("window.__cspViolations"))
