"""The admin has no password door of its own (issue 16): ``/admin/login/`` sends everyone to Minka's
sign-in, with its throttling and its second step, and a password posted to it signs no one in."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import current_code, verified_device
from toolkit.roles import ADMINISTRATOR

pytestmark = pytest.mark.django_db
PASSWORD = "clave-de-prueba-123"
ADMIN_LOGIN = "/admin/login/"


def _goes_to_minka_sign_in(response, next_url: str) -> None:
    assert response.status_code == 302, response.status_code
    location = urlsplit(response["Location"])
    assert location.path == reverse("login")
    assert parse_qs(location.query)["next"] == [next_url]


def test_the_admin_sign_in_page_sends_to_minkas_sign_in():
    client = Client()
    _goes_to_minka_sign_in(client.get(ADMIN_LOGIN + "?next=/admin/coop/member/"), "/admin/coop/member/")
    # Without a next, or with one pointing elsewhere, back to the admin's index.
    _goes_to_minka_sign_in(client.get(ADMIN_LOGIN), "/admin/")
    _goes_to_minka_sign_in(client.get(ADMIN_LOGIN + "?next=https://malo.example/"), "/admin/")
    # An admin page opened without signing in ends on Minka's sign-in, never on a form of the admin's.
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login") + "?")
    assert b"id_password" in response.content and b"Django" not in response.content


def test_a_password_posted_to_the_admin_signs_no_one_in(make_user):
    make_user(ADMINISTRATOR, username="admin_puerta")
    client = Client()
    response = client.post(ADMIN_LOGIN, {"username": "admin_puerta", "password": PASSWORD, "next": "/admin/"})
    _goes_to_minka_sign_in(response, "/admin/")
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_guessing_at_the_admin_door_is_not_a_way_around_the_throttle(make_user):
    """Wrong passwords posted to /admin/login/ are not even read; the throttled door is the only one."""
    make_user(ADMINISTRATOR, username="admin_adivinado")
    client = Client()
    for attempt in range(20):
        response = client.post(ADMIN_LOGIN, {"username": "admin_adivinado", "password": f"mala-{attempt}"})
        assert response.status_code == 302 and urlsplit(response["Location"]).path == reverse("login")
    # The real password at Minka's door still works: no attempt at the admin's counted or locked anything.
    response = client.post(reverse("login"), {"username": "admin_adivinado", "password": PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_an_administrator_reaches_the_admin_after_both_steps(make_user):
    admin = make_user(ADMINISTRATOR, username="admin_dos_pasos")
    device = verified_device(admin)
    client = Client()
    response = client.post(
        reverse("login") + "?next=/admin/", {"username": admin.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    # The password alone is a first step: the admin is behind the second one.
    blocked = client.get("/admin/")
    assert blocked.status_code == 302 and reverse("two_factor_verify") in blocked["Location"]
    verified = client.post(reverse("two_factor_verify"), {"code": current_code(device), "next": "/admin/"})
    assert verified.status_code == 302
    assert client.get("/admin/").status_code == 200
    # Signed in, the admin's sign-in page sends the administrator on to where they were going.
    response = client.get(ADMIN_LOGIN + "?next=/admin/coop/member/")
    assert response.status_code == 302 and response["Location"] == "/admin/coop/member/"
