"""What every response tells the browser (Content-Security-Policy), what the public verification pages
tell search engines and caches, who sees Django's technical pages with DEBUG on, and which secrets
production refuses.

This module is also the URLconf of the error tests: Minka's URLs and handlers plus one failing view.
"""

import re

import pytest
from django.db import DatabaseError
from django.test import Client, override_settings
from django.urls import path, reverse

from config.settings import weak_secret
from config.urls import handler400, handler403, handler404, handler500  # noqa: F401 (this URLconf's)
from config.urls import urlpatterns as minka_urlpatterns
from toolkit.roles import TREASURER


def broken_view(request):
    raise DatabaseError("the database went away")


urlpatterns = [path("prueba/falla/", broken_view), *minka_urlpatterns]

REMOTE = "203.0.113.7"


def policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in header.split(";")) if part}


def assert_no_inline_script(html: str):
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, tag
    assert not re.search(r"\son[a-z]+=", html), "an inline event handler"


@pytest.mark.django_db
def test_pages_allow_only_minkas_own_scripts_and_styles(client, make_user):
    login = client.get(reverse("login"))
    rules = policy(login)
    assert rules["script-src"] == "script-src 'self'"
    assert rules["style-src"].startswith("style-src 'self' 'nonce-")
    assert "unsafe-inline" not in rules["style-src"] and "unsafe-eval" not in login["Content-Security-Policy"]
    assert rules["object-src"] == "object-src 'none'"
    assert rules["frame-ancestors"] == "frame-ancestors 'none'"
    assert_no_inline_script(login.content.decode())

    make_user(TREASURER, username="tesorero")
    client.force_login(make_user(TREASURER, username="tesorera2"))
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert policy(home)["script-src"] == "script-src 'self'"
    assert_no_inline_script(home.content.decode())
    # Each response has its own nonce.
    assert policy(home)["style-src"] != rules["style-src"]


@pytest.mark.django_db
def test_verification_pages_are_neither_indexed_nor_kept(client):
    for url in (reverse("paper_verify"), "/verificar/recibo/no-es-una-clave/", "/verificar/documento/x/"):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert "noindex" in response["X-Robots-Tag"], url
        assert response["Cache-Control"] == "no-store", url
    # A page a member signs in to is not marked so.
    assert "X-Robots-Tag" not in client.get(reverse("login"))


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_the_error_page_style_carries_the_nonce_of_its_policy():
    response = Client(raise_request_exception=False).get("/prueba/falla/")
    assert response.status_code == 500
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert f'<style nonce="{nonce}">' in response.content.decode()


# --- DEBUG only for this machine -----------------------------------------------------------------


@override_settings(DEBUG=True, ROOT_URLCONF=__name__, MINKA_DEBUG_REMOTE=False)
def test_with_debug_on_a_remote_request_gets_the_ordinary_error_page():
    remote = Client(raise_request_exception=False, REMOTE_ADDR=REMOTE)
    html = remote.get("/prueba/falla/").content.decode()
    assert "Algo falló en Minka" in html
    assert "the database went away" not in html and "Traceback" not in html
    # Asking for plain text does not get Django's text traceback either.
    text = remote.get("/prueba/falla/", HTTP_ACCEPT="text/plain")
    assert text.status_code == 500 and b"the database went away" not in text.content
    # The same error asked from the machine itself shows Django's page, for whoever runs Minka.
    local = Client(raise_request_exception=False, REMOTE_ADDR="127.0.0.1").get("/prueba/falla/")
    assert local.status_code == 500 and b"the database went away" in local.content


@override_settings(DEBUG=True, ROOT_URLCONF=__name__, MINKA_DEBUG_REMOTE=True)
def test_minka_debug_remote_shows_the_technical_page_to_any_address():
    remote = Client(raise_request_exception=False, REMOTE_ADDR=REMOTE).get("/prueba/falla/")
    assert b"the database went away" in remote.content


@override_settings(DEBUG=True, ALLOWED_HOSTS=["minka.example"], MINKA_DEBUG_REMOTE=False)
def test_with_debug_on_a_remote_request_for_another_host_shows_no_settings():
    response = Client(REMOTE_ADDR=REMOTE).get("/", HTTP_HOST="otro.example")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Minka no entendió el pedido" in html
    assert "ALLOWED_HOSTS" not in html and "DisallowedHost" not in html


@override_settings(ROOT_URLCONF=__name__, DEBUG=True, MINKA_DEBUG_REMOTE=False)
def test_behind_a_local_proxy_the_forwarded_client_is_what_counts(settings):
    settings.MINKA_TRUSTED_PROXIES = ["127.0.0.1"]
    proxy = Client(raise_request_exception=False, REMOTE_ADDR="127.0.0.1")
    response = proxy.get("/prueba/falla/", HTTP_X_FORWARDED_FOR=REMOTE)
    assert response.status_code == 500 and b"the database went away" not in response.content
    # A page asked through the proxy from the machine itself still shows the traceback.
    response = proxy.get("/prueba/falla/", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert b"the database went away" in response.content


# --- Production secrets --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "",
        "corta-pero-aleatoria-7Qp2!vR9",
        "django-insecure-" + "k7#Qp2!vR9zL0mX4wB8nT6yH3jF1cD5sG" * 2,
        "ab" * 40,
        "0123456789" * 6,
    ],
)
def test_a_weak_secret_is_refused(key):
    assert weak_secret(key)


def test_a_random_secret_is_accepted():
    import secrets

    assert weak_secret(secrets.token_urlsafe(50)) == ""
