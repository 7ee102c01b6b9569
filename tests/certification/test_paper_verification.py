"""Verifying a paper receipt, statement or acta: by its QR link, or at /verificar/ by the number and the
short code printed beside it. Unknown or malformed codes get a friendly «no existe» (404); a wrong code
is refused without saying anything about the number; guessing is cut off."""

import io
import re

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from pypdf import PdfReader

from assemblies import services as assembly_services
from assemblies.kept import build_minutes
from certification.documents import issue
from certification.statements import statement_draft
from tests.assemblies.factories import check_in_many, convene, make_rules
from toolkit.roles import ADMINISTRATOR, BOARD, CLERK

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


@pytest.fixture(autouse=True)
def _no_earlier_tries():
    """The count of wrong tries lives in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


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


def pdf_text(content: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split()), len(reader.pages)


def check(client, number, code):
    return client.post(reverse("paper_verify"), {"numero": number, "codigo": code})


def errors_on(html: str) -> list[str]:
    return re.findall(r"<li>(.*?)</li>", html.split('class="errorlist"', 1)[1]) if "errorlist" in html else []


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
            assert f'href="{reverse("paper_verify")}"' in html
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


# --- /verificar/: the number and the short code --------------------------------------------------


def test_the_form_opens_for_anyone_in_spanish():
    response = Client().get("/verificar/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Verificar un documento en papel" in html
    assert "Número del recibo, documento o acta" in html and "Código corto" in html
    assert 'name="numero"' in html and 'name="codigo"' in html
    # Whoever lands on the sign-in page with a paper in hand finds the way here.
    login = Client().get(reverse("login")).content.decode()
    assert f'href="{reverse("paper_verify")}"' in login and "Verifíquelo aquí, sin usuario" in login


def test_a_receipts_number_and_code_show_the_receipt_as_the_qr_does(receipt):
    client = Client()
    response = check(client, receipt.receipt_code, receipt.paper_code)
    assert response.status_code == 302
    assert response["Location"] == reverse("receipt_verify", args=[receipt.verification_key])

    # Typed as people type: small letters, a space for the dash, no dash in the code, an O for a zero.
    loose_code = receipt.paper_code.replace("-", " ").lower().replace("0", "o")
    page = check(client, "c01 1", loose_code)
    assert page["Location"] == response["Location"]
    html = client.get(page["Location"]).content.decode()
    assert "Recibo auténtico" in html
    for fact in ("C01-000001", "99.25 kg", "S/ 1,126.49", "S-00001"):
        assert fact in html


def test_a_statements_and_an_actas_number_and_code_open_their_verification(statement, minutes):
    document, _pdf = statement
    client = Client()
    response = check(client, document.number, document.paper_code)
    assert response["Location"] == reverse("document_verify", args=[document.verification_key])
    assert (
        f"Documento {document.number} emitido por Minka" in client.get(response["Location"]).content.decode()
    )

    response = check(client, minutes.minutes_number, minutes.paper_code)
    assert response["Location"] == reverse("minutes_verify", args=[minutes.verification_key])
    assert "Acta auténtica" in client.get(response["Location"]).content.decode()


def test_a_wrong_code_is_refused_and_says_nothing_about_the_number(coop, receipt, deliver):
    other = deliver(gross_kg="20")
    client = Client()
    refusals = []
    for number, code in (
        (receipt.receipt_code, other.paper_code),  # another receipt's code
        (receipt.receipt_code, "7KQ2-M9XD"),
        ("C01-000777", receipt.paper_code),  # a number never issued
    ):
        response = check(client, number, code)
        assert response.status_code == 400
        html = response.content.decode()
        assert "Location" not in response
        for secret in (
            receipt.verification_key,
            "Recibo auténtico",
            "99.25 kg",
            "S/ 1,126.49",
            coop["maria"].name,
        ):
            assert secret not in html
        refusals.append(errors_on(html))
    # The same words whether the number exists or not.
    assert (
        refusals[0]
        == refusals[1]
        == refusals[2]
        == [
            "El número y el código corto no corresponden a ningún recibo, documento o acta de Minka. "
            "Revise los dos en su papel; si están bien escritos, el papel puede no ser auténtico: "
            "consulte en la cooperativa."
        ]
    )


def test_what_cannot_be_a_number_or_a_code_is_refused_naming_it():
    client = Client()
    html = check(client, "123456", "ABC").content.decode()
    problems = errors_on(html)
    assert any("«123456» no es un número de Minka" in p and "C01-000123" in p for p in problems), problems
    assert any("«ABC» no es un código corto: tiene 8 letras y cifras" in p for p in problems), problems

    problems = errors_on(check(client, "", "").content.decode())
    assert "Escriba el número impreso en el recibo, documento o acta." in problems
    assert "Escriba el código corto impreso junto al número." in problems


def test_after_ten_wrong_tries_the_form_refuses_even_the_right_code_for_a_while(receipt):
    client = Client()
    for attempt in range(10):
        assert check(client, receipt.receipt_code, f"7KQ2-M9X{attempt}").status_code == 400
    response = check(client, receipt.receipt_code, receipt.paper_code)
    assert response.status_code == 429
    assert "demasiados intentos fallidos" in response.content.decode()
    # Another address is not held back.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert check(other, receipt.receipt_code, receipt.paper_code).status_code == 302
    # And the QR link itself is never limited.
    assert client.get(reverse("receipt_verify", args=[receipt.verification_key])).status_code == 200


# --- The short code on paper -----------------------------------------------------------------------


@pytest.mark.parametrize("size", ["a6", "ticket"])
def test_the_receipt_prints_its_short_code_beside_its_number(receipt, role_clients, size):
    response = role_clients[CLERK].get(
        reverse("acopio:delivery_receipt_pdf", args=[receipt.receipt_code, size])
    )
    text, pages = pdf_text(response.content)
    assert pages == 1
    assert f"Recibo de acopio {receipt.receipt_code} Código corto {receipt.paper_code}" in text
    # The address may wrap on the narrow ticket.
    assert "Sin lector de QR: en http://testserver/verificar/ escriba el número del recibo" in text.replace(
        "/ verificar/", "/verificar/"
    )


def test_the_statement_prints_its_short_code_beside_its_number(statement):
    document, pdf = statement
    text, _pages = pdf_text(pdf)
    assert (
        f"Documento {document.number} · Estado de cuenta del socio Código corto: {document.paper_code}"
        in text
    )
    # Printed in the background, the address comes from MINKA_PUBLIC_URL.
    assert "Sin lector de QR: en http://127.0.0.1:8000/verificar/ escriba el número del documento" in text


def test_the_acta_prints_its_number_and_short_code(minutes, make_user, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    build_minutes.call(minutes.pk)  # rendered once in the background after closing
    client = Client()
    client.force_login(make_user(ADMINISTRATOR))
    text, _pages = pdf_text(client.get(reverse("assemblies:minutes", args=[minutes.pk])).content)
    assert f"Acta N.º {minutes.minutes_number} · código corto {minutes.paper_code}" in text
    assert re.fullmatch(r"AG-\d{6}", minutes.minutes_number)
    assert (
        # Printed in the background, the address comes from MINKA_PUBLIC_URL.
        f"Sin lector de QR: en http://127.0.0.1:8000/verificar/ escriba el número del acta, "
        f"{minutes.minutes_number}, y su código corto, {minutes.paper_code}." in text
    )
