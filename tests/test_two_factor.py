"""Two-step sign-in (issue 16): administration, board and treasury type a code from their phone after the
password; recovery codes; throttling; the administrator's reset; other roles are never asked."""

import os
import re
import subprocess
import sys
from base64 import b32decode
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from config.checks import two_factor_in_production
from fund.models import Spending, SpendingApproval
from tests.conftest import current_code, verified_device
from tests.ledger.factories import fund_with_soles
from tests.ledger.test_premium_fund import authorized_line, spend
from toolkit.roles import ADMINISTRATOR, BOARD, CERTIFIER, CLERK, OVERSIGHT, TREASURER

pytestmark = pytest.mark.django_db
PASSWORD = "clave-de-prueba-123"


def password_only(user, **extra) -> Client:
    """A browser that signed in with the password, the first step only."""
    client = Client(**extra)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)
    return client


def code_now(key: bytes) -> str:
    return f"{totp(key):06d}"


def wrong_code(device) -> str:
    right = {f"{totp(device.bin_key, drift=d):06d}" for d in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


def enrol(client) -> list[str]:
    """Set up the authenticator from what the enrolment page shows, as a person with a phone does;
    return the recovery codes shown once, after saying they were saved."""
    page = client.get(reverse("two_factor_enrol") + "?next=/").content.decode()
    secret = re.search(r'id="secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    confirmed = client.post(reverse("two_factor_enrol"), {"code": code_now(key), "next": "/"})
    assert confirmed.status_code == 302 and confirmed["Location"].startswith(reverse("two_factor_codes"))
    shown = client.get(confirmed["Location"]).content.decode()
    codes = re.findall(r'<span class="code">([a-z2-7]{4}-[a-z2-7]{4})</span>', shown)
    saved = client.post(reverse("two_factor_codes"), {"saved": "1", "next": "/"})
    assert saved.status_code == 302 and saved["Location"] == "/"
    return codes


def test_first_sign_in_enrols_with_a_qr_code_and_a_real_code(make_user):
    treasurer = make_user(TREASURER, username="tesorera")
    client = password_only(treasurer)
    # Any page sends her to set up the authenticator first, coming back where she was going.
    response = client.get(reverse("fund:fund_overview"))
    assert response.status_code == 302
    assert response["Location"] == reverse("two_factor_enrol") + "?next=%2Ffondo-prima%2F"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "Google Authenticator" in html
    # The QR code is drawn here, inline: no image fetched from anywhere, no script.
    assert re.search(r'<div class="qr" id="qr"><svg[^>]*>', html) and "<script" not in html.split("<main")[1]
    device = TOTPDevice.objects.get(user=treasurer)
    assert not device.confirmed
    # The key shown as text is the device's key: the secret typed by hand gives the same codes.
    secret = re.search(r'id="secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    assert b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key
    # Reloading keeps the same key (the phone may have scanned it already).
    assert secret in client.get(response["Location"]).content.decode().replace(" ", "")

    refused = client.post(reverse("two_factor_enrol"), {"code": wrong_code(device), "next": "/fondo-prima/"})
    assert refused.status_code == 200 and "El código no coincide" in refused.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    device.throttle_reset()

    done = client.post(reverse("two_factor_enrol"), {"code": current_code(device), "next": "/fondo-prima/"})
    assert done.status_code == 302
    assert done["Location"] == reverse("two_factor_codes") + "?next=%2Ffondo-prima%2F"
    device.refresh_from_db()
    assert device.confirmed
    shown = client.get(done["Location"]).content.decode()
    codes = re.findall(r'<span class="code">([a-z2-7]{4}-[a-z2-7]{4})</span>', shown)
    assert len(set(codes)) == 10 and "no los volverá a mostrar" in shown
    # Until she says she saved them, every page brings her back to them.
    assert client.get(reverse("home"))["Location"].startswith(reverse("two_factor_codes"))
    saved = client.post(reverse("two_factor_codes"), {"saved": "1", "next": "/fondo-prima/"})
    assert saved["Location"] == "/fondo-prima/"
    assert client.get(reverse("fund:fund_overview")).status_code == 200
    # Shown once: the page of codes has nothing more to show.
    assert client.get(reverse("two_factor_codes")).status_code == 302
    assert '<span class="code">' not in client.get(reverse("two_factor")).content.decode()


def test_a_signed_in_user_with_an_authenticator_types_its_code_and_a_wrong_one_is_refused(make_user):
    board = make_user(BOARD, username="presidente")
    device = verified_device(board)
    client = password_only(board)
    sent = client.get(reverse("assemblies:assembly_list"))
    assert sent["Location"] == reverse("two_factor_verify") + "?next=%2Fasambleas%2F"
    refused = client.post(reverse("two_factor_verify"), {"code": wrong_code(device), "next": "/asambleas/"})
    assert refused.status_code == 200 and "Código incorrecto" in refused.content.decode()
    assert client.get(reverse("assemblies:assembly_list")).status_code == 302
    device.refresh_from_db()
    device.throttle_reset()
    passed = client.post(reverse("two_factor_verify"), {"code": current_code(device), "next": "/asambleas/"})
    assert passed["Location"] == "/asambleas/"
    assert client.get(reverse("assemblies:assembly_list")).status_code == 200
    # The same code again, in another browser, is refused: a code works once.
    other = password_only(board)
    again = other.post(reverse("two_factor_verify"), {"code": current_code(device), "next": "/"})
    assert again.status_code == 200 and other.get(reverse("home")).status_code == 302


def test_wrong_codes_lock_the_next_tries_for_a_while_even_the_right_code(make_user):
    admin = make_user(ADMINISTRATOR, username="gerente")
    device = verified_device(admin)
    client = password_only(admin)
    client.post(reverse("two_factor_verify"), {"code": wrong_code(device)})
    client.post(reverse("two_factor_verify"), {"code": wrong_code(device)})  # still within the first wait
    device.refresh_from_db()
    device.throttling_failure_count = 5  # five wrong codes in a row: 16 seconds
    device.throttling_failure_timestamp = timezone.now()
    device.save()
    locked = client.post(reverse("two_factor_verify"), {"code": current_code(device)})
    html = locked.content.decode()
    assert locked.status_code == 429 and "Demasiados códigos equivocados" in html
    assert re.search(r"Espere 1[0-7] segundos", html)
    assert client.get(reverse("home")).status_code == 302
    # A recovery code is refused too while the authenticator is locked.
    StaticDevice.objects.create(user=admin, name="recuperación").token_set.create(token="abcdefgh")
    assert client.post(reverse("two_factor_verify"), {"code": "abcd-efgh"}).status_code == 429
    assert StaticToken.objects.filter(token="abcdefgh").exists()
    # Once the wait is over the right code is taken.
    device.refresh_from_db()
    device.throttling_failure_timestamp = timezone.now() - timedelta(seconds=17)
    device.save()
    assert client.post(reverse("two_factor_verify"), {"code": current_code(device)}).status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_a_recovery_code_signs_in_once(make_user):
    treasurer = make_user(TREASURER, username="tesorera")
    codes = enrol(password_only(treasurer))
    assert len(codes) == 10
    client = password_only(treasurer)
    used = client.post(reverse("two_factor_verify"), {"code": codes[3].upper(), "next": "/"}, follow=True)
    html = used.content.decode()
    assert used.status_code == 200 and "Le quedan 9" in html
    assert client.get(reverse("home")).status_code == 200
    assert StaticToken.objects.filter(device__user=treasurer).count() == 9
    again = password_only(treasurer)
    refused = again.post(reverse("two_factor_verify"), {"code": codes[3], "next": "/"})
    assert refused.status_code == 200 and "Código incorrecto o ya usado" in refused.content.decode()
    assert again.get(reverse("home")).status_code == 302


def test_new_recovery_codes_replace_the_old_ones(make_user):
    board = make_user(BOARD, username="presidente")
    old = enrol(password_only(board))
    client = Client()
    client.force_login(board)
    page = client.get(reverse("two_factor")).content.decode()
    assert "Le quedan 10 códigos de recuperación" in page
    response = client.post(reverse("two_factor"))
    shown = client.get(response["Location"]).content.decode()
    new = re.findall(r'<span class="code">([a-z2-7]{4}-[a-z2-7]{4})</span>', shown)
    assert len(new) == 10 and not set(new) & set(old)
    client.post(reverse("two_factor_codes"), {"saved": "1"})
    other = password_only(board)
    assert other.post(reverse("two_factor_verify"), {"code": old[0]}).status_code == 200
    assert other.get(reverse("home")).status_code == 302
    # A wrong code just counted: wait it out, then a new code works.
    StaticDevice.objects.filter(user=board).update(throttling_failure_count=0)
    TOTPDevice.objects.filter(user=board).update(throttling_failure_count=0)
    assert other.post(reverse("two_factor_verify"), {"code": new[0]}).status_code == 302
    assert other.get(reverse("home")).status_code == 200


@pytest.mark.parametrize("role", [CLERK, OVERSIGHT, CERTIFIER])
def test_roles_that_sign_no_money_are_not_asked(make_user, role):
    user = make_user(role, username="sin_codigo")
    client = password_only(user)
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("coop:member_list")).status_code == 200
    assert client.get(reverse("two_factor_enrol")).status_code == 403
    assert not TOTPDevice.objects.exists()


def test_a_superuser_without_a_role_is_asked(django_user_model):
    root = django_user_model.objects.create_superuser(username="raiz", password=PASSWORD)
    client = password_only(root)
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("two_factor_enrol"))


def test_a_board_member_with_the_password_only_cannot_open_the_fund_or_sign(make_user):
    fund = fund_with_soles(make_user)
    spending = spend(fund, authorized_line(fund))
    verified_device(fund["board"])
    client = password_only(fund["board"])
    for url in (reverse("fund:fund_overview"), spending.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("two_factor_verify"))
    signed = client.post(reverse("fund:spending_approve", args=[spending.pk]), {"capacity": "board"})
    assert signed.status_code == 302 and signed["Location"] == reverse("two_factor_verify") + "?next=%2F"
    assert not SpendingApproval.objects.exists()
    assert Spending.objects.get().status == spending.status
    # htmx asks in place: the whole page goes to the code.
    piece = client.get(reverse("fund:fund_overview"), headers={"HX-Request": "true"})
    assert piece.status_code == 204 and piece["HX-Redirect"].startswith(reverse("two_factor_verify"))
    # With the code, the same signature goes through (the two-signature rule is unchanged).
    verified = Client()
    verified.force_login(fund["board"])
    verified.post(reverse("fund:spending_approve", args=[spending.pk]), {"capacity": "board"})
    assert SpendingApproval.objects.filter(user=fund["board"]).count() == 1


def test_public_pages_sign_out_and_the_booth_need_no_code(make_user):
    admin = make_user(ADMINISTRATOR, username="gerente")
    verified_device(admin)
    client = password_only(admin)
    assert client.get(reverse("paper_verify")).status_code == 200
    assert client.get(reverse("health")).status_code == 200
    assert client.get(reverse("login")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_administrator_resets_a_lost_phone_and_it_is_logged(make_user, django_user_model):
    admin = make_user(ADMINISTRATOR, username="gerente")
    treasurer = make_user(TREASURER, username="tesorera")
    enrol(password_only(treasurer))
    phone_lost = Client()
    phone_lost.force_login(treasurer)
    assert phone_lost.get(reverse("home")).status_code == 200
    office = Client()
    office.force_login(admin)
    listing = office.get(reverse("two_factor_users")).content.decode()
    assert "tesorera" in listing and "configurada el" in listing
    # Only administration resets.
    board = make_user(BOARD, username="presidente")
    other = Client()
    other.force_login(board)
    assert other.post(reverse("two_factor_users"), {"user": treasurer.pk}).status_code == 403
    assert TOTPDevice.objects.filter(user=treasurer, confirmed=True).exists()

    done = office.post(reverse("two_factor_users"), {"user": treasurer.pk}, follow=True)
    assert "Se restableció el ingreso en dos pasos de tesorera" in done.content.decode()
    assert not TOTPDevice.objects.filter(user=treasurer).exists()
    assert not StaticDevice.objects.filter(user=treasurer).exists()
    entry = LogEntry.objects.get(object_id=str(treasurer.pk))
    assert entry.user == admin and "Restableció el ingreso en dos pasos" in entry.get_change_message()
    # The session verified with the removed authenticator is verified no more: she sets up a new one.
    assert phone_lost.get(reverse("home"))["Location"].startswith(reverse("two_factor_enrol"))
    assert len(enrol(password_only(treasurer))) == 10
    # A superuser's second step is reset by a superuser only.
    root = django_user_model.objects.create_superuser(username="raiz", password=PASSWORD)
    verified_device(root)
    assert office.post(reverse("two_factor_users"), {"user": root.pk}).status_code == 403
    assert TOTPDevice.objects.filter(user=root).exists()


def test_switched_off_nobody_is_asked_and_the_sign_in_page_says_so(make_user, settings):
    settings.MINKA_TWO_FACTOR = False
    board = make_user(BOARD, username="presidente")
    verified_device(board)
    login = Client().get(reverse("login")).content.decode()
    assert "Ingreso en dos pasos desactivado en este servidor" in login
    assert password_only(board).get(reverse("fund:fund_overview")).status_code == 200
    settings.MINKA_TWO_FACTOR = True
    assert "desactivado" not in Client().get(reverse("login")).content.decode()


def test_check_deploy_warns_when_production_runs_without_it(settings):
    settings.PRODUCTION = True
    settings.MINKA_TWO_FACTOR = False
    assert [w.id for w in two_factor_in_production(None)] == ["minka.W001"]
    settings.MINKA_TWO_FACTOR = True
    assert two_factor_in_production(None) == []
    settings.PRODUCTION = False
    settings.MINKA_TWO_FACTOR = False
    assert two_factor_in_production(None) == []


def test_production_runs_with_it_unless_told_and_check_deploy_warns_then(tmp_path):
    from tests.test_settings import ROOT

    def check_deploy(**env_overrides):
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"SECRET_KEY", "MINKA_ENV", "DEBUG", "MINKA_TWO_FACTOR"}
        }
        env.update(
            {
                "MINKA_VAR_DIR": str(tmp_path),
                "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3",
                "MINKA_ENV": "production",
                "SECRET_KEY": "k7#Qp2!vR9zL0mX4wB8nT6yH3jF1cD5sG" * 2,
                "ALLOWED_HOSTS": "minka.example.org",
                **env_overrides,
            }
        )
        result = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        return result.stdout + result.stderr

    assert "minka.W001" not in check_deploy()
    assert "minka.W001" in check_deploy(MINKA_TWO_FACTOR="0")


