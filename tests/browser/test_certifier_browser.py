"""A certifier in Chromium: reads the portal, downloads a member's statement, verifies it publicly,
and a tampered copy is refused."""

import io
from datetime import date

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader, PdfWriter

from certification.models import DownloadLog, IssuedDocument
from ledger.member_accounts import owed_to_member
from tests.acopio.factories import make_coop, record
from toolkit.money import format_money

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_certifier_downloads_a_statement_and_verifies_it(live_server, page, sign_in, make_user, tmp_path):
    coop = make_coop()
    admin = make_user("administrador", username="jefa")
    record(coop, admin, date=date(2026, 3, 10))
    record(coop, admin, date=date(2026, 5, 4), gross_kg="61")
    make_user("certificador", username="auditora")
    sign_in("auditora")

    page.click("nav >> text=Certificación")
    expect(page.locator("h1")).to_have_text("Certificación y auditoría")
    expect(page.locator("#descargas")).to_contain_text("Paquete de auditoría")
    expect(page.locator("main")).not_to_contain_text("Imprimir los estados de cuenta")
    page.fill("#q", "Tuanama")
    page.press("#q", "Enter")
    page.wait_for_url("**q=Tuanama**")  # the search has answered before the link is read
    expect(page.locator("#socios a").first).to_be_visible()
    with page.expect_download() as download_info:
        # The PDF opens inline in a browser; asking for a download keeps it as a file here.
        page.evaluate("""() => { const link = document.querySelector('#socios a');
                                  link.setAttribute('download', ''); link.click(); }""")
    statement = tmp_path / "estado.pdf"
    download_info.value.save_as(statement)
    pdf = statement.read_bytes()
    document = IssuedDocument.objects.get()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert format_money(owed_to_member(coop["maria"], on=date(2026, 12, 31)), "PEN") in text
    assert DownloadLog.objects.get().user.username == "auditora"

    # Anyone holding the paper follows its QR: the verification page, then the file itself.
    page.goto(f"{live_server.url}/verificar/documento/{document.verification_key}/")
    expect(page.locator("main")).to_contain_text(document.number)
    page.set_input_files("#archivo", str(statement))
    page.click("text=Verificar archivo")
    expect(page.locator(".alert.success")).to_contain_text("idéntico al documento emitido")

    editor = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    editor.add_metadata({"/Title": "otro"})
    tampered = tmp_path / "alterado.pdf"
    with tampered.open("wb") as out:
        editor.write(out)
    page.set_input_files("#archivo", str(tampered))
    page.click("text=Verificar archivo")
    expect(page.locator(".alert.error")).to_contain_text("NO coincide")
