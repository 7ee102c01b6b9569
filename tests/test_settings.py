"""Settings come from the environment; production refuses to start without a real secret."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_check(env_overrides: dict, tmp_path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "MINKA_ENV", "DEBUG"}}
    env.update({"MINKA_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"})
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_secret_refuses_to_start(tmp_path):
    result = run_check({"MINKA_ENV": "production", "ALLOWED_HOSTS": "minka.example.org"}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_with_a_weak_secret_refuses_to_start(tmp_path):
    result = run_check({"MINKA_ENV": "production", "SECRET_KEY": "django-insecure-" + "x" * 60}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_with_a_real_secret_starts_with_debug_off(tmp_path):
    env = {
        "MINKA_ENV": "production",
        "SECRET_KEY": "k7#Qp2!vR9zL0mX4wB8nT6yH3jF1cD5sG" * 2,
        "ALLOWED_HOSTS": "minka.example.org",
    }
    result = run_check(env, tmp_path)
    assert result.returncode == 0, result.stderr
    env_all = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "MINKA_ENV", "DEBUG"}}
    env_all.update(env, MINKA_VAR_DIR=str(tmp_path))
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; "
            "django.setup(); from django.conf import settings as s; "
            "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.ALLOWED_HOSTS)",
        ],
        cwd=ROOT,
        env=env_all,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.stdout.strip() == "False True ['minka.example.org']", out.stderr


def test_development_generates_a_private_secret_once(tmp_path):
    assert run_check({}, tmp_path).returncode == 0
    key_file = tmp_path / "secret_key"
    first = key_file.read_text()
    assert len(first) >= 50
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    run_check({}, tmp_path)
    assert key_file.read_text() == first
