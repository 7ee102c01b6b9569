"""The assembly pages and documents as a user meets them: forms naming the field, PDFs matching the screen."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from assemblies import services
from assemblies.kept import build_minutes
from assemblies.minutes import minutes_hash
from assemblies.models import Assembly, Motion, Presence
from tests.assemblies.factories import check_in_many, convene, entry, make_members, make_rules


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


@pytest.fixture
def board(make_user):
    return make_user("consejo_administracion", username="presidenta")


@pytest.fixture
def board_client(client, board):
    client.force_login(board)
    return client


@pytest.fixture
def assembly(db, board):
    make_rules()
    make_members(12)
    return convene(board)


def held(assembly, board):
    """Seven present, one proxy, a show of hands approved, closed."""
    check_in_many(assembly, board, 7)
    services.register_proxy(
        assembly=assembly,
        represented=entry(assembly, "S-00012"),
        holder=entry(assembly, "S-00001"),
        letter="CP-031",
        user=board,
    )
    services.open_session(assembly=assembly, call="first", user=board)
    motion = services.draft_motion(
        assembly=assembly,
        kind="resolution",
        title="Aprobar la memoria 2025",
        majority="absolute",
        method="hands",
        user=board,
    )
    services.open_motion(motion=motion, user=board)
    services.record_tally(motion=motion, counts={1: 6, 2: 1, 3: 1}, user=board)
    services.publish_motion(motion=motion, user=board)
    return services.close_assembly(assembly=assembly, user=board)


def test_convening_form_names_each_problem_and_saves_nothing(db, board_client):
    make_rules()
    make_members(3)
    response = board_client.post(
        reverse("assemblies:assembly_new"),
        {
            "kind": "ordinary",
            "mode": "virtual",
            "first_call_at": "2026-12-12T09:00",
            "second_call_at": "2026-12-12T08:30",
            "agenda": "",
            "cutoff_date": "",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    for message in (
        "No se convocó la asamblea",
        "Indique el enlace de la sesión virtual",
        "La segunda convocatoria debe ser después de la primera",
        "Escriba la agenda",
        "Indique la fecha de corte del padrón",
    ):
        assert message in text
    assert not Assembly.objects.exists()


def test_convening_form_freezes_the_roll_and_says_so(db, board_client):
    make_rules()
    make_members(3)
    cutoff = timezone.localdate() - timedelta(days=10)
    response = board_client.post(
        reverse("assemblies:assembly_new"),
        {
            "kind": "ordinary",
            "mode": "in_person",
            "place": "Local comunal",
            "first_call_at": "2030-03-21T09:00",
            "second_call_at": "2030-03-21T09:30",
            "agenda": "1. Plan de la prima",
            "cutoff_date": cutoff.isoformat(),
        },
        follow=True,
    )
    assembly = Assembly.objects.get()
    assert response.redirect_chain[-1][0] == assembly.get_absolute_url()
    assert f"padrón de 3 socios hábiles al {cutoff:%d/%m/%Y}" in response.content.decode()


def test_desk_checks_in_on_an_exact_code_and_lists_names(assembly, board_client):
    desk = reverse("assemblies:desk", args=[assembly.pk])
    response = board_client.post(desk, {"q": "40000003"}, follow=True)
    assert "Asistencia registrada: S-00003 · Socia Número 3" in response.content.decode()
    assert Presence.objects.filter(entry__code="S-00003").exists()
    listing = board_client.get(desk, {"q": "número 1"}).content.decode()
    for code in ("S-00001", "S-00010", "S-00011", "S-00012"):
        assert code in listing
    assert Presence.objects.count() == 1  # searching a name checks nobody in


def test_desk_refuses_a_proxy_to_an_unknown_holder_by_name(assembly, board_client):
    response = board_client.post(
        reverse("assemblies:desk_action", args=[assembly.pk]),
        {"action": "proxy", "entry": entry(assembly, "S-00002").pk, "holder": "S-99999", "letter": "CP-1"},
        follow=True,
    )
    assert "No hay nadie con el código o DNI «S-99999» en el padrón" in response.content.decode()
    assert not Presence.objects.exists()


def test_budget_motion_form_names_what_is_missing(assembly, board_client):
    """A budget motion attaches activities drafted in the fund; it writes none of its own."""
    response = board_client.post(
        reverse("assemblies:motion_new", args=[assembly.pk]),
        {
            "kind": "budget",
            "title": "Plan 2026",
            "majority": "absolute",
            "method": "hands",
            "season": "",
            "activities": ["999999"],
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Elija la campaña" in text and "Una de las actividades elegidas no existe." in text
    assert not Motion.objects.exists()


def test_motion_page_says_who_opened_closed_and_withdrew(assembly, board, board_client, make_user):
    secretary = make_user("consejo_administracion", username="secretaria")
    check_in_many(assembly, board, 7)
    services.open_session(assembly=assembly, call="first", user=board)
    draft = {
        "assembly": assembly,
        "kind": "resolution",
        "majority": "simple",
        "method": "paper",
        "user": board,
    }
    vote = services.draft_motion(title="Aprobar la memoria 2025", **draft)
    services.open_motion(motion=vote, user=board)
    services.close_voting(motion=vote, user=secretary)
    withdrawn = services.draft_motion(title="Reformar el estatuto", **draft)
    services.cancel_motion(motion=withdrawn, reason="Se verá en la próxima asamblea", user=secretary)

    page = board_client.get(vote.get_absolute_url()).content.decode()
    assert "Apertura de la votación</dt><dd>presidenta · " in page
    assert "Cierre de la votación</dt><dd>secretaria · " in page
    page = board_client.get(withdrawn.get_absolute_url()).content.decode()
    assert "Retirada (secretaria): Se verá en la próxima asamblea" in page
    assert "Apertura de la votación" not in page


def test_live_quorum_shows_present_represented_and_each_call(assembly, board, board_client):
    check_in_many(assembly, board, 5)
    services.register_proxy(
        assembly=assembly,
        represented=entry(assembly, "S-00009"),
        holder=entry(assembly, "S-00001"),
        letter="CP-1",
        user=board,
    )
    text = board_client.get(reverse("assemblies:session_live", args=[assembly.pk])).content.decode()
    assert 'data-testid="present">5<' in text and 'data-testid="represented">1<' in text
    assert "Falta 1<" in text and "Faltan 1" not in text  # more than half of 12 = 7 on first call
    assert "Hay quórum" in text  # at least a quarter of 12 = 3 on second call


def test_minutes_pdf_states_attendance_quorum_results_and_the_hash_the_page_shows(
    assembly, board, board_client
):
    closed = held(assembly, board)
    page = board_client.get(closed.get_absolute_url()).content.decode()
    assert closed.minutes_hash in page and "El acta se está preparando" in page
    build_minutes.call(closed.pk)  # the background task, run here
    page = board_client.get(closed.get_absolute_url()).content.decode()
    assert closed.minutes_hash in page and "El acta se está preparando" not in page
    text = pdf_text(board_client.get(reverse("assemblies:minutes", args=[closed.pk])))
    flat = " ".join(text.split())
    assert closed.minutes_hash in "".join(text.split())  # printed in small type, may wrap
    assert "7 presentes y 1 representado;" in flat and "exigido 7" in flat
    motion = closed.motions.get()
    assert motion.result_text in flat
    for i in range(1, 8):
        assert f"S-{i:05d} · Socia Número {i}" in flat
    assert "S-00012 · Socia Número 12" in flat and "CP-031" in flat
    assert "Presidente(a) de la asamblea" in flat and "Secretario(a)" in flat


def test_the_minutes_code_is_the_same_whatever_language_closes_or_verifies_it(assembly, board):
    """The acta's facts name things in words («Ordinaria», «Resultado publicado»); the code takes them
    in the cooperative's language, so an assembly closed or verified in English still matches."""
    with translation.override("en"):
        closed = held(assembly, board)
        in_english = minutes_hash(closed)
    assert in_english == minutes_hash(closed) == closed.minutes_hash


