"""A hybrid assembly in Chromium, end to end: the desk checks members in, the board downloads the voting
codes, a member at home signs in with DNI and code and registers their attendance, the session opens,
a member votes in a booth and the member at home votes from their own browser, the vote is closed
past the turnout warning, and the minutes (read back with pypdf) state turnout and virtual attendance."""

import csv
import io
import zipfile

import pytest
from pypdf import PdfReader

from assemblies import services
from assemblies.kept import build_minutes
from assemblies.letters import make_letters
from assemblies.models import BallotCast, LetterRun, Presence, PresenceKind
from tests.assemblies.factories import convene, make_members, make_rules
from tests.browser.conftest import sign_in_page

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PASSWORD = "clave-de-prueba-123"


def signed_in(browser, live_server, username, viewport=None):
    context = browser.new_context(
        locale="es-PE", viewport=viewport or {"width": 1366, "height": 768}, accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    sign_in_page(page, live_server.url, username, PASSWORD)  # with the second step where the role has it
    return context, page


def test_a_hybrid_assembly_with_a_booth_and_a_member_voting_from_home(browser, live_server, make_user):
    board = make_user("consejo_administracion", username="presidenta")
    make_user("acopiador", username="mesa1")
    make_rules()
    make_members(6)
    assembly = convene(board, mode="hybrid", link="https://reunion.example.org/asamblea")
    detail_url = f"{live_server.url}/asambleas/{assembly.pk}/"
    desk_url = f"{detail_url}registro/"

    # The board asks for the letters and SMS texts (made in the background, here by calling the task),
    # watches the page turn ready by itself and downloads them: the only copy of the codes in clear.
    board_context, board_page = signed_in(browser, live_server, "presidenta")
    board_page.goto(detail_url)
    board_page.click("#codigos-todos button[type=submit]")
    board_page.wait_for_selector("#cartas")
    run = LetterRun.objects.get(assembly=assembly)
    assert make_letters.call(run.pk, run.attempt) == 6
    board_page.wait_for_selector("text=Descargar ZIP (cartas PDF y SMS CSV)")
    with board_page.expect_download() as download:
        board_page.click("text=Descargar ZIP (cartas PDF y SMS CSV)")
    archive = zipfile.ZipFile(download.value.path())
    rows = list(csv.reader(io.StringIO(archive.read("sms-codigos.csv").decode("utf-8-sig"))))
    codes = {row[0]: row[4] for row in rows[1:]}
    assert len(codes) == 6

    # The desk checks two members in, typing their DNI and Enter.
    desk_context, desk = signed_in(browser, live_server, "mesa1")
    desk.goto(desk_url)
    for dni in ("40000001", "40000002"):
        desk.fill("#id_q", dni)
        desk.press("#id_q", "Enter")
        desk.wait_for_selector(".messages li.success")

    # A member at home signs in with DNI and code, and registers their attendance.
    home_context = browser.new_context(locale="es-PE", viewport={"width": 412, "height": 860})
    home = home_context.new_page()
    home.set_default_timeout(30_000)
    home.goto(f"{live_server.url}/asamblea-virtual/")
    home.fill("#id_dni", "40000005")
    home.fill("#id_code", codes["S-00005"].lower())
    home.click("button:has-text('Ingresar')")
    assert "Informe del consejo" in home.content()
    assert home.locator("nav").count() == 0
    home.click("button:has-text('Registrar mi asistencia')")
    home.wait_for_selector("text=Su asistencia virtual quedó registrada")
    assert Presence.objects.get(entry__code="S-00005").kind == PresenceKind.VIRTUAL
    # Checked in from home, the member is refused at the desk, with the reason.
    desk.fill("#id_q", "40000005")
    desk.press("#id_q", "Enter")
    assert "ya asiste en forma virtual" in desk.locator(".messages").inner_text()
    desk.goto(desk_url)
    assert desk.locator("[data-testid=virtual]").inner_text() == "1"
    assert desk.locator("[data-testid=in-person]").inner_text() == "2"

    # The session opens with 3 present (one from home); an electronic secret vote opens.
    services.open_session(assembly=assembly, call="second", user=board)
    motion = services.draft_motion(
        assembly=assembly,
        kind="resolution",
        title="Afiliación a la central regional",
        majority="simple",
        method="electronic",
        secret=True,
        user=board,
    )
    services.open_motion(motion=motion, user=board)

    # A booth: the board turns a device into it; the desk unlocks it for a member present.
    booth_context, booth = signed_in(browser, live_server, "presidenta", {"width": 1024, "height": 768})
    booth.goto(desk_url)
    booth.once("dialog", lambda dialog: dialog.accept())
    booth.click("text=Abrir cabina en este equipo")
    booth.wait_for_url(f"{live_server.url}/cabina/")
    desk.goto(desk_url)
    desk.fill("#id_person", "40000001")
    desk.click("#desbloquear button[type=submit]")
    booth.wait_for_selector("text=S-00001", timeout=20_000)
    booth.click("button:has-text('A favor')")
    booth.wait_for_selector("text=Voto registrado")
    # The booth opens nothing else, the member's page from home neither.
    assert booth.goto(f"{live_server.url}/asamblea-virtual/").status == 403

    # The member at home sees the ballot and votes.
    home.goto(f"{live_server.url}/asamblea-virtual/")
    home.wait_for_selector("text=Votación abierta: 1. Afiliación a la central regional")
    home.click("#votar-1 button:has-text('En contra')")
    home.wait_for_selector("text=Voto registrado. Gracias.")
    assert BallotCast.objects.filter(motion=motion, remote=True, voter__code="S-00005").count() == 1

    # The board closes the vote: one member present has not voted, and it asks first.
    board_page.goto(f"{detail_url}mociones/1/")
    board_page.click("button:has-text('Cerrar la votación')")
    assert "1 presente aún no vota" in board_page.locator("#confirmar-cierre").inner_text()
    assert "Votaron 2 de 3 presentes y representados." in board_page.content()
    board_page.click("button:has-text('Sí, cerrar la votación')")
    board_page.once("dialog", lambda dialog: dialog.accept())
    board_page.click("button:has-text('Publicar el resultado')")
    board_page.wait_for_selector(".messages li.success")
    board_page.goto(detail_url)
    board_page.once("dialog", lambda dialog: dialog.accept())
    board_page.click("button:has-text('Cerrar la asamblea y emitir el acta')")
    board_page.wait_for_selector(".messages li.success")
    build_minutes.call(assembly.pk)  # the background task, run here

    response = board_page.request.get(f"{detail_url}acta.pdf")
    assert response.headers["content-type"] == "application/pdf"
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages).split())
    assert "Votaron 2 de 3 presentes y representados. 1 votó desde su casa." in text
    assert "De los presentes, 1 en forma virtual." in text
    assert "Asistentes en forma virtual (1 presente al cierre)" in text and "S-00005" in text
    # The assembly closed: the member's page at home says the session ended.
    home.goto(f"{live_server.url}/asamblea-virtual/")
    assert "Su sesión terminó" in home.content()
    for context in (board_context, desk_context, home_context, booth_context):
        context.close()
