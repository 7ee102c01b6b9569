import os

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# tests make around it are ordinary synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is missing: run scripts/install-system-packages.sh")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="es-PE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    # Generous: on a shared, loaded machine one navigation has taken more than 10 s.
    page.set_default_timeout(30_000)
    yield page
    context.close()


def sign_in_page(page, base_url: str, username: str, password: str = "clave-de-prueba-123"):
    """Sign in with the password and, for administration, board and treasury, the code of an authenticator
    set up for them (as their phone would show it), landing on the home page."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.conftest import current_code
    from toolkit.two_factor import required_for

    user = get_user_model().objects.filter(username=username).first()
    second_step = user is not None and settings.MINKA_TWO_FACTOR and required_for(user)
    if second_step:  # a device of its own each time: a code already used is refused
        device = TOTPDevice.objects.create(user=user, name="Minka", confirmed=True)
    page.goto(f"{base_url}/cuenta/entrar/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    if second_step:
        page.wait_for_url("**/cuenta/dos-pasos/codigo/**")
        page.fill("#id_code", current_code(device))
        page.press("#id_code", "Enter")
    page.wait_for_url(f"{base_url}/")


@pytest.fixture
def sign_in(live_server, page):
    def go(username: str, password: str = "clave-de-prueba-123"):
        sign_in_page(page, live_server.url, username, password)

    return go