def test_minutes_verification_is_public_and_notices_tampering(assembly, board, client):
    closed = held(assembly, board)
    url = reverse("minutes_verify", args=[closed.verification_key])
    assert "Acta auténtica" in client.get(url).content.decode()
    Motion.objects.filter(pk=closed.motions.get().pk).update(result_text="Aprobada por unanimidad")
    # The page shows the facts kept at closing; checking against the records notices the change.
    assert "Acta auténtica" in client.get(url).content.decode()
    assert "ya no coinciden con el acta emitida" in client.get(url, {"comprobar": "1"}).content.decode()


def test_call_notice_and_signature_sheet(assembly, board, board_client):
    services.draft_motion(
        assembly=assembly,
        kind="resolution",
        title="Reforma del artículo 40",
        majority="qualified",
        method="paper",
        user=board,
    )
    notice = " ".join(
        pdf_text(board_client.get(reverse("assemblies:call_notice", args=[assembly.pk]))).split()
    )
    assert "Local comunal de Chazuta" in notice and "1. Plan de uso de la prima" not in notice
    assert "Plan de uso de la prima" in notice and "Reforma del artículo 40" in notice
    assert "quórum: más de la mitad del padrón (12 socios hábiles)" in notice
    assert "como máximo a 2" in notice
    sheet = " ".join(
        pdf_text(board_client.get(reverse("assemblies:signature_sheet", args=[assembly.pk]))).split()
    )
    for i in range(1, 13):
        assert f"Socia Número {i}" in sheet
    assert "Firma o huella" in sheet


