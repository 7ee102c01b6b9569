"""An assembly in Chromium: desk check-ins, a proxy, quorum, a secret vote, the published result."""

import re

import pytest

from assemblies import services
from assemblies.models import Assembly, Ballot, BallotCast
from tests.assemblies.factories import convene, make_members, make_rules

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_board_runs_an_assembly_from_check_in_to_published_result(live_server, page, sign_in, make_user):
    board = make_user("consejo_administracion", username="presidenta")
    make_rules()
    make_members(5)
    assembly = convene(board)
    services.draft_motion(
        assembly=assembly,
        kind="resolution",
        title="Afiliación a la central regional",
        majority="simple",
        method="electronic",
        secret=True,
        user=board,
    )
    sign_in("presidenta")
    base = f"{live_server.url}/asambleas/{assembly.pk}"

    # The registration desk: a code or DNI and Enter checks the member in.
    page.goto(f"{base}/registro/")
    for typed in ("S-00001", "40000002", "s-00003"):
        page.fill("#id_q", typed)
        page.press("#id_q", "Enter")
        page.wait_for_selector(".messages li.success")
    assert page.get_by_test_id("present").inner_text() == "3"
    # Checking the same member in twice is refused with the time of the first check-in.
    page.fill("#id_q", "S-00001")
    page.press("#id_q", "Enter")
    assert "ya registró su asistencia" in page.locator(".messages li.error").inner_text()

    # A proxy: find the absent member by name, type the holder's code and the letter.
    page.fill("#id_q", "Número 4")
    page.press("#id_q", "Enter")
    row = page.locator("#resultados tbody tr", has_text="S-00004")
    row.locator("input[name=holder]").fill("S-00001")
    row.locator("input[name=letter]").fill("CP-007")
    row.locator("button[value=proxy]").click()
    assert "representado por S-00001" in page.locator(".messages li.success").inner_text()
    assert page.get_by_test_id("represented").inner_text() == "1"

    # Open the session: quorum (more than half of 5 = 3) is recorded.
    page.goto(f"{base}/")
    page.select_option("#id_call", "first")
    page.click("text=Abrir sesión y registrar el quórum")
    assert "(3 presentes y 1 representado); quórum exigido 3" in page.content()

    # Open the vote and vote at the ballot station: in person, and through the proxy.
    page.click("text=Afiliación a la central regional")
    page.click("button[value=open]")
    # The votes go through a booth the desk unlocks (tests/browser/test_booth.py drives the booth
    # itself): in person, and through the proxy; a second unlock of the same voter is refused.
    motion = assembly.motions.get()
    booth = services.open_booth(assembly=assembly, user=board)
    roll = {e.code: e for e in assembly.roll.all()}
    for person, voter, kind in (
        ("S-00001", "S-00001", "yes"),
        ("S-00001", "S-00004", "yes"),
        ("S-00002", "S-00002", "no"),
    ):
        services.unlock_booth(booth=booth, person=roll[person], voter=roll[voter], user=board)
        services.vote_at_booth(booth=booth, option_id=motion.options.get(kind=kind).pk)
    page.goto(f"{base}/registro/")
    page.fill("#id_person", "S-00002")
    page.click("#desbloquear button[type=submit]")
    assert "ya votó" in page.locator(".messages li.error").inner_text()

    # The chair sees who has not voted yet.
    page.goto(f"{base}/mociones/1/faltan/")
    assert page.locator("tbody tr").count() == 1 and "S-00003" in page.locator("tbody").inner_text()

    # Close, publish: the result is final and states its numbers.
    page.goto(f"{base}/mociones/1/")
    page.click("button[value=close]")
    # One member present has not voted: the board is asked, with the turnout, before closing.
    assert "1 presente aún no vota" in page.locator("#confirmar-cierre").inner_text()
    assert "Votaron 3 de 4 presentes y representados" in page.content()
    page.click("text=Sí, cerrar la votación")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button[value=publish]")
    result = page.locator("#resultado").inner_text()
    assert re.search(r"Aprobada: 2 a favor, 1 en contra, 0 abstenciones", result)
    assert page.locator("button[value=open], button[value=publish]").count() == 0

    # Secret vote: the record of who voted says nothing of what.
    assert list(BallotCast.objects.values_list("option", flat=True)) == [None, None, None]
    assert Ballot.objects.count() == 3

    # Close the assembly: the minutes are issued with their verification code.
    page.goto(f"{base}/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("text=Cerrar la asamblea y emitir el acta")
    # The code is fixed at closing and shown as kept; checking it against the records is one click away.
    assert Assembly.objects.get().minutes_hash in page.content()
    page.click("text=Comprobar contra los registros")
    assert "los registros de Minka coinciden con el código impreso en el acta" in page.content()
