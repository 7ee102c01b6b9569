"""The resources: paging, filters, deliveries per member and season, lots and contracts with the plots
behind them (a buyer sees only its own), documents and figures."""

import pytest

from api.models import InstitutionKind, Scope
from api.selectors import anonymous_code
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def test_pages_follow_next_and_filters_narrow(client, world, make_client):
    _c, secret = make_client()
    first = client.get("/api/v1/plots/?page_size=3", **bearer(secret)).json()
    assert (first["count"], len(first["results"])) == (4, 3)
    second = client.get(first["next"], **bearer(secret)).json()
    assert len(second["results"]) == 1 and second["next"] is None
    ids = [row["id"] for row in first["results"] + second["results"]]
    assert len(set(ids)) == 4
    fairtrade = client.get("/api/v1/plots/?certification=fairtrade", **bearer(secret)).json()
    assert fairtrade["count"] == 2
    in_season = client.get("/api/v1/members/?season=2026", **bearer(secret)).json()
    assert [row["id"] for row in in_season["results"]] == [anonymous_code(world["coop"]["maria"].pk)]
    assert client.get("/api/v1/members/?season=2025", **bearer(secret)).json()["count"] == 0


def test_deliveries_are_summed_per_member_season_and_certification(client, world, make_client, consent):
    consent(world["coop"]["maria"])
    _c, secret = make_client()
    rows = client.get("/api/v1/deliveries/?season=2026", **bearer(secret)).json()["results"]
    assert len(rows) == 1
    row = rows[0]
    delivery = world["delivery"]
    assert (row["member"], row["deliveries"], row["dry_kg"], row["amount_pen"]) == (
        "S-00001",
        1,
        f"{delivery.dry_g / 1000:.3f}",
        f"{delivery.amount_minor / 100:.2f}",
    )


def test_a_buyer_reads_its_own_contracts_and_their_lots_with_the_plots_behind(
    client, world, make_client, consent
):
    consent(world["coop"]["maria"])
    _b, buyer = make_client()
    _o, other_buyer = make_client(name="Cacao Export SA")
    _c, certifier = make_client(name="Certificadora Andina", kind=InstitutionKind.CERTIFIER)
    contract = client.get("/api/v1/contracts/", **bearer(buyer)).json()["results"][0]
    assert contract["number"] == "CV-API-1" and contract["lots"] == ["L-API-1"]
    assert [(p["id"], p["geometry"]["type"]) for p in contract["plots"]] == [("S-00001-P1", "Polygon")]
    lot = client.get("/api/v1/lots/", **bearer(buyer)).json()["results"][0]
    assert lot["contracts"] == ["CV-API-1"] and lot["plots"][0]["member"] == "S-00001"
    # Another buyer sees neither; a certifier sees both, the plots anonymous (no certifier consent).
    assert client.get("/api/v1/contracts/", **bearer(other_buyer)).json()["count"] == 0
    assert client.get("/api/v1/lots/", **bearer(other_buyer)).json()["count"] == 0
    plots = client.get("/api/v1/lots/", **bearer(certifier)).json()["results"][0]["plots"]
    assert plots[0]["anonymous"] and plots[0]["geometry"] is None


def test_geometry_needs_the_geolocation_scope_even_with_consent(client, world, make_client, consent):
    consent(world["coop"]["maria"])
    _b, secret = make_client(scopes=[Scope.TRADE])
    plots = client.get("/api/v1/lots/", **bearer(secret)).json()["results"][0]["plots"]
    assert plots[0]["id"] == "S-00001-P1" and plots[0]["geometry"] is None


def test_documents_and_figures(client, world, make_client, consent, settings, tmp_path):
    from certification.documents import issue
    from certification.statements import statement_draft

    settings.VAR_DIR = tmp_path
    maria, season = world["coop"]["maria"], world["delivery"].season
    document, _pdf = issue(statement_draft(member=maria, season=season), user=world["user"])
    _c, secret = make_client()
    row = client.get("/api/v1/documents/", **bearer(secret)).json()["results"][0]
    assert (row["number"], row["kind"], row["member"]) == (
        document.number,
        "statement",
        anonymous_code(maria.pk),
    )
    assert "Tuanama" not in row["title"] and row["verification_code"] == document.paper_code
    assert row["download"].endswith(f"/verificar/documento/{document.verification_key}/")
    consent(maria)
    row = client.get("/api/v1/documents/", **bearer(secret)).json()["results"][0]
    assert row["member"] == "S-00001" and row["title"] == document.title
    figures = client.get("/api/v1/figures/?season=2026", **bearer(secret)).json()
    by_community = {row["community"]: row for row in figures["communities"]}
    assert by_community["Curiyacu"]["members"] == 2 and by_community["Tununtunumba"]["dry_kg"] == "99.000"