def test_minutes_wait_for_the_close(assembly, board_client):
    response = board_client.get(reverse("assemblies:minutes", args=[assembly.pk]), follow=True)
    assert "El acta se emite al cerrar la asamblea" in response.content.decode()


def test_desk_buttons_carry_ids_without_thousands_separators(assembly, board_client):
    """Peru's number format writes 12,345: an id in a form must stay 12345, or the click fails."""
    from assemblies.models import RollEntry

    (member,) = make_members(1, start=777)
    RollEntry(
        pk=12345,
        assembly=assembly,
        member=member,
        position=999,
        code="S-77777",
        dni="47777777",
        name="Socia Con Id Grande",
    ).save()
    page = board_client.get(
        reverse("assemblies:desk", args=[assembly.pk]), {"q": "Id Grande"}
    ).content.decode()
    assert 'name="entry" value="12345"' in page


def test_the_minutes_list_the_attendees_as_their_presences_say(assembly, board):
    """The acta's attendees are read as plain values; they are what the presences themselves say."""
    from assemblies.minutes import attendance, minutes_facts

    closed = held(assembly, board)
    rows = list(attendance(closed))
    facts = minutes_facts(closed)
    assert facts["present"] == [
        [p.entry.code, p.entry.name, p.entry.dni] for p in rows if p.kind == "present"
    ]
    assert facts["represented"] == [
        [p.entry.code, p.entry.name, p.holder.code, p.holder.name, p.event.letter]
        for p in rows
        if p.kind == "represented"
    ]
    assert len(facts["present"]) == 7 and facts["represented"][0][-1] == "CP-031"


def test_the_attendance_list_and_who_has_not_voted_come_in_pages(assembly, board, board_client, monkeypatch):
    monkeypatch.setattr("assemblies.views.ATTENDANCE_PAGE_SIZE", 5)
    check_in_many(assembly, board, 7)
    services.open_session(assembly=assembly, call="first", user=board)
    url = reverse("assemblies:attendance_list", args=[assembly.pk])
    first = board_client.get(url).content.decode()
    assert "7 presentes y 0 representados" in first and "Página 1 de 2" in first
    assert "S-00005" in first and "S-00006" not in first
    second = board_client.get(url, {"page": 2}).content.decode()
    assert "S-00006" in second and "S-00007" in second and "S-00001" not in second
    vote = services.draft_motion(
        assembly=assembly,
        kind="resolution",
        title="Afiliación a la central",
        majority="simple",
        method="electronic",
        user=board,
    )
    services.open_motion(motion=vote, user=board)
    waiting = board_client.get(reverse("assemblies:not_voted", args=[assembly.pk, vote.number]), {"page": 2})
    assert "S-00007" in waiting.content.decode() and "S-00001" not in waiting.content.decode()


def test_the_assembly_list_counts_attendees_and_motions_newest_first(assembly, board, board_client):
    closed = held(assembly, board)
    first_call = closed.first_call_at + timedelta(days=30)
    later = convene(board, first_call_at=first_call, second_call_at=first_call + timedelta(minutes=30))
    page = board_client.get(reverse("assemblies:assembly_list")).content.decode()
    rows = page.split("<tbody>")[1].split("</tr>")
    assert str(later) in rows[0] and str(closed) in rows[1]
    assert '<td class="num">8</td><td class="num">1</td>' in rows[1]  # 7 present + 1 represented, 1 motion
    assert '<td class="num">0</td><td class="num">0</td>' in rows[0]
