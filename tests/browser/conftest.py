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


@pytest.fixture
def sign_in(live_server, page):
    def go(username: str, password: str = "clave-de-prueba-123"):
        page.goto(f"{live_server.url}/cuenta/entrar/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")

    return go
