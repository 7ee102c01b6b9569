"""/salud/ tells a monitor whether Minka can work (database, task worker, disk), and `manage.py serve`
starts gunicorn only when told which environment it runs in."""

import datetime
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from config.management.commands.serve import MAX_WORKERS, default_workers

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db


def waiting_task(*, minutes_ago: int, status: str = "READY", started_minutes_ago: int | None = None):
    task = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="certification.printing.print_statements",
        backend_name="default",
        run_after=datetime.datetime(9999, 1, 1, tzinfo=datetime.UTC),
        status=status,
        started_at=timezone.now() - datetime.timedelta(minutes=started_minutes_ago)
        if started_minutes_ago is not None
        else None,
    )
    # enqueued_at is auto_now_add: moved back by an update, as time passing would.
    DBTaskResult.objects.filter(pk=task.pk).update(
        enqueued_at=timezone.now() - datetime.timedelta(minutes=minutes_ago)
    )
    return task


def test_health_is_public_json_and_200_when_all_is_well(client):
    response = client.get("/salud/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True}
    assert body["tasks"]["ok"] and body["tasks"]["waiting"] == 0
    assert body["disk"]["ok"] and body["disk"]["free_mb"] > 0
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_health_says_nothing_secret(client, settings):
    text = client.get("/salud/").content.decode()
    for secret in (settings.SECRET_KEY, str(settings.VAR_DIR), settings.DATABASES["default"]["NAME"]):
        assert str(secret) not in text


def test_a_task_waiting_while_no_worker_runs_makes_it_503(client, settings):
    settings.MINKA_HEALTH_TASK_WAIT_MINUTES = 15
    waiting_task(minutes_ago=40)
    response = client.get("/salud/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fallo" and body["database"]["ok"] and not body["tasks"]["ok"]
    assert body["tasks"]["waiting"] == 1 and body["tasks"]["oldest_waiting_seconds"] >= 40 * 60
    assert "db_worker" in body["tasks"]["message"] and "40 minutos" in body["tasks"]["message"]


def test_a_long_queue_is_healthy_while_a_worker_keeps_taking_tasks(client, settings):
    settings.MINKA_HEALTH_TASK_WAIT_MINUTES = 15
    waiting_task(minutes_ago=40)  # a print run of thousands: the last chunk waits its turn
    waiting_task(minutes_ago=41, status="RUNNING", started_minutes_ago=1)
    response = client.get("/salud/")
    assert response.status_code == 200, response.json()
    assert response.json()["tasks"]["last_activity_seconds"] < 15 * 60


def test_a_task_waiting_a_few_minutes_is_healthy(client, settings):
    settings.MINKA_HEALTH_TASK_WAIT_MINUTES = 15
    waiting_task(minutes_ago=3)
    assert client.get("/salud/").status_code == 200


def test_too_little_disk_makes_it_503(client, settings):
    settings.MINKA_HEALTH_MIN_FREE_MB = 10**12  # a million terabytes: no disk has that free
    response = client.get("/salud/")
    assert response.status_code == 503
    assert not response.json()["disk"]["ok"] and "MB libres" in response.json()["disk"]["message"]


def test_a_database_that_does_not_answer_makes_it_503(client):
    with mock.patch.object(connections["default"], "cursor", side_effect=OperationalError("servidor caído")):
        response = client.get("/salud/")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == {"ok": False, "message": "La base de datos no responde."}
    assert not body["tasks"]["ok"]
    assert "servidor caído" not in response.content.decode()


def test_serve_refuses_to_start_without_minka_env(monkeypatch):
    monkeypatch.delenv("MINKA_ENV", raising=False)
    with mock.patch("os.execv") as execv, pytest.raises(CommandError, match="serve no arranca sin MINKA_ENV"):
        call_command("serve", stdout=StringIO())
    execv.assert_not_called()


def test_serve_refuses_to_start_in_production_without_collected_static_files(monkeypatch, settings, tmp_path):
    monkeypatch.setenv("MINKA_ENV", "production")
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path / "static"
    with mock.patch("os.execv") as execv, pytest.raises(CommandError, match="collectstatic"):
        call_command("serve", stdout=StringIO())
    execv.assert_not_called()


def test_workers_follow_the_cores_within_a_cap(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    assert default_workers() == 5
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)))
    assert default_workers() == MAX_WORKERS


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (a local http URL)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_serve_starts_gunicorn_that_answers_health_and_stops_on_sigterm(tmp_path):
    """Production settings (the SSL redirect spares /salud/), a migrated SQLite file of its own, and a
    static manifest put in place: /salud/ renders no static file, and collecting them takes a minute."""
    var_dir = tmp_path / "var"
    (var_dir / "static").mkdir(parents=True)
    (var_dir / "static" / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'minka.sqlite3'}",
        MINKA_VAR_DIR=str(var_dir),
        MINKA_ENV="production",
        SECRET_KEY="k" + "".join(chr(ord("a") + i % 26) + str(i) for i in range(40)),
        ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    env.pop("DEBUG", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        answer = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                answer = get(f"http://127.0.0.1:{port}/salud/")
                break
            except (ConnectionError, urllib.error.URLError, OSError):
                time.sleep(0.5)
        assert answer is not None, (
            f"gunicorn never answered:\n{server.stdout.read() if server.poll() else ''}"
        )
        status, body = answer
        assert status == 200, body
        assert body["status"] == "ok" and body["database"]["ok"] and body["tasks"]["ok"]
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            output, _ = server.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            output, _ = server.communicate()
    assert server.returncode == 0, output
    assert "Minka (production) con gunicorn" in output
    assert "Booting worker" in output and "Shutting down: Master" in output
    assert 'GET /salud/ HTTP/1.1" 200' in output
