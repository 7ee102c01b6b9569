"""Members who take part from home (virtual and hybrid assemblies): voting codes, the member's own page,
attendance counted as «virtual», votes as secret as in the booth, and the minutes that say so."""

import csv
import io
import zipfile

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from assemblies import letters, selectors, services
from assemblies.kept import build_minutes
from assemblies.letters import make_letters
from assemblies.minutes import minutes_facts
from assemblies.models import (
    AttendanceEvent,
    BallotCast,
    BallotCounter,
    LetterRun,
    Presence,
    PresenceKind,
    RemoteCode,
)
from tests.assemblies.factories import check_in_many, convene, entry, make_members, make_rules

SIGN_IN = "/asamblea-virtual/entrar/"
HOME = "/asamblea-virtual/"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()  # the failed-attempt counts live in the cache
    yield
    cache.clear()


@pytest.fixture
def board(make_user):
    return make_user("consejo_administracion", username="presidenta")


def hybrid(board, **overrides):
    return convene(board, mode="hybrid", link="https://reunion.example.org/asamblea", **overrides)


@pytest.fixture
def assembly(db, board):
    make_rules()
    make_members(10)
    return hybrid(board)


def codes_of(assembly, board) -> dict[str, str]:
    """Member code → voting code, as the board's download gives them."""
    return {e.code: code for e, code in services.issue_remote_codes(assembly=assembly, user=board)}


def signed_in(code: str, dni: str, address: str = "10.0.0.1") -> Client:
    member = Client(REMOTE_ADDR=address)
    response = member.post(SIGN_IN, {"dni": dni, "code": code})
    assert response.status_code == 302, response.content.decode()[:500]
    return member


def pdf_text(content: bytes) -> str:
    return " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())


# --- Codes ------------------------------------------------------------------------------------------


def letters_run_page(client, assembly, django_capture_on_commit_callbacks):
    """The board asks for the missing codes: the letters are queued and the page shows their progress."""
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(reverse("assemblies:remote_codes", args=[assembly.pk]), {"action": "all"})
    run = LetterRun.objects.get()
    assert response["Location"] == reverse("assemblies:letter_run", args=[assembly.pk, run.pk])
    assert len(queued) == 1  # one task, queued when the request commits
    return run, response["Location"]