def test_quickstart_demo_server_asks_no_code_and_says_so(settings, tmp_path, monkeypatch):
    from config.management.commands import quickstart

    settings.VAR_DIR = tmp_path
    settings.STATIC_ROOT = tmp_path / "static"
    settings.MINKA_TWO_FACTOR = True
    monkeypatch.delenv("MINKA_TWO_FACTOR", raising=False)
    seen = {}
    real_call_command = quickstart.call_command

    def call(name, *args, **kwargs):
        if name == "runserver":  # instead of serving: what the server would run with
            seen["two_factor"] = settings.MINKA_TWO_FACTOR
            return None
        return real_call_command(name, *args, **kwargs)

    monkeypatch.setattr(quickstart, "call_command", call)
    monkeypatch.setattr(quickstart, "check_port_free", lambda port: None)
    monkeypatch.setattr(quickstart, "start_worker", lambda: None)
    monkeypatch.setattr(quickstart, "stop_worker", lambda worker: None)
    out = StringIO()
    call_command("quickstart", "--members", "12", "--port", "8765", stdout=out)
    assert seen == {"two_factor": False}
    output = out.getvalue()
    assert "Ingreso en dos pasos desactivado en esta demostración" in output
    # The treasurer's printed password opens the fund at once.
    password = re.search(r"^tesorero\s{2,}.+?\s{2,}(\S+)$", output, flags=re.MULTILINE).group(1)
    client = Client()
    client.post(reverse("login"), {"username": "tesorero", "password": password})
    assert client.get(reverse("fund:fund_overview")).status_code == 200
    assert (
        "Ingreso en dos pasos desactivado en este servidor" in Client().get(reverse("login")).content.decode()
    )
