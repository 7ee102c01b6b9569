"""A voting booth in Chromium: the board turns a browser into a booth, the desk unlocks it for a voter,
the voter votes and sees «Voto registrado», and nothing in the booth leads back into Minka."""

import pytest

from assemblies import services
from assemblies.models import Ballot, BallotCast, BallotCounter
from tests.assemblies.factories import check_in_many, convene, make_members, make_rules
from tests.browser.conftest import sign_in_page

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PASSWORD = "clave-de-prueba-123"


def signed_in(browser, live_server, username, viewport):
    context = browser.new_context(locale="es-PE", viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(30_000)
    sign_in_page(page, live_server.url, username, PASSWORD)  # with the second step where the role has it
    return context, page


def test_a_booth_shows_only_the_ballot_and_refuses_everything_else(browser, live_server, make_user):
    board = make_user("consejo_administracion", username="presidenta")
    make_user("acopiador", username="mesa1")
    make_rules()
    make_members(6)
    assembly = convene(board)
    check_in_many(assembly, board, 5)
    services.open_session(assembly=assembly, call="first", user=board)
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
    desk_url = f"{live_server.url}/asambleas/{assembly.pk}/registro/"

    # The board opens a booth on the booth's own device: signed out, the device shows the booth.
    booth_context, booth = signed_in(browser, live_server, "presidenta", {"width": 1024, "height": 768})
    booth.goto(desk_url)
    booth.once("dialog", lambda dialog: dialog.accept())
    booth.click("text=Abrir cabina en este equipo")
    booth.wait_for_url(f"{live_server.url}/cabina/")
    assert "Cabina lista" in booth.content()
    assert booth.locator("a, nav").count() == 0

    # The desk, on a 1366×768 laptop: the code box is above the fold, the quorum beside it.
    desk_context, desk = signed_in(browser, live_server, "mesa1", {"width": 1366, "height": 768})
    desk.goto(desk_url)
    box = desk.locator("#id_q").bounding_box()
    quorum = desk.locator("#quorum-resumen").bounding_box()
    assert box["y"] + box["height"] < 768 and quorum["y"] < 768 and quorum["x"] > box["x"]
    desk.fill("#id_person", "40000003")
    desk.click("#desbloquear button[type=submit]")
    assert "Cabina 1 habilitada: vota S-00003" in desk.locator(".messages li.success").inner_text()

    # The booth, waiting, looks at the desk by itself and shows the voter and the ballot.
    booth.wait_for_selector("text=S-00003", timeout=20_000)
    assert "Socia Número 3" in booth.content()
    # Large, touch-friendly options: the booth's style sheet is applied (no inline style the CSP would block).
    option_height = booth.locator("button:has-text('A favor')").evaluate(
        "b => b.getBoundingClientRect().height"
    )
    assert option_height >= 70
    booth.click("button:has-text('A favor')")
    booth.wait_for_selector("text=Voto registrado")
    # …and goes back to waiting by itself.
    booth.wait_for_selector("text=Cabina lista", timeout=20_000)
    assert BallotCast.objects.filter(voter__code="S-00003", option=None).count() == 1
    # The choice only moved a counter: no row is written per vote while the voting is open.
    assert sum(BallotCounter.objects.values_list("count", flat=True)) == 1 and not Ballot.objects.exists()

    # Back, links, other addresses: nothing but the booth opens; no second vote.
    booth.go_back()
    assert "Afiliación a la central regional" not in booth.content() or "S-00003" not in booth.content()
    for path in ("/", "/fondo/", "/ventas/", "/admin/", f"/asambleas/{assembly.pk}/", "/cuenta/entrar/"):
        response = booth.goto(f"{live_server.url}{path}")
        assert response.status == 403, path
        assert "Este equipo es una cabina de votación" in booth.content(), path
        assert booth.locator("nav").count() == 0
    # The one link on the refusal leads back to the booth, nowhere else.
    booth.click("text=Volver a la cabina")
    booth.wait_for_url(f"{live_server.url}/cabina/")
    assert sum(BallotCounter.objects.values_list("count", flat=True)) == 1  # still the one vote
    booth_context.close()
    desk_context.close()
