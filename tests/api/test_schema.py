"""Schemathesis against Minka's own OpenAPI description, over HTTP: every operation with generated
parameters (valid and not), with a key holding every scope and with one holding none. No 500, every
response matches the schema (status code, content type, body)."""

import subprocess
import sys
from pathlib import Path

import pytest

from api.models import Scope

pytestmark = pytest.mark.django_db(transaction=True)

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def schemathesis(url: str, secret: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            str(Path(sys.executable).with_name("st"))
            if Path(sys.executable).with_name("st").exists()
            else "st",
            "run",
            url,
            "--checks",
            CHECKS,
            "--max-examples",
            "15",
            "--header",
            f"Authorization: Bearer {secret}",
            "--seed",
            "22",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_every_operation_matches_the_description(live_server, world, make_client, consent, settings):
    settings.MINKA_API_CALLS_PER_MINUTE = 100_000
    consent(world["coop"]["maria"])
    _c, every_scope = make_client()
    _n, one_scope = make_client(name="Programa Sierra y Selva", kind="programme", scopes=[Scope.FIGURES])
    url = f"{live_server.url}/api/v1/openapi.json"
    for secret in (every_scope, one_scope):
        run = schemathesis(url, secret)
        assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
        assert "Tested: 8" in run.stdout, run.stdout[-3000:]  # every operation of the description
