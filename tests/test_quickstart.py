"""quickstart: one command gives a demo site with a login per role, and a second run changes nothing."""

import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

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
    port = free_port()
    call_command("quickstart", "--members", "3", "--port", str(port), stdout=StringIO())
    assert served == [((f"127.0.0.1:{port}",), {"use_reloader": False})]


def test_without_serving_it_does_not_claim_minka_is_serving(var_dir):
    output = run()
    assert "Minka está listo en" not in output
    assert "python manage.py runserver 127.0.0.1:8000" in output


def test_without_serving_the_message_names_the_chosen_port(var_dir):
    output = run("--port", "8123")
    assert "python manage.py runserver 127.0.0.1:8123" in output
    assert "http://127.0.0.1:8123/" in output


# --- Serving for real: quickstart in its own process, as a person runs it ----------------------

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def prepared_var(tmp_path_factory):
    """A var directory (SQLite, whatever DATABASE_URL says) where quickstart has loaded a small demo,
    so each test below only starts serving."""
    var = tmp_path_factory.mktemp("quickstart_var")
    env = quickstart_env(var)
    done = subprocess.run(
        [sys.executable, "manage.py", "quickstart", "--no-serve", "--members", "3"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return var


def quickstart_env(var: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    return env | {"MINKA_VAR_DIR": str(var), "MINKA_ENV": "development", "PYTHONUNBUFFERED": "1"}


def processes() -> dict[int, tuple[int, int, str]]:
    """Every live process: pid -> (parent pid, process group, state)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat_line = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat_line.rsplit(")", 1)[1].split()
        found[int(entry.name)] = (int(fields[1]), int(fields[2]), fields[0])
    return found


def wait_until_serving(port: int, server: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, server.communicate()
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError("quickstart did not start serving")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_stopping_quickstart_leaves_no_worker_behind(prepared_var, stop_signal):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "quickstart", "--members", "3", "--port", str(port)],
        cwd=ROOT,
        env=quickstart_env(prepared_var),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_serving(port, server)
        children = [pid for pid, (ppid, _group, _state) in processes().items() if ppid == server.pid]
        assert children, "quickstart started no background worker"
        groups = {processes()[pid][1] for pid in children}
        assert server.pid not in groups  # the worker has a process group of its own
        server.send_signal(stop_signal)
        out, err = server.communicate(timeout=180)
    finally:
        if server.poll() is None:
            server.kill()
    assert f"Minka está listo en http://127.0.0.1:{port}/" in out
    left = [
        pid
        for pid, (_ppid, group, state) in processes().items()
        if (pid in children or group in groups) and state != "Z"
    ]
    assert left == [], f"worker processes still running after {stop_signal.name}: {left}\n{err}"
    assert server.returncode == 0, err


def test_a_port_in_use_is_refused_in_spanish_before_anything_is_done(prepared_var):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "manage.py", "quickstart", "--members", "3", "--port", str(port)],
            cwd=ROOT,
            env=quickstart_env(prepared_var),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 1
    assert f"El puerto {port} ya está en uso" in done.stderr
    assert f"--port {port + 1}" in done.stderr
    assert "Preparando la base de datos" not in done.stdout  # refused before the long preparation
    assert "Traceback" not in done.stderr
    assert time.monotonic() - started < 60


def test_a_port_that_does_not_exist_is_refused(var_dir):
    with pytest.raises(CommandError, match="El puerto 70000 no existe"):
        call_command("quickstart", "--port", "70000", stdout=StringIO())