def test_the_board_downloads_letters_and_sms_texts_and_minka_keeps_only_a_hash(
    assembly, board, client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.VAR_DIR = tmp_path
    client.force_login(board)
    page = client.get(assembly.get_absolute_url()).content.decode()
    assert "0 socios del padrón de 10 tienen su código" in page
    run, location = letters_run_page(client, assembly, django_capture_on_commit_callbacks)
    assert "En cola" in client.get(location).content.decode()
    assert not RemoteCode.objects.exists()  # the codes are made with their letters, by the task
    assert client.get(reverse("assemblies:letter_run_zip", args=[assembly.pk, run.pk])).status_code == 404

    assert make_letters.call(run.pk, 1) == 10

    page = client.get(location).content.decode()
    assert "10 cartas y sus SMS" in page and "Descargar ZIP" in page
    response = client.get(reverse("assemblies:letter_run_zip", args=[assembly.pk, run.pk]))
    assert response["Content-Type"] == "application/zip" and response["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    letters = pdf_text(archive.read("cartas-codigos.pdf"))
    rows = list(csv.reader(io.StringIO(archive.read("sms-codigos.csv").decode("utf-8-sig"))))
    assert rows[0] == ["codigo_socio", "nombres", "dni", "telefono", "codigo_voto", "mensaje"]
    assert len(rows) == 11 and len(PdfReader(io.BytesIO(archive.read("cartas-codigos.pdf"))).pages) == 10
    first = rows[1]
    assert first[0] == "S-00001" and first[2] == "40000001" and first[4] in first[5]
    assert "Socia Número 1" in letters and first[4] in letters and "/asamblea-virtual/" in letters
    assert "Registrar mi asistencia" in letters
    stored = RemoteCode.objects.get(entry__code="S-00001")
    assert first[4].replace("-", "") not in stored.code_hash and len(stored.code_hash) == 64
    # A second request makes no new codes for those who have one.
    again = client.post(
        reverse("assemblies:remote_codes", args=[assembly.pk]), {"action": "all"}, follow=True
    )
    assert "Todos los socios del padrón ya tienen su código de voto." in again.content.decode()
    assert RemoteCode.objects.filter(assembly=assembly).count() == 10 and LetterRun.objects.count() == 1
    # The member signs in with the printed code, dashes and case as typed.
    assert signed_in(first[4].lower(), first[2]).get(HOME).status_code == 200


def test_letters_that_fail_are_reported_and_made_again_with_new_codes_for_the_same_members(
    assembly, board, client, settings, tmp_path, django_capture_on_commit_callbacks, monkeypatch
):
    settings.VAR_DIR = tmp_path
    client.force_login(board)
    run, location = letters_run_page(client, assembly, django_capture_on_commit_callbacks)
    real_pdf = letters.letters_pdf
    monkeypatch.setattr(letters, "LETTERS_PER_PART", 4)

    def out_of_paper(assembly, made, **kwargs):
        if made[0][0].code == "S-00005":
            raise OSError("disco lleno")
        return real_pdf(assembly, made, **kwargs)

    monkeypatch.setattr(letters, "letters_pdf", out_of_paper)
    with pytest.raises(OSError):
        make_letters.call(run.pk, 1)
    run.refresh_from_db()
    assert (run.status, run.done, run.error, run.filename) == ("failed", 4, "disco lleno", "")
    assert not list((tmp_path / "cartas-voto").glob("*"))  # nothing half-written
    page = client.get(location).content.decode()
    assert (
        "No se pudieron preparar las cartas: disco lleno" in page and "Preparar las cartas otra vez" in page
    )
    lost = dict(RemoteCode.objects.filter(replaced_at__isnull=True).values_list("entry_id", "code_hash"))
    assert len(lost) == 10  # made, but on no paper: the next attempt replaces them

    monkeypatch.setattr(letters, "letters_pdf", real_pdf)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("assemblies:remote_codes", args=[assembly.pk]), {"action": "all"})
    assert response["Location"] == location
    assert make_letters.call(run.pk, 1) == 0  # the failed attempt's task stands down
    assert make_letters.call(run.pk, 2) == 10
    run.refresh_from_db()
    assert (run.status, run.done, run.attempt) == ("done", 10, 2)
    fresh = dict(RemoteCode.objects.filter(replaced_at__isnull=True).values_list("entry_id", "code_hash"))
    assert fresh.keys() == lost.keys() and not set(fresh.values()) & set(lost.values())


def test_an_in_person_assembly_has_no_codes(db, board):
    make_rules()
    make_members(3)
    in_person = convene(board)
    with pytest.raises(ValidationError, match="La asamblea es presencial"):
        services.issue_remote_codes(assembly=in_person, user=board)
    assert not RemoteCode.objects.exists()


def test_a_new_code_for_a_lost_letter_replaces_the_old_one(assembly, board, client):
    old = codes_of(assembly, board)["S-00002"]
    client.force_login(board)
    response = client.post(
        reverse("assemblies:remote_codes", args=[assembly.pk]), {"action": "member", "member": "40000002"}
    )
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    rows = list(csv.reader(io.StringIO(archive.read("sms-codigos.csv").decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["S-00002"]
    new = rows[1][4]
    refused = Client(REMOTE_ADDR="10.0.0.9").post(SIGN_IN, {"dni": "40000002", "code": old})
    assert "El DNI y el código no coinciden" in refused.content.decode()
    assert signed_in(new, "40000002").get(HOME).status_code == 200


def test_a_code_works_for_its_own_assembly_only(assembly, board):
    other = hybrid(board, agenda="1. Reforma del estatuto")
    mine = codes_of(assembly, board)["S-00003"]
    codes_of(other, board)
    page = signed_in(mine, "40000003").get(HOME).content.decode()
    assert "Informe del consejo" in page and "Reforma del estatuto" not in page
    # The same code with another member's DNI opens nothing.
    wrong = Client(REMOTE_ADDR="10.0.0.5").post(SIGN_IN, {"dni": "40000004", "code": mine})
    assert "El DNI y el código no coinciden" in wrong.content.decode()


# --- Sign-in: one browser at a time, guessing throttled --------------------------------------------


def test_a_second_sign_in_ends_the_first_browsers_session(assembly, board):
    code = codes_of(assembly, board)["S-00004"]
    phone = signed_in(code, "40000004")
    assert "Registrar mi asistencia" in phone.get(HOME).content.decode()
    laptop = signed_in(code, "40000004", address="10.0.0.2")
    page = phone.get(HOME).content.decode()
    assert "Su sesión terminó: su código se usó para ingresar en otro equipo" in page
    assert phone.post("/asamblea-virtual/asistencia/").status_code == 200  # the sign-in form, nothing done
    assert not Presence.objects.exists()
    assert "Registrar mi asistencia" in laptop.get(HOME).content.decode()


def test_guessing_codes_is_stopped_per_address(assembly, board):
    code = codes_of(assembly, board)["S-00005"]
    guesser = Client(REMOTE_ADDR="10.9.9.9")
    for n in range(10):
        response = guesser.post(SIGN_IN, {"dni": "40000005", "code": f"AAAA-AA{n:02d}"})
        assert response.status_code == 200
    blocked = guesser.post(SIGN_IN, {"dni": "40000005", "code": code})
    assert blocked.status_code == 429
    assert "Demasiados intentos con un DNI o código equivocado" in blocked.content.decode()
    assert RemoteCode.objects.get(entry__code="S-00005").session_key is None
    assert signed_in(code, "40000005", address="10.1.1.1").get(HOME).status_code == 200


def test_an_empty_box_is_asked_for_and_not_counted_as_a_guess(assembly, board):
    code = codes_of(assembly, board)["S-00005"]
    member = Client(REMOTE_ADDR="10.9.9.8")
    for data in ({}, {"dni": "40000005"}, {"code": code}) * 5:
        response = member.post(SIGN_IN, data)
        assert response.status_code == 200
        assert "Escriba su DNI y el código de su carta." in response.content.decode()
    signed = member.post(SIGN_IN, {"dni": "40000005", "code": code})
    assert signed.status_code == 302
    assert "Registrar mi asistencia" in member.get(HOME).content.decode()


def test_guessing_codes_is_stopped_per_assembly_from_many_addresses(assembly, board):
    code = codes_of(assembly, board)["S-00006"]
    for n in range(100):
        Client(REMOTE_ADDR=f"10.2.{n // 200}.{n % 200}").post(
            SIGN_IN, {"dni": "40000007", "code": "ZZZZ-ZZZZ"}
        )
    blocked = Client(REMOTE_ADDR="10.3.3.3").post(SIGN_IN, {"dni": "40000006", "code": code})
    assert blocked.status_code == 429 and "espere 15 minutos" in blocked.content.decode()


# --- Attendance, in person or from home, never both -------------------------------------------------


def test_virtual_attendance_counts_in_the_quorum_apart_from_in_person(assembly, board, client):
    codes = codes_of(assembly, board)
    check_in_many(assembly, board, 2)
    services.register_proxy(
        assembly=assembly,
        represented=entry(assembly, "S-00009"),
        holder=entry(assembly, "S-00001"),
        letter="CP-1",
        user=board,
    )
    member = signed_in(codes["S-00005"], "40000005")
    member.post("/asamblea-virtual/asistencia/")
    page = member.get(HOME).content.decode()
    assert "Su asistencia virtual quedó registrada" in page
    assert Presence.objects.get(entry__code="S-00005").kind == PresenceKind.VIRTUAL
    assert AttendanceEvent.objects.get(entry__code="S-00005").recorded_by is None
    assert selectors.attendance_split(assembly) == (2, 1, 1)
    assert selectors.attendance_counts(assembly) == (3, 1)
    client.force_login(board)
    live = client.get(reverse("assemblies:session_live", args=[assembly.pk])).content.decode()
    assert "2 en persona · 1 en forma virtual" in live
    listing = client.get(reverse("assemblies:attendance_list", args=[assembly.pk])).content.decode()
    assert "Por forma de asistencia: 2 en persona, 1 en forma virtual, 1 representado." in listing
    assert "Presente en forma virtual" in listing
    desk = client.get(reverse("assemblies:desk", args=[assembly.pk]) + "?q=S-00005").content.decode()
    assert "Virtual (desde su casa)" in desk
    opened = services.open_session(assembly=assembly, call="second", user=board)
    assert (opened.quorum_present, opened.quorum_virtual, opened.quorum_represented) == (3, 1, 1)


def test_a_member_is_in_person_or_at_home_never_both(assembly, board):
    codes = codes_of(assembly, board)
    services.check_in(assembly=assembly, entry=entry(assembly, "S-00001"), user=board)
    at_desk = signed_in(codes["S-00001"], "40000001")
    page = at_desk.post("/asamblea-virtual/asistencia/").content.decode()
    assert "registró su asistencia en persona, en la mesa" in page and "vota en la cabina" in page
    assert Presence.objects.get(entry__code="S-00001").kind == PresenceKind.PRESENT

    at_home = signed_in(codes["S-00002"], "40000002")
    at_home.post("/asamblea-virtual/asistencia/")
    with pytest.raises(ValidationError, match="ya asiste en forma virtual, desde su casa"):
        services.check_in(assembly=assembly, entry=entry(assembly, "S-00002"), user=board)
    with pytest.raises(ValidationError, match="Un socio presente no da poder"):
        services.register_proxy(
            assembly=assembly,
            represented=entry(assembly, "S-00002"),
            holder=entry(assembly, "S-00001"),
            letter="CP-2",
            user=board,
        )
    services.register_proxy(
        assembly=assembly,
        represented=entry(assembly, "S-00003"),
        holder=entry(assembly, "S-00001"),
        letter="CP-3",
        user=board,
    )
    represented = signed_in(codes["S-00003"], "40000003")
    assert "vota su apoderado" in represented.post("/asamblea-virtual/asistencia/").content.decode()
    # The member at home arrives at the venue: the desk undoes the virtual attendance first.
    services.undo_attendance(
        assembly=assembly, entry=entry(assembly, "S-00002"), reason="Llegó al local", user=board
    )
    services.check_in(assembly=assembly, entry=entry(assembly, "S-00002"), user=board)
    assert (
        "registró su asistencia en persona" in at_home.post("/asamblea-virtual/asistencia/").content.decode()
    )


# --- Voting from home --------------------------------------------------------------------------------


def open_vote(assembly, board, *, secret=True):
    motion = services.draft_motion(
        assembly=assembly,
        kind="resolution",
        title="Afiliación a la central regional",
        majority="simple",
        method="electronic",
        secret=secret,
        user=board,
    )
    return services.open_motion(motion=motion, user=board)


def test_a_member_votes_from_home_as_secretly_as_in_the_booth(assembly, board):
    codes = codes_of(assembly, board)
    check_in_many(assembly, board, 4)
    member = signed_in(codes["S-00007"], "40000007")
    member.post("/asamblea-virtual/asistencia/")
    services.open_session(assembly=assembly, call="second", user=board)
    motion = open_vote(assembly, board)
    page = member.get(HOME).content.decode()
    assert "Votación abierta: 1. Afiliación a la central regional" in page and "Voto secreto" in page
    booth = services.open_booth(assembly=assembly, user=board)
    with pytest.raises(ValidationError, match="asiste en forma virtual: vota desde su casa"):
        services.unlock_booth(booth=booth, person=entry(assembly, "S-00007"), user=board)
    yes = motion.options.get(kind="yes")
    response = member.post("/asamblea-virtual/votar/", {"motion": "1", "option": str(yes.pk)})
    assert response.status_code == 302
    assert "Voto registrado" in member.get(response["Location"]).content.decode()
    cast = BallotCast.objects.get(motion=motion)
    assert cast.voter.code == "S-00007" and cast.option is None and cast.remote and cast.recorded_by is None
    assert dict(BallotCounter.objects.values_list("option__kind", "count")) == {
        "yes": 1,
        "no": 0,
        "abstain": 0,
    }
    again = member.post("/asamblea-virtual/votar/", {"motion": "1", "option": str(yes.pk)}).content.decode()
    assert "ya votó en esta moción" in again and BallotCast.objects.count() == 1
    # A member present in person cannot vote from home.
    in_person = signed_in(codes["S-00001"], "40000001")
    refused = in_person.post("/asamblea-virtual/votar/", {"motion": "1", "option": str(yes.pk)})
    assert "vota en la cabina del local" in refused.content.decode() and BallotCast.objects.count() == 1
    with pytest.raises(ValidationError, match="4 presentes aún no votan"):
        services.close_voting(motion=motion, user=board)
    services.close_voting(motion=motion, user=board, confirm=True)
    assert "No hay una votación abierta para usted ahora" in member.get(HOME).content.decode()
    turnout = selectors.turnout(motion)
    assert (turnout["voted"], turnout["of"], turnout["remote"]) == (1, 5, 1)


def test_the_minutes_state_virtual_attendance_and_votes_from_home(assembly, board, client):
    codes = codes_of(assembly, board)
    check_in_many(assembly, board, 3)
    for code in ("S-00008", "S-00009"):
        signed_in(codes[code], f"4{code[2:].rjust(7, '0')}").post("/asamblea-virtual/asistencia/")
    services.open_session(assembly=assembly, call="second", user=board)
    motion = open_vote(assembly, board)
    member = signed_in(codes["S-00008"], "40000008")
    member.post("/asamblea-virtual/votar/", {"motion": "1", "option": str(motion.options.get(kind="no").pk)})
    services.close_voting(motion=motion, user=board, confirm=True)
    services.publish_motion(motion=motion, user=board)
    services.close_assembly(assembly=assembly, user=board)
    assembly.refresh_from_db()
    facts = minutes_facts(assembly)
    assert [row[0] for row in facts["virtual"]] == ["S-00008", "S-00009"] and facts["quorum_virtual"] == 2
    assert [row[0] for row in facts["present"]] == ["S-00001", "S-00002", "S-00003"]
    build_minutes.call(assembly.pk)
    client.force_login(board)
    text = pdf_text(client.get(reverse("assemblies:minutes", args=[assembly.pk])).content)
    assert "De los presentes, 2 en forma virtual." in text
    assert "Asistentes en persona (3 presentes al cierre)" in text
    assert "Asistentes en forma virtual (2 presentes al cierre)" in text
    assert "Votaron 1 de 5 presentes y representados. 1 votó desde su casa." in text
    # The member's session ends with the assembly.
    assert "Su sesión terminó" in member.get(HOME).content.decode()


def test_minutes_of_an_in_person_assembly_keep_their_facts(db, board):
    make_rules()
    make_members(4)
    in_person = convene(board)
    check_in_many(in_person, board, 3)
    services.open_session(assembly=in_person, call="first", user=board)
    services.close_assembly(assembly=in_person, user=board)
    in_person.refresh_from_db()
    facts = minutes_facts(in_person)
    assert "virtual" not in facts and "quorum_virtual" not in facts
    assert in_person.quorum_virtual is None
