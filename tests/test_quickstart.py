"""quickstart: one command gives a demo site with a login per role, and a second run changes nothing."""

import re
import stat
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from config.management.commands import quickstart
from coop.models import Member, MemberStatusChange, Plot
from toolkit.roles import ADMINISTRATOR, BOARD, CERTIFIER, CLERK, OVERSIGHT, TREASURER

pytestmark = pytest.mark.django_db

EXPECTED_ROLES = {
    "admin": ADMINISTRATOR,
    "acopiador": CLERK,
    "consejo": BOARD,
    "tesorero": TREASURER,
    "vigilancia": OVERSIGHT,
    "certificador": CERTIFIER,
}


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    """Logins file and static files go to a temporary directory, never the repository's var/."""
    settings.VAR_DIR = tmp_path
    settings.STATIC_ROOT = tmp_path / "static"
    return tmp_path


def run(*args) -> str:
    out = StringIO()
    call_command("quickstart", "--no-serve", "--members", "12", *args, stdout=out)
    return out.getvalue()


def printed_passwords(output: str) -> dict[str, str]:
    rows = re.findall(r"^(\w+)\s{2,}.+?\s{2,}(\S+)$", output, flags=re.MULTILINE)
    return {user: password for user, password in rows if user in EXPECTED_ROLES}


def counts() -> dict[str, int]:
    user_model = get_user_model()
    return {
        "users": user_model.objects.count(),
        "members": Member.objects.count(),
        "plots": Plot.objects.count(),
        "changes": MemberStatusChange.objects.count(),
        "member_history": Member.history.count(),
    }


def test_creates_one_login_per_role_that_can_sign_in(var_dir):
    output = run()
    passwords = printed_passwords(output)
    assert set(passwords) == set(EXPECTED_ROLES)
    assert "http://127.0.0.1:8000/" in output
    assert Member.objects.count() == 12
    user_model = get_user_model()
    for username, role in EXPECTED_ROLES.items():
        user = user_model.objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert user.is_staff == (role == ADMINISTRATOR)
        client = Client()
        response = client.post(reverse("login"), {"username": username, "password": passwords[username]})
        assert response.status_code == 302, f"{username} could not sign in"
        assert client.session["_auth_user_id"] == str(user.pk)


def test_passwords_are_kept_private_in_the_var_dir(var_dir):
    passwords = printed_passwords(run())
    logins = var_dir / quickstart.LOGINS_FILE
    assert stat.S_IMODE(logins.stat().st_mode) == 0o600
    text = logins.read_text()
    assert all(f"{user}\t{password}" in text for user, password in passwords.items())


def test_second_run_prints_the_same_passwords_and_changes_nothing():
    first = printed_passwords(run())
    before = counts()
    second_output = run()
    assert printed_passwords(second_output) == first
    assert counts() == before
    assert "ya estaba cargada" in second_output


def test_saved_passwords_are_reused_when_the_logins_are_missing():
    first = printed_passwords(run())
    # The board and treasurer logins signed the demo's spending, so the ledger keeps them.
    signers = {"consejo", "tesorero"}
    get_user_model().objects.filter(username__in=set(EXPECTED_ROLES) - signers).delete()
    assert printed_passwords(run()) == first
    client = Client()
    response = client.post(reverse("login"), {"username": "vigilancia", "password": first["vigilancia"]})
    assert response.status_code == 302


def test_an_existing_user_is_left_alone(var_dir):
    user_model = get_user_model()
    user_model.objects.create_user(username="admin", password="clave-propia-del-admin")
    output = run()
    assert "ya existía" in output
    admin = user_model.objects.get(username="admin")
    assert admin.check_password("clave-propia-del-admin")
    assert not admin.groups.exists()
    assert "admin\t" not in (var_dir / quickstart.LOGINS_FILE).read_text()


def test_refuses_in_production(settings, var_dir):
    settings.MINKA_ENV = "production"
    with pytest.raises(CommandError, match="MINKA_ENV=production"):
        run()
    assert not (var_dir / quickstart.LOGINS_FILE).exists()
    assert counts()["members"] == 0


def test_serves_on_localhost_without_reloader_unless_told_not_to(monkeypatch):
    served = []
    real_call_command = quickstart.call_command

    def fake_call_command(name, *args, **kwargs):
        if name == "runserver":
            served.append((args, kwargs))
            return None
        return real_call_command(name, *args, **kwargs)

    monkeypatch.setattr(quickstart, "call_command", fake_call_command)
    call_command("quickstart", "--members", "3", stdout=StringIO())
    assert served == [(("127.0.0.1:8000",), {"use_reloader": False})]


def test_without_serving_it_does_not_claim_minka_is_serving(var_dir):
    output = run()
    assert "Minka está listo en" not in output
    assert "python manage.py runserver 127.0.0.1:8000" in output
