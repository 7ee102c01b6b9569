"""Consent (Ley 29733): personal data only for members whose consent in force covers the client's kind."""

from datetime import date

import pytest

from api.models import ApiCall, InstitutionKind, MemberConsent, PersonalDataRead
from api.selectors import anonymous_code
from tests.api.conftest import bearer
from toolkit.append_only import AppendOnlyError

pytestmark = pytest.mark.django_db


def by_id(response):
    return {row["id"]: row for row in response.json()["results"]}


def test_without_consent_members_are_anonymous_codes_with_figures_only(client, world, make_client):
    _c, secret = make_client()
    maria = world["coop"]["maria"]
    rows = by_id(client.get("/api/v1/members/", **bearer(secret)))
    code = anonymous_code(maria.pk)
    assert set(rows) == {
        anonymous_code(m.pk) for m in (maria, world["coop"]["segundo"], world["coop"]["rosa"])
    }
    row = rows[code]
    assert row["anonymous"] and row["name"] is None and row["dni"] is None and row["code"] is None
    assert (row["plots"], row["total_area_ha"], row["fairtrade"]) == (1, "1.5000", True)
    # Stable: the same code on the next sync.
    assert code in by_id(client.get("/api/v1/members/", **bearer(secret)))
    plot = client.get("/api/v1/plots/?community=", **bearer(secret)).json()["results"][0]
    assert plot["anonymous"] and plot["geometry"] is None and plot["member"] == code
    assert "Tuanama" not in client.get("/api/v1/deliveries/", **bearer(secret)).content.decode()
    assert not PersonalDataRead.objects.exists()


def test_consent_for_the_clients_kind_opens_personal_data(client, world, make_client, consent):
    maria = world["coop"]["maria"]
    consent(maria, kind=InstitutionKind.BUYER)
    _b, buyer = make_client()
    _c, certifier = make_client(name="Certificadora Andina", kind=InstitutionKind.CERTIFIER)
    row = by_id(client.get("/api/v1/members/", **bearer(buyer)))["S-00001"]
    assert (row["name"], row["dni"], row["anonymous"]) == ("María Luz Tuanama Sangama", "41234567", False)
    plot = by_id(client.get("/api/v1/plots/", **bearer(buyer)))["S-00001-P1"]
    assert plot["geometry"]["type"] == "Polygon"
    # The certifier's kind is not covered: the same member stays anonymous for it.
    assert "S-00001" not in by_id(client.get("/api/v1/members/", **bearer(certifier)))
    assert anonymous_code(maria.pk) in by_id(client.get("/api/v1/members/", **bearer(certifier)))
    # Who read María's personal data is logged per call.
    reads = PersonalDataRead.objects.filter(member=maria)
    assert {read.call.path for read in reads} == {"/api/v1/members/", "/api/v1/plots/"}
    assert {read.call.client.name for read in reads} == {"Chocolates del Norte SAC"}


def test_after_withdrawal_the_next_incremental_sync_returns_the_member_anonymised(
    client, world, make_client, consent
):
    maria = world["coop"]["maria"]
    consent(maria, on=date(2026, 1, 5))
    _b, secret = make_client()
    first = client.get("/api/v1/members/", **bearer(secret)).json()
    assert "S-00001" in {row["id"] for row in first["results"]}
    assert by_id(client.get(f"/api/v1/members/?updated_since={first['as_of']}", **bearer(secret))) == {}
    consent(maria, action="withdrawn")
    since = first["as_of"]
    changed = client.get("/api/v1/members/", {"updated_since": since}, **bearer(secret)).json()
    assert changed["count"] == 1
    row = changed["results"][0]
    assert row["id"] == anonymous_code(maria.pk) and row["anonymous"] and row["name"] is None
    plots = client.get("/api/v1/plots/", {"updated_since": since}, **bearer(secret)).json()["results"]
    assert [(p["member"], p["geometry"]) for p in plots] == [(anonymous_code(maria.pk), None)]
    # The history is kept: both rows, the withdrawal a later one.
    assert list(MemberConsent.objects.filter(member=maria).values_list("action", flat=True)) == [
        "given",
        "withdrawn",
    ]
    with pytest.raises(AppendOnlyError):
        MemberConsent.objects.filter(member=maria).delete()


def test_a_status_change_reaches_the_incremental_sync(client, world, make_client, consent):
    from coop.services import change_member_status

    _b, secret = make_client()
    first = client.get("/api/v1/members/", **bearer(secret)).json()
    change_member_status(
        member=world["coop"]["segundo"], status="suspended", effective_date=date.today(), user=world["user"]
    )
    changed = client.get("/api/v1/members/", {"updated_since": first["as_of"]}, **bearer(secret)).json()
    assert [(row["id"], row["status"]) for row in changed["results"]] == [
        (anonymous_code(world["coop"]["segundo"].pk), "suspended")
    ]


def test_the_consent_page_records_refuses_bad_input_and_the_member_page_shows_the_readers(
    client, world, make_client, role_clients
):
    maria = world["coop"]["maria"]
    client.force_login(world["user"])
    url = f"/instituciones/socios/{maria.code}/consentimiento/"
    response = client.post(
        url, {"kind": "buyer", "action": "given", "effective_on": "32/13/2026", "how": "form"}
    )
    assert response.status_code == 400
    assert "Escriba la fecha (dd/mm/aaaa)." in response.content.decode()
    response = client.post(
        url, {"kind": "buyer", "action": "withdrawn", "effective_on": "01/02/2026", "how": "form"}
    )
    assert "No hay consentimiento otorgado para Comprador que retirar." in response.content.decode()
    assert not MemberConsent.objects.exists()
    response = client.post(
        url,
        {
            "kind": "buyer",
            "action": "given",
            "effective_on": "01/02/2026",
            "how": "assembly",
            "note": "Acta 3",
        },
    )
    assert response.status_code == 302
    consent = MemberConsent.objects.get()
    assert (consent.how, consent.recorded_by, consent.effective_on) == (
        "assembly",
        world["user"],
        date(2026, 2, 1),
    )

    _b, secret = make_client()
    client.get("/api/v1/members/", **bearer(secret), HTTP_X_NOTHING="1")
    page = role_clients["consejo_vigilancia"].get(f"/padron/socios/{maria.code}/").content.decode()
    assert "Quién leyó sus datos personales" in page and "Chocolates del Norte SAC" in page
    clerk_page = role_clients["acopiador"].get(f"/padron/socios/{maria.code}/").content.decode()
    assert "Otorgado" in clerk_page and "Chocolates del Norte SAC" not in clerk_page
    assert role_clients["consejo_vigilancia"].get(url).status_code == 403
    assert ApiCall.objects.count() == 1
