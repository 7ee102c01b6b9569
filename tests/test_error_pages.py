"""The pages a person meets when something goes wrong: a missing page, a refusal, a stale form, a server
error, a bad request. Each is in Spanish, in Minka's look, and offers a way on; the 404 is Minka's page
with DEBUG on too. The browser's icon is served.

This module is also the URLconf of the server-error tests: Minka's own URLs and error handlers, plus
one URL whose view fails.
"""

import re

import pytest
from django.contrib.staticfiles import finders
from django.db import DatabaseError
from django.test import Client, override_settings
from django.urls import path, reverse

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401 (this URLconf's)
from config.urls import urlpatterns as minka_urlpatterns
from toolkit.roles import CLERK


def broken_view(request):
    raise DatabaseError("the database went away")


urlpatterns = [path("prueba/falla/", broken_view), *minka_urlpatterns]


def page_of(response) -> str:
    return response.content.decode()


def assert_spanish_minka_page(response):
    html = page_of(response)
    assert re.search(r'<html lang="es"', html), "the page is not in Spanish"
    assert 'rel="icon"' in html, "the page has no icon"
    for english in ("Not Found", "Page not found", "Server Error", "Forbidden", "Bad Request", "Traceback"):
        assert english not in html, english
    return html


# --- Page not found ------------------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_a_missing_page_is_minkas_in_spanish_with_the_way_to_sign_in(client):
    response = client.get("/padron/esta-pagina-no-existe/")
    assert response.status_code == 404
    html = assert_spanish_minka_page(response)
    assert "Página no encontrada" in html
    assert "puede estar mal escrita" in html
    assert f'href="{reverse("login")}"' in html and "Ingresar a Minka" in html
    assert f'href="{reverse("paper_verify")}"' in html


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_a_signed_in_person_gets_the_menu_and_the_way_home(role_clients):
    response = role_clients[CLERK].get(reverse("acopio:delivery_detail", args=["C01-999999"]))
    assert response.status_code == 404
    html = assert_spanish_minka_page(response)
    assert "Página no encontrada" in html
    assert "Ir al inicio" in html and "Registrar entrega" in html  # the menu of the clerk's pages
    assert "Ingresar a Minka" not in html


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_with_debug_on_a_missing_page_is_still_minkas_not_djangos(role_clients):
    for response in (
        Client().get("/no-hay-nada-aqui/"),  # no URL matches
        role_clients[CLERK].get(reverse("acopio:delivery_detail", args=["C01-999999"])),  # the view: Http404
    ):
        assert response.status_code == 404
        html = assert_spanish_minka_page(response)
        assert "Página no encontrada" in html
        assert "URLconf" not in html and "DEBUG = True" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True])
def test_a_missing_final_slash_is_still_added(client, debug):
    with override_settings(DEBUG=debug):
        response = client.get("/verificar")
    assert response.status_code == 301
    assert response["Location"] == reverse("paper_verify")


# --- Refusals ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_role_that_may_not_open_a_page_gets_the_spanish_refusal_with_the_way_home(role_clients):
    response = role_clients[CLERK].get(reverse("coop:register_import"))
    assert response.status_code == 403
    html = assert_spanish_minka_page(response)
    assert "Acceso denegado" in html and "Su rol no permite abrir esta página" in html
    assert "pida al administrador de Minka que le dé el rol" in html
    assert "Volver al inicio" in html


@pytest.mark.django_db
def test_a_stale_form_is_refused_in_spanish_saying_nothing_was_saved(make_user):
    make_user(CLERK, username="acopiadora")
    response = Client(enforce_csrf_checks=True).post(
        reverse("login"), {"username": "acopiadora", "password": "clave-de-prueba-123"}
    )
    assert response.status_code == 403
    html = assert_spanish_minka_page(response)
    assert "Formulario vencido" in html and "No se guardó nada" in html
    assert "CSRF" not in html
    assert "Ingresar a Minka" in html


# --- Server error and bad request: pages that need neither the database nor the request's context ----


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_a_server_error_is_the_spanish_page_and_needs_no_database():
    # No django_db mark: had the page asked the database for anything, pytest-django would fail it.
    response = Client(raise_request_exception=False).get("/prueba/falla/")
    assert response.status_code == 500
    html = assert_spanish_minka_page(response)
    assert "Algo falló en Minka" in html and "No es un error suyo" in html
    assert "avise al administrador" in html
    assert f'href="{reverse("home")}"' in html and "Ir al inicio" in html
    assert "the database went away" not in html


@override_settings(DEBUG=False, ALLOWED_HOSTS=["minka.example"])
def test_a_request_for_another_host_gets_the_spanish_bad_request_page():
    response = Client().get("/", HTTP_HOST="otro.example")
    assert response.status_code == 400
    html = assert_spanish_minka_page(response)
    assert "Minka no entendió el pedido" in html and "Ir al inicio" in html


# --- The icon ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_page_names_the_icon_and_favicon_ico_leads_to_it(client):
    login = page_of(client.get(reverse("login")))
    assert re.search(r'<link rel="icon" type="image/svg\+xml" href="/static/favicon\.svg">', login)
    assert finders.find("favicon.svg"), "static/favicon.svg is missing"

    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.svg"
