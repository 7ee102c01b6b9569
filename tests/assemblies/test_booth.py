"""The voting booth as a device, the desk that unlocks it, turnout when a vote closes, and why a member
is not on the roll — as the board, the desk and the voter meet them."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assemblies import booth as booth_device
from assemblies import selectors, services
from assemblies.kept import build_minutes
from assemblies.models import Ballot, BallotCast, BallotCounter, Booth, BoothUnlock, MotionStatus
from coop.models import Member, MemberStatus
from coop.services import change_member_status
from tests.assemblies.factories import check_in_many, convene, entry, make_members, make_rules


@pytest.fixture
def board(make_user):
    return make_user("consejo_administracion", username="presidenta")


@pytest.fixture
def clerk(make_user):
    return make_user("acopiador", username="mesa1")


@pytest.fixture
def assembly(db, board):
    make_rules()
    make_members(12)
    assembly = convene(board)
    check_in_many(assembly, board, 8)
    services.register_proxy(
        assembly=assembly,
        represented=entry(assembly, "S-00012"),
        holder=entry(assembly, "S-00001"),
        letter="CP-007",
        user=board,
    )
    return services.open_session(assembly=assembly, call="first", user=board)


def electronic(assembly, board, *, secret=True, open_it=True, title="Aprobar la memoria 2025"):
    motion = services.draft_motion(
        assembly=assembly,
        kind="resolution",
        title=title,
        majority="simple",
        method="electronic",
        secret=secret,
        user=board,
    )
    return services.open_motion(motion=motion, user=board) if open_it else motion


def booth_client(assembly, board) -> tuple[Client, Booth]:
    """A browser the board turned into a booth through the page, as at the assembly."""
    device = Client()
    device.force_login(board)
    response = device.post(reverse("assemblies:booth_open", args=[assembly.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("booth:screen")
    return device, Booth.objects.filter(assembly=assembly).order_by("-number").first()


def pdf_text(response) -> str:
    return " ".join(
        "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).split()
    )


# --- The booth is a device, not a session -------------------------------------------------------


def test_opening_a_booth_signs_the_board_out_and_the_browser_opens_only_the_booth(assembly, board):
    device, booth = booth_client(assembly, board)
    assert "_auth_user_id" not in device.session
    assert booth_device.COOKIE in device.cookies
    screen = device.get(reverse("booth:screen"))
    page = screen.content.decode()
    assert screen.status_code == 200 and "Cabina lista" in page and "Cabina 1" in page
    assert "<a " not in page and "<nav" not in page  # nothing leads out of the booth
    assert screen["Cache-Control"].startswith("max-age=0") or "no-cache" in screen["Cache-Control"]
    for url in (
        "/fondo/",
        "/ventas/",
        "/admin/",
        "/admin/auth/user/",
        "/asambleas/",
        reverse("assemblies:desk", args=[assembly.pk]),
        reverse("coop:member_list"),
        reverse("login"),
        "/",
    ):
        refused = device.get(url)
        assert refused.status_code == 403, url
        assert "Este equipo es una cabina de votación" in refused.content.decode(), url
    # Signing in again from the booth is refused too: the sign-in page is not the booth.
    response = device.post(reverse("login"), {"username": "presidenta", "password": "clave-de-prueba-123"})
    assert response.status_code == 403 and "_auth_user_id" not in device.session


def test_a_forged_or_foreign_booth_token_shows_no_ballot(assembly, board, client):
    _device, booth = booth_client(assembly, board)
    client.cookies[booth_device.COOKIE] = f"{booth.pk}:forged"
    page = client.get(reverse("booth:screen")).content.decode()
    assert "Este equipo no es una cabina" in page
    assert client.get("/fondo/").status_code == 403  # still no way into Minka with the cookie
    client.post(reverse("booth:release"))
    assert booth_device.COOKIE not in client.cookies or not client.cookies[booth_device.COOKIE].value


def test_only_the_board_and_administration_open_booths(assembly, clerk, client):
    client.force_login(clerk)
    assert client.post(reverse("assemblies:booth_open", args=[assembly.pk])).status_code == 403
    assert not Booth.objects.exists()


# --- The desk unlocks, the voter votes ------------------------------------------------------------


def test_the_desk_unlocks_a_booth_and_the_voter_alone_votes(assembly, board, clerk):
    motion = electronic(assembly, board)
    device, booth = booth_client(assembly, board)
    desk = Client()
    desk.force_login(clerk)
    response = desk.post(
        reverse("assemblies:booth_action", args=[assembly.pk]),
        {"action": "unlock", "person": "40000003", "booth": booth.pk},  # by DNI
        follow=True,
    )
    assert "Cabina 1 habilitada: vota S-00003 · Socia Número 3" in response.content.decode()
    page = device.get(reverse("booth:screen")).content.decode()
    assert "S-00003" in page and "Socia Número 3" in page and "Aprobar la memoria 2025" in page
    assert "A favor" in page and "En contra" in page and "<a " not in page
    yes = motion.options.get(kind="yes")
    response = device.post(reverse("booth:vote"), {"option": yes.pk})
    assert response["Location"] == reverse("booth:done")
    done = device.get(reverse("booth:done")).content.decode()
    assert "Voto registrado" in done and 'http-equiv="refresh"' in done
    cast = BallotCast.objects.get()
    assert (cast.voter.code, cast.cast_by.code, cast.recorded_by, cast.option) == (
        "S-00003",
        "S-00003",
        clerk,
        None,
    )
    # A secret vote: the choice is only in the option counters until the voting closes.
    assert dict(motion.counters.values_list("option__kind", "count")) == {"yes": 1, "no": 0, "abstain": 0}
    assert not Ballot.objects.exists()
    # Back to waiting; going back and voting again records nothing.
    assert "Cabina lista" in device.get(reverse("booth:screen")).content.decode()
    again = device.post(reverse("booth:vote"), {"option": motion.options.get(kind="no").pk})
    assert again.status_code == 400 and "no está habilitada" in again.content.decode()
    assert sum(motion.counters.values_list("count", flat=True)) == 1 and BallotCast.objects.count() == 1


def test_a_voter_is_unlocked_once_per_motion(assembly, board):
    motion = electronic(assembly, board)
    first = services.open_booth(assembly=assembly, user=board)
    second = services.open_booth(assembly=assembly, user=board)
    voter = entry(assembly, "S-00002")
    services.unlock_booth(booth=first, person=voter, user=board)
    with pytest.raises(ValidationError, match="ya fue habilitado .* en Cabina 1: se habilita una sola vez"):
        services.unlock_booth(booth=second, person=voter, user=board)
    with pytest.raises(ValidationError, match="Cabina 1 está ocupada: espera el voto de S-00002"):
        services.unlock_booth(booth=first, person=entry(assembly, "S-00004"), user=board)
    # Walked away without voting: the desk locks the booth and may unlock the voter again.
    services.withdraw_unlock(booth=first, user=board)
    services.unlock_booth(booth=second, person=voter, user=board)
    services.vote_at_booth(booth=second, option_id=motion.options.get(kind="no").pk)
    with pytest.raises(ValidationError, match="S-00002 · Socia Número 2 ya votó"):
        services.unlock_booth(booth=first, person=voter, user=board)
    assert BoothUnlock.objects.filter(voter=voter).count() == 2
    # Someone not checked in, and a member represented by a proxy, are not let in themselves.
    with pytest.raises(ValidationError, match="no registró su asistencia"):
        services.unlock_booth(booth=first, person=entry(assembly, "S-00010"), user=board)
    with pytest.raises(ValidationError, match="vota su apoderado"):
        services.unlock_booth(booth=first, person=entry(assembly, "S-00012"), user=board)


def test_the_second_unlock_is_refused_clearly_at_the_desk(assembly, board, clerk, client):
    electronic(assembly, board)
    booth = services.open_booth(assembly=assembly, user=board)
    other = services.open_booth(assembly=assembly, user=board)
    client.force_login(clerk)
    url = reverse("assemblies:booth_action", args=[assembly.pk])
    client.post(url, {"action": "unlock", "person": "S-00005", "booth": booth.pk})
    page = client.post(url, {"action": "unlock", "person": "s-00005", "booth": other.pk}, follow=True)
    assert "se habilita una sola vez por moción" in page.content.decode()
    assert BoothUnlock.objects.count() == 1


def test_a_proxy_holder_chooses_whom_they_vote_for(assembly, board, clerk, client):
    motion = electronic(assembly, board)
    booth = services.open_booth(assembly=assembly, user=board)
    client.force_login(clerk)
    url = reverse("assemblies:booth_action", args=[assembly.pk])
    asked = client.post(url, {"action": "unlock", "person": "S-00001", "booth": booth.pk}, follow=True)
    page = asked.content.decode()
    assert "tiene poderes: ¿por quién vota ahora?" in page and "S-00012 · Socia Número 12" in page
    assert not BoothUnlock.objects.exists()
    represented = entry(assembly, "S-00012")
    client.post(url, {"action": "unlock", "person": "S-00001", "voter": represented.pk, "booth": booth.pk})
    services.vote_at_booth(booth=booth, option_id=motion.options.get(kind="yes").pk)
    cast = BallotCast.objects.get()
    assert (cast.voter.code, cast.cast_by.code) == ("S-00012", "S-00001")
    # Someone without that proxy cannot vote for the represented member.
    with pytest.raises(ValidationError, match="no tiene poder de"):
        services.unlock_booth(booth=booth, person=entry(assembly, "S-00002"), voter=represented, user=board)


def test_closing_the_vote_locks_every_booth_and_closing_the_assembly_closes_them(assembly, board):
    motion = electronic(assembly, board)
    device, booth = booth_client(assembly, board)
    services.unlock_booth(booth=booth, person=entry(assembly, "S-00003"), user=board)
    assert "S-00003" in device.get(reverse("booth:screen")).content.decode()
    services.close_voting(motion=motion, user=board, confirm=True)
    assert selectors.waiting_unlock(booth) is None
    assert "Cabina lista" in device.get(reverse("booth:screen")).content.decode()
    refused = device.post(reverse("booth:vote"), {"option": motion.options.get(kind="yes").pk})
    assert refused.status_code == 400 and not Ballot.objects.exists() and not BallotCast.objects.exists()
    unlock = BoothUnlock.objects.get()
    assert unlock.withdrawn_at and "se cerró" in unlock.withdrawn_reason
    services.publish_motion(motion=motion, user=board)
    services.close_assembly(assembly=assembly, user=board)
    booth.refresh_from_db()
    assert booth.is_closed
    page = device.get(reverse("booth:screen")).content.decode()
    assert "Cabina cerrada" in page
    with pytest.raises(ValidationError, match="está cerrada"):
        services.unlock_booth(booth=booth, person=entry(assembly, "S-00004"), user=board)
    released = device.post(reverse("booth:release"))
    assert released["Location"] == reverse("login")
    assert device.get(reverse("login")).status_code == 200  # the device is given back


def test_withdrawing_the_motion_locks_its_booths(assembly, board, clerk, client):
    motion = electronic(assembly, board)
    booth = services.open_booth(assembly=assembly, user=board)
    services.unlock_booth(booth=booth, person=entry(assembly, "S-00003"), user=board)
    services.cancel_motion(motion=motion, reason="Se verá en otra asamblea", user=board)
    assert selectors.waiting_unlock(booth) is None
    with pytest.raises(ValidationError, match="no está habilitada"):
        services.vote_at_booth(booth=booth, option_id=motion.options.get(kind="yes").pk)
    # A tampered form at the desk is refused in words, not with an error page.
    client.force_login(clerk)
    url = reverse("assemblies:booth_action", args=[assembly.pk])
    page = client.post(
        url, {"action": "unlock", "person": "S-00001", "voter": "x", "booth": "y"}, follow=True
    )
    assert page.status_code == 200 and "Elija la cabina." in page.content.decode()
    # A withdrawn motion states no turnout.
    assert "Votaron" not in client.get(motion.get_absolute_url()).content.decode()


def test_the_ballot_cannot_be_matched_to_who_voted(assembly, board):
    motion = electronic(assembly, board)
    booth = services.open_booth(assembly=assembly, user=board)
    for code, kind in (("S-00002", "yes"), ("S-00003", "no"), ("S-00004", "yes")):
        services.unlock_booth(booth=booth, person=entry(assembly, code), user=board)
        services.vote_at_booth(booth=booth, option_id=motion.options.get(kind=kind).pk)
    # While the voting is open the choice is only in the option counters: no row per vote.
    assert not Ballot.objects.exists()
    assert {f.name for f in BallotCounter._meta.concrete_fields} == {"id", "motion", "option", "count"}
    # The anonymous ballot holds the choice and nothing else: no voter, no booth, no time. Its place in
    # the table's row chain is given when the ballots are sealed at closing, grouped by option (below).
    assert {f.name for f in Ballot._meta.concrete_fields} == {
        "id",
        "motion",
        "option",
        "chain_number",
        "chain_hash",
    }
    # Who voted (and the booth's record of them) never holds the choice.
    assert not BallotCast.objects.exclude(option=None).exists()
    assert not {"option", "ballot"} & {f.name for f in BoothUnlock._meta.concrete_fields}
    services.close_voting(motion=motion, user=board, confirm=True)
    # Closing writes the ballots in one batch, grouped by option: their order says only the totals.
    assert list(Ballot.objects.order_by("id").values_list("option__kind", flat=True)) == ["yes", "yes", "no"]
    assert list(Ballot.objects.order_by("chain_number").values_list("option__kind", flat=True)) == [
        "yes",
        "yes",
        "no",
    ]


# --- Turnout ------------------------------------------------------------------------------------


def test_closing_with_voters_missing_asks_for_confirmation_and_states_turnout(assembly, board, client):
    motion = electronic(assembly, board, secret=False)
    booth = services.open_booth(assembly=assembly, user=board)
    for code, kind in (("S-00002", "yes"), ("S-00003", "yes"), ("S-00004", "no")):
        services.unlock_booth(booth=booth, person=entry(assembly, code), user=board)
        services.vote_at_booth(booth=booth, option_id=motion.options.get(kind=kind).pk)
    client.force_login(board)
    url = reverse("assemblies:motion_action", args=[assembly.pk, motion.number])
    asked = client.post(url, {"action": "close"})
    page = asked.content.decode()
    assert asked.status_code == 200 and "6 presentes aún no votan" in page  # 8 present + 1 represented
    assert "Votaron 3 de 9 presentes y representados" in page and 'name="confirm" value="1"' in page
    motion.refresh_from_db()
    assert motion.status == MotionStatus.OPEN
    client.post(url, {"action": "close", "confirm": "1"})
    motion.refresh_from_db()
    assert motion.status == MotionStatus.COUNTING and motion.attending_at_close == 9
    detail = client.get(motion.get_absolute_url()).content.decode()
    assert "Votaron 3 de 9 presentes y representados." in detail and "Nulos: 0." in detail
    client.post(url, {"action": "publish"})
    services.close_assembly(assembly=assembly, user=board)
    build_minutes.call(assembly.pk)  # the background task, run here
    text = pdf_text(client.get(reverse("assemblies:minutes", args=[assembly.pk])))
    assert "Votaron 3 de 9 presentes y representados." in text and "Nulos: 0." in text


def test_when_everyone_voted_closing_needs_no_confirmation(assembly, board):
    motion = electronic(assembly, board)
    booth = services.open_booth(assembly=assembly, user=board)
    with pytest.raises(ValidationError, match="9 presentes aún no votan") as asked:
        services.close_voting(motion=motion, user=board)
    assert asked.value.code == "unconfirmed"
    voters = [e for e in assembly.roll.all() if hasattr(e, "presence") and e.presence.kind == "present"]
    for voter in voters:
        services.unlock_booth(booth=booth, person=voter, user=board)
        services.vote_at_booth(booth=booth, option_id=motion.options.get(kind="abstain").pk)
    services.unlock_booth(
        booth=booth, person=entry(assembly, "S-00001"), voter=entry(assembly, "S-00012"), user=board
    )
    services.vote_at_booth(booth=booth, option_id=motion.options.get(kind="yes").pk)
    services.close_voting(motion=motion, user=board)
    assert motion.__class__.objects.get(pk=motion.pk).status == MotionStatus.COUNTING


def test_a_paper_election_states_blank_votes_apart(assembly, board, client):
    election = services.draft_motion(
        assembly=assembly,
        kind="election",
        title="Comité de Educación",
        majority="simple",
        method="paper",
        candidates=["S-00001", "S-00002"],
        user=board,
    )
    services.open_motion(motion=election, user=board)
    # Rosa, Wilder, blank, abstention
    services.record_tally(
        motion=election, box="Ánfora 1", ballots_issued="8", counts={1: 4, 2: 1, 3: 2, 4: 1}, user=board
    )
    client.force_login(board)
    detail = client.get(election.get_absolute_url()).content.decode()
    assert "Votaron 8 de 9 presentes y representados." in detail and "En blanco: 2." in detail


# --- The desk: why a member is not on the roll -------------------------------------------------------


@pytest.fixture
def register(db, board):
    """A roll cut 30 days ago, and three members of the register who are not on it, each for a reason."""
    make_rules()
    make_members(4)
    suspended, joined_late, registered_late = make_members(3, start=5)
    cutoff = timezone.localdate() - timedelta(days=30)
    change_member_status(
        member=suspended,
        status=MemberStatus.SUSPENDED,
        effective_date=cutoff - timedelta(days=15),
        user=board,
    )
    joined_late.join_date = cutoff + timedelta(days=3)
    joined_late.save()
    registered_late.join_date = None  # registered today, after the cut-off, with no join date
    registered_late.save()
    # Registered long ago without a join date: on the roll.
    old = make_members(1, start=8)[0]
    Member.objects.filter(pk=old.pk).update(join_date=None, created_at=timezone.now() - timedelta(days=400))
    return convene(board, registered_before_cutoff=False), cutoff


def test_the_roll_leaves_out_members_registered_after_the_cut_off_without_a_join_date(register):
    assembly, _cutoff = register
    assert sorted(assembly.roll.values_list("code", flat=True)) == [
        "S-00001",
        "S-00002",
        "S-00003",
        "S-00004",
        "S-00008",
    ]
    assert assembly.roll_size == 5


def test_the_desk_names_why_a_member_is_not_on_the_roll(register, clerk, client):
    assembly, cutoff = register
    client.force_login(clerk)
    url = reverse("assemblies:desk", args=[assembly.pk])

    def desk_says(query):
        return " ".join(client.get(url, {"q": query}).content.decode().split())

    day = cutoff.strftime("%d/%m/%Y")
    suspended_on = (cutoff - timedelta(days=15)).strftime("%d/%m/%Y")
    assert (
        f"S-00005 · Socia Número 5 no estaba hábil en la fecha de corte ({day}): "
        f"«Suspendido» desde el {suspended_on}." in desk_says("S-00005")
    )
    joined = (cutoff + timedelta(days=3)).strftime("%d/%m/%Y")
    assert (
        f"S-00006 · Socia Número 6 ingresó el {joined}, después de la fecha de corte del padrón ({day})."
        in (desk_says("40000006"))
    )
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert f"fue registrado el {today}, sin fecha de ingreso, después de la fecha de corte" in desk_says(
        "s-00007"
    )
    assert "«S-99999» no es código ni DNI de ningún socio del registro: no es socio." in desk_says("S-99999")
    on_roll = desk_says("S-00001")
    assert "no estaba hábil" not in on_roll and "no es socio" not in on_roll
    # The desk checked nobody in for these attempts.
    assert not assembly.presences.exists()


def test_the_code_box_comes_before_anything_else_on_the_desk(assembly, clerk, client):
    client.force_login(clerk)
    page = client.get(reverse("assemblies:desk", args=[assembly.pk])).content.decode()
    main = page[page.index('id="contenido"') :]
    assert main.index('id="id_q"') < main.index("quorum-resumen") < main.index("Mesa de registro")
