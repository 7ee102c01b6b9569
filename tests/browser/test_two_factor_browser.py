"""A treasurer's first sign-in in Chromium: the password, then the authenticator set up from the key the
page shows (as a phone would be), the recovery codes saved, and the home page; no script is refused."""

from base64 import b32decode

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.test_csp_browser import LISTEN
from toolkit.roles import TREASURER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_treasurer_enrols_at_first_sign_in_and_reaches_the_home_page(live_server, page, make_user):
    make_user(TREASURER, username="tesorera")
    page.add_init_script(LISTEN)
    page.goto(f"{live_server.url}/cuenta/entrar/")
    page.fill("#id_username", "tesorera")
    page.fill("#id_password", "clave-de-prueba-123")
    page.click("main button[type=submit]")
    page.wait_for_url("**/cuenta/dos-pasos/activar/**")
    assert page.locator("#qr svg").count() == 1 and page.locator("#qr svg").bounding_box()["width"] > 100
    assert page.evaluate("window.__cspViolations") == []  # the QR code is inline SVG, no image, no script
    secret = page.inner_text("#secret").replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    page.fill("#id_code", f"{totp(key):06d}")
    page.press("#id_code", "Enter")
    page.wait_for_url("**/cuenta/dos-pasos/codigos-de-recuperacion/**")
    assert page.locator("#codigos-de-recuperacion li").count() == 10
    page.check("input[name=saved]")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").first.is_visible()
    assert TOTPDevice.objects.get(user__username="tesorera").confirmed
    assert page.evaluate("window.__cspViolations") == []
