"""Verifying a paper receipt, statement or acta by its QR link: unknown or malformed codes get a friendly
«no existe» (404), never an error."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from assemblies import services as assembly_services
from certification.documents import issue
from certification.statements import statement_draft
from tests.assemblies.factories import check_in_many, convene, make_rules
from toolkit.roles import BOARD

pytestmark = pytest.mark.django_db

NOT_A_KEY = [
    "6f1c1d2e-0000-4000-8000-000000000000",  # well formed, issued to nothing
    "no-existe-esta-clave",
    "x" * 300,
    "a%00b",  # a NUL, which PostgreSQL refuses in text
    "1'%20OR%20'1'='1",
    "%E2%98%83",
]
VERIFY_URLS = ["receipt_verify", "document_verify", "minutes_verify"]
MISSING = {
    "receipt_verify": "No existe ningún recibo",
    "document_verify": "No existe ningún documento",
    "minutes_verify": "No existe ninguna acta",
}


@pytest.fixture
def receipt(deliver):
    return deliver(gross_kg="100,5", tare_kg="1.25")


@pytest.fixture
def statement(coop, receipt):
    document, pdf = issue(statement_draft(member=coop["maria"], season=coop["seasons"]["2026"]))
    return document, pdf


@pytest.fixture
def board_member(make_user):
    return make_user(BOARD, username="presidenta")


@pytest.fixture
def minutes(coop, board_member):
    """A held and closed assembly of the small cooperative: its acta can be printed and verified."""
    make_rules()
    assembly = convene(board_member)
    check_in_many(assembly, board_member, assembly.roll_size)
    assembly_services.open_session(assembly=assembly, call="first", user=board_member)
    return assembly_services.close_assembly(assembly=assembly, user=board_member)


# --- The QR links: «no existe» for anything that is not a code -------------------------------------


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("name", VERIFY_URLS)
def test_every_verification_link_answers_no_existe_for_an_unknown_or_malformed_code(name, debug):
    client = Client()
    with override_settings(DEBUG=debug):
        for key in NOT_A_KEY:
            response = client.get(reverse(name, args=["KEY"]).replace("KEY", key))
            assert response.status_code == 404, (key, response.status_code)
            html = response.content.decode()
            assert '<html lang="es"' in html
            assert MISSING[name] in html, key
            assert "Traceback" not in html and "URLconf" not in html


def test_an_assembly_not_yet_closed_has_no_acta_to_verify(coop, board_member):
    make_rules()
    assembly = convene(board_member)
    response = Client().get(reverse("minutes_verify", args=[assembly.verification_key]))
    assert response.status_code == 404
    assert "No existe ninguna acta" in response.content.decode()


def test_the_links_printed_before_keep_working(receipt, statement, minutes):
    document, _pdf = statement
    client = Client()
    for path, sign in (
        (f"/verificar/recibo/{receipt.verification_key}/", "Recibo auténtico"),
        (f"/verificar/documento/{document.verification_key}/", f"Documento {document.number} emitido"),
        (f"/verificar/acta/{minutes.verification_key}/", "Acta auténtica"),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert sign in response.content.decode()
