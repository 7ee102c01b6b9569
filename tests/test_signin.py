"""Sign-in: failed attempts lock a username from one address and an address across usernames, never a
username from everywhere; the address is the peer's unless a trusted proxy forwarded the request."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.conftest import current_code, verified_device
from toolkit.roles import TREASURER
from toolkit.signin import client_address

PASSWORD = "clave-de-prueba-123"


def sign_in(client, username, password="equivocada", **meta):
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_many_usernames_from_one_address_are_refused(settings, make_user):
    settings.MINKA_ADDRESS_FAILURE_LIMIT = 20
    make_user(TREASURER, username="tesorero")
    client = Client(REMOTE_ADDR="203.0.113.7")
    # Two wrong passwords on each of ten usernames: no username comes near its own limit of 5, but the
    # twentieth failure from the address locks it.
    for n in range(19):
        assert sign_in(client, f"socio{n // 2}").status_code == 200
    assert sign_in(client, "socio9").status_code == 429
    # Then even a right password is refused from there.
    response = sign_in(client, "tesorero", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    page = response.content.decode()
    assert "bloqueado" in page
    assert "Espere 15 minutos" in page
    # Another address is not held back by it.
    other = Client(REMOTE_ADDR="198.51.100.20")
    assert sign_in(other, "tesorero", PASSWORD).status_code == 302
    assert signed_in(other)


@pytest.mark.django_db
def test_a_username_locked_from_one_address_signs_in_from_another(make_user):
    make_user(TREASURER, username="tesorero")
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(5):
        sign_in(attacker, "tesorero")
    locked = sign_in(attacker, "tesorero", PASSWORD)
    assert locked.status_code == 429
    assert "Espere 15 minutos" in locked.content.decode()
    treasurer = Client(REMOTE_ADDR="198.51.100.20")
    assert sign_in(treasurer, "tesorero", PASSWORD).status_code == 302
    assert signed_in(treasurer)


@pytest.mark.django_db
def test_behind_a_trusted_proxy_each_client_is_counted_apart(settings, make_user):
    settings.MINKA_TRUSTED_PROXIES = ["10.0.0.0/8"]
    make_user(TREASURER, username="tesorero")
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    for _ in range(5):
        sign_in(proxy, "tesorero", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert sign_in(proxy, "tesorero", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    # The treasurer comes through the same proxy from her own address.
    response = sign_in(proxy, "tesorero", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert response.status_code == 302
    assert signed_in(proxy)


@pytest.mark.django_db
def test_a_forged_forwarded_header_from_an_untrusted_peer_changes_nothing(settings, make_user):
    settings.MINKA_TRUSTED_PROXIES = ["10.0.0.2"]
    make_user(TREASURER, username="tesorero")
    client = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(5):
        sign_in(client, "tesorero", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    # A new made-up address in the header does not start a new count: the peer is still locked.
    response = sign_in(client, "tesorero", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert response.status_code == 429
    assert not signed_in(client)


def test_client_address_reads_the_forwarded_header_only_from_trusted_proxies(settings):
    settings.MINKA_TRUSTED_PROXIES = ["10.0.0.0/8", "192.0.2.1"]
    factory = RequestFactory()

    def address(remote, forwarded=None):
        meta = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            meta["HTTP_X_FORWARDED_FOR"] = forwarded
        return client_address(factory.get("/", **meta))

    assert address("203.0.113.7", "1.2.3.4") == "203.0.113.7"
    assert address("10.0.0.2", "1.2.3.4") == "1.2.3.4"
    # The right-most untrusted hop: what the client wrote to the left of it is not believed.
    assert address("10.0.0.2", "6.6.6.6, 1.2.3.4, 192.0.2.1") == "1.2.3.4"
    assert address("10.0.0.2", "1.2.3.4:5678") == "1.2.3.4"
    assert address("10.0.0.2", "not-an-address") == "10.0.0.2"
    assert address("10.0.0.2") == "10.0.0.2"
    settings.MINKA_TRUSTED_PROXIES = []
    assert address("10.0.0.2", "1.2.3.4") == "10.0.0.2"


# --- Sessions ------------------------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    """Minka's session clock, moved by hand."""
    from toolkit import sessions

    state = {"now": 1_800_000_000.0}
    monkeypatch.setattr(sessions, "now", lambda: state["now"])

    def advance(minutes):
        state["now"] += minutes * 60

    return advance


@pytest.mark.django_db
def test_the_session_cookie_ends_with_the_browser(client, make_user):
    make_user(TREASURER, username="tesorero")
    sign_in(client, "tesorero", PASSWORD)
    cookie = client.cookies["sessionid"]
    assert not cookie["expires"] and not cookie["max-age"]


@pytest.mark.django_db
def test_a_session_unused_for_30_minutes_is_closed(client, make_user, clock):
    treasurer = make_user(TREASURER, username="tesorero")
    assert sign_in(client, "tesorero", PASSWORD).status_code == 302
    # The treasurer's second step: the code of her authenticator (tests/test_two_factor.py).
    code = current_code(verified_device(treasurer))
    assert client.post(reverse("two_factor_verify"), {"code": code}).status_code == 302
    home = reverse("home")
    assert client.get(home).status_code == 200
    clock(29)
    assert client.get(home).status_code == 200  # in use: the half hour starts again
    clock(29)
    assert client.get(home).status_code == 200
    clock(31)
    response = client.get(home)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not signed_in(client)
    page = client.get(response["Location"]).content.decode()
    assert "Su sesión se cerró tras 30 minutos sin uso" in page
    # Signing in again brings the person back where they were.
    response = client.post(reverse("login"), {"username": "tesorero", "password": PASSWORD, "next": home})
    assert response.status_code == 302 and response["Location"] == home


@pytest.mark.django_db
def test_the_idle_time_is_a_setting(client, make_user, clock, settings):
    settings.MINKA_IDLE_MINUTES = 5
    make_user(TREASURER, username="tesorero")
    sign_in(client, "tesorero", PASSWORD)
    clock(6)
    response = client.get(reverse("home"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("login"))
    assert not signed_in(client)
