"""Keys: refused when absent, unknown, revoked, expired or out of scope; hashed at rest; throttled;
every call logged; no session access."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from api import services
from api.models import ApiCall, ApiKey, InstitutionKind, Scope
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def test_no_key_is_401_in_json_even_when_signed_in(client, world):
    response = client.get("/api/v1/members/")
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["detail"]
    client.force_login(world["user"])  # an administrator's session opens no API
    response = client.get("/api/v1/members/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_valid_key_reads_and_the_call_is_logged(client, make_client):
    api_client, secret = make_client()
    response = client.get("/api/v1/members/?community=Curiyacu", **bearer(secret))
    assert response.status_code == 200
    assert response.json()["count"] == 2
    call = ApiCall.objects.get()
    assert (call.client, call.key.client, call.path, call.query, call.rows, call.status) == (
        api_client,
        api_client,
        "/api/v1/members/",
        "community=Curiyacu",
        2,
        200,
    )


def test_unknown_revoked_and_expired_keys_are_refused(client, world, make_client):
    api_client, secret = make_client()
    forged = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")
    assert client.get("/api/v1/seasons/", **bearer(forged)).json()["detail"] == "Clave desconocida."
    assert client.get("/api/v1/seasons/", **bearer("minka_nada")).status_code == 401

    key = ApiKey.objects.get(client=api_client)
    services.revoke_key(key=key, user=world["user"])
    response = client.get("/api/v1/seasons/", **bearer(secret))
    assert response.status_code == 401
    assert response.json()["detail"] == "Esta clave fue revocada."

    _other, old = make_client(name="Programa Sierra y Selva", kind=InstitutionKind.PROGRAMME)
    ApiKey.objects.filter(client=_other).update(expires_on=timezone.localdate() - timedelta(days=1))
    response = client.get("/api/v1/seasons/", **bearer(old))
    assert response.status_code == 401
    assert "venció" in response.json()["detail"]
    # Refused calls are logged too; an unknown key with no client.
    assert ApiCall.objects.filter(status=401).count() == 4
    assert ApiCall.objects.filter(status=401, client__isnull=True).count() == 2


def test_out_of_scope_is_403(client, make_client):
    _c, secret = make_client(scopes=[Scope.FIGURES])
    response = client.get("/api/v1/members/", **bearer(secret))
    assert response.status_code == 403
    assert "register" in response.json()["detail"]
    assert client.get("/api/v1/plots/", **bearer(secret)).status_code == 403
    assert client.get("/api/v1/figures/", **bearer(secret)).status_code == 200


def test_the_secret_is_stored_only_as_its_sha256(make_client):
    import hashlib

    _c, secret = make_client()
    key = ApiKey.objects.get()
    assert secret.startswith(f"minka_{key.prefix}_")
    assert key.secret_sha256 == hashlib.sha256(secret.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_apikey")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert secret not in stored and secret.split("_")[-1] not in stored


def test_calls_beyond_the_limit_get_429_in_json(client, make_client, settings):
    settings.MINKA_API_CALLS_PER_MINUTE = 2
    _c, secret = make_client()
    assert [client.get("/api/v1/seasons/", **bearer(secret)).status_code for _ in range(2)] == [200, 200]
    response = client.get("/api/v1/seasons/", **bearer(secret))
    assert response.status_code == 429
    assert "2 por minuto" in response.json()["detail"]
    assert int(response["Retry-After"]) <= 60
    # Another key of another institution is counted apart.
    _o, other = make_client(name="Certificadora Andina", kind=InstitutionKind.CERTIFIER)
    assert client.get("/api/v1/seasons/", **bearer(other)).status_code == 200


def test_no_write_endpoints(client, make_client):
    _c, secret = make_client()
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)("/api/v1/members/", **bearer(secret)).status_code == 405


def test_bad_parameters_are_400_naming_the_parameter(client, make_client):
    _c, secret = make_client()
    response = client.get("/api/v1/members/?season=1999", **bearer(secret))
    assert response.status_code == 400
    assert response.json()["detail"].startswith("season: no existe la campaña 1999")
    response = client.get("/api/v1/members/?certification=oro", **bearer(secret))
    assert response.json()["detail"].startswith("certification:")
    response = client.get("/api/v1/members/?updated_since=ayer", **bearer(secret))
    assert response.status_code == 400
    assert "updated_since" in response.json()["detail"]
    response = client.get("/api/v1/members/?page_size=0", **bearer(secret))
    assert response.json()["detail"].startswith("page_size:")


def test_the_command_registers_issues_lists_and_revokes(world, client, capsys):
    call_command(
        "api_key",
        "client",
        name="Certificadora Andina",
        kind="certifier",
        scopes="register",
        user="admin_api",
    )
    expires = (timezone.localdate() + timedelta(days=30)).isoformat()
    call_command("api_key", "issue", client="Certificadora Andina", expires=expires, user="admin_api")
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    assert client.get("/api/v1/seasons/", **bearer(secret)).status_code == 200
    key = ApiKey.objects.get()
    call_command("api_key", "list")
    assert key.prefix in capsys.readouterr().out
    call_command("api_key", "revoke", key.prefix, user="admin_api")
    assert client.get("/api/v1/seasons/", **bearer(secret)).status_code == 401


def test_pages_create_a_client_show_the_key_once_and_revoke_it(client, world):
    client.force_login(world["user"])
    response = client.post("/instituciones/", {"name": "  ", "kind": "buyer", "scopes": ["register"]})
    assert response.status_code == 400
    assert "Escriba el nombre de la institución." in response.content.decode()
    response = client.post(
        "/instituciones/",
        {"name": "Chocolates del Norte SAC", "kind": "buyer", "scopes": ["register", "trade"]},
    )
    assert response.status_code == 302
    detail = response["Location"]
    response = client.post(detail, {"expires_on": "31/02/2030"})
    assert response.status_code == 400 and "vencimiento" in response.content.decode()
    assert not ApiKey.objects.exists()
    expires = (timezone.localdate() + timedelta(days=90)).strftime("%d/%m/%Y")
    response = client.post(detail, {"expires_on": expires})
    page = response.content.decode()
    assert "no la volverá a mostrar" in page
    key = ApiKey.objects.get()
    secret = page.split(f"minka_{key.prefix}_")[1].split("<")[0]
    assert response["Cache-Control"] == "no-store"
    assert f"minka_{key.prefix}_{secret}" not in client.get(detail).content.decode()  # shown once
    client.post(f"/instituciones/claves/{key.pk}/revocar/")
    key.refresh_from_db()
    assert key.revoked_at is not None and key.revoked_by == world["user"]


def test_the_call_log_page_is_for_administration_and_oversight(role_clients, make_client, client):
    _c, secret = make_client()
    client.get("/api/v1/members/", **bearer(secret))
    for role, browser in role_clients.items():
        response = browser.get("/instituciones/registro/")
        if role in ("administrador", "consejo_vigilancia"):
            assert response.status_code == 200, role
            assert "/api/v1/members/" in response.content.decode()
        elif role == "anonymous":
            assert response.status_code == 302
        else:
            assert response.status_code == 403, role


def test_an_updated_since_with_any_offset_is_read_in_utc(client, make_client):
    """Found by schemathesis on PostgreSQL: an ISO offset beyond ±15:59 was a 500 there."""
    _c, secret = make_client()
    response = client.get("/api/v1/deliveries/?updated_since=0082-09-17T14:22:21%2B23:13", **bearer(secret))
    assert response.status_code == 200
    response = client.get("/api/v1/members/?updated_since=0001-01-01T00:00:00%2B23:00", **bearer(secret))
    assert response.status_code == 400 and response.json()["detail"] == "updated_since: fecha fuera de rango."
