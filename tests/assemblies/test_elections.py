"""Elections that elect members, one vote per seat, and elected offices as records (issues 19 and 20)."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assemblies import selectors, services
from assemblies.models import Ballot, BallotCast, BallotCounter, Motion, Office, TallyRecord
from coop.models import Member, MemberStatus
from coop.services import change_member_status
from ledger.verification import verify_ledger
from tests.assemblies.factories import check_in_many, convene, entry, make_members, make_rules


@pytest.fixture
def board(make_user):
    return make_user("consejo_administracion", username="presidenta")


def in_session(board, *, members=12, present=10, **rules):
    make_rules(**rules)
    make_members(members)
    assembly = convene(board)
    check_in_many(assembly, board, present)
    return services.open_session(assembly=assembly, call="first", user=board)


def election(assembly, board, *, candidates=("S-00001", "S-00002", "S-00003"), seats=2, **overrides):
    arguments = {
        "assembly": assembly,
        "kind": "election",
        "title": "Elección del Comité de Educación",
        "majority": "simple",
        "method": "electronic",
        "secret": True,
        "candidates": list(candidates),
        "seats": seats,
        "office_kind": "committee",
        "office_name": "Educación",
        "user": board,
    }
    arguments.update(overrides)
    return services.draft_motion(**arguments)


def candidate(motion, code):
    return motion.options.get(member__code=code)


def vote(assembly, booth, code, *options):
    services.unlock_booth(booth=booth, person=entry(assembly, code), user=None)
    return services.vote_at_booth(booth=booth, option_ids=[o.pk for o in options])


# --- Candidates are members ------------------------------------------------------------------------


def test_candidates_are_members_of_the_roll_typed_by_code_or_dni(db, board):
    assembly = in_session(board)
    late = make_members(1, start=50)[0]  # joined the register after the roll was frozen
    motion = election(assembly, board, candidates=["S-00001", "40000002", "s-00003"])
    assert [(o.kind, o.label, o.member.code if o.member else None) for o in motion.options.all()] == [
        ("candidate", "Socia Número 1", "S-00001"),
        ("candidate", "Socia Número 2", "S-00002"),
        ("candidate", "Socia Número 3", "S-00003"),
        ("blank", "En blanco", None),
        ("abstain", "Abstención", None),
    ]
    with pytest.raises(ValidationError) as refused:
        election(assembly, board, candidates=["S-00001", "S-99999", late.code, "S-00001"])
    message = refused.value.message_dict["candidates"][0]
    assert "«S-99999» no es código ni DNI de ningún socio del registro" in message
    assert (
        "S-00050 · Socia Número 50 no está en el padrón de esta asamblea: los candidatos deben estar en "
        "el padrón de la asamblea."
    ) in message
    assert "S-00001 · Socia Número 1 está inscrito dos veces como candidato." in message
    assert Motion.objects.count() == 1  # nothing written


def test_the_rule_set_may_let_any_active_member_of_the_register_stand(db, board):
    assembly = in_session(board, candidates_from_register=True)
    late, gone = make_members(2, start=50)
    change_member_status(member=gone, status=MemberStatus.WITHDRAWN, effective_date=date.today(), user=board)
    motion = election(assembly, board, candidates=["S-00001", late.dni])
    assert candidate(motion, "S-00050").label == "Socia Número 50"
    with pytest.raises(ValidationError, match="los candidatos deben ser socios hábiles del registro"):
        election(assembly, board, candidates=["S-00001", gone.code])


# --- One vote per seat --------------------------------------------------------------------------------


def test_one_vote_per_seat_at_the_booth_elects_the_two_most_voted_and_keeps_the_ballot_secret(db, board):
    assembly = in_session(board, vote_per_seat=True)
    motion = services.open_motion(motion=election(assembly, board), user=board)
    c1, c2, c3 = (candidate(motion, f"S-0000{n}") for n in (1, 2, 3))
    blank = motion.options.get(kind="blank")
    booth = services.open_booth(assembly=assembly, user=board)
    vote(assembly, booth, "S-00004", c1, c2)
    vote(assembly, booth, "S-00005", c1, c3)
    vote(assembly, booth, "S-00006", c1)  # fewer marks than seats: valid
    vote(assembly, booth, "S-00007", c2, c3)
    vote(assembly, booth, "S-00008", blank)
    services.unlock_booth(booth=booth, person=entry(assembly, "S-00009"), user=board)
    for marks, says in (
        ([c1, c2, c3], "Se marcaron 3 candidatos y se admiten 2; la regla es un voto por cargo: hasta 2 "),
        ([c1, c1], "Un candidato se marcó dos veces"),
        ([blank, c1], "«En blanco» y «Abstención» se marcan solos"),
    ):
        with pytest.raises(ValidationError, match=says):
            services.vote_at_booth(booth=booth, option_ids=[o.pk for o in marks])
    # The refused ballots wrote nothing: the voter is still waiting in the booth.
    assert BallotCast.objects.count() == 5
    assert sum(BallotCounter.objects.values_list("count", flat=True)) == 8
    services.vote_at_booth(booth=booth, option_ids=[c2.pk, c1.pk])
    # Who voted never holds the choice; the choice is only in the counters.
    assert not BallotCast.objects.exclude(option=None).exists() and not Ballot.objects.exists()
    counted = dict(motion.counters.values_list("option__label", "count"))
    assert counted == {
        "Socia Número 1": 4,
        "Socia Número 2": 3,
        "Socia Número 3": 2,
        "En blanco": 1,
        "Abstención": 0,
    }
    services.close_voting(motion=motion, user=board, confirm=True)
    # One anonymous ballot per mark, grouped by option.
    assert list(Ballot.objects.order_by("id").values_list("option__position", flat=True)) == [1] * 4 + [
        2
    ] * 3 + [3] * 2 + [4]
    published = services.publish_motion(motion=motion, user=board)
    assert [o.label for o in published.options.filter(elected=True)] == ["Socia Número 1", "Socia Número 2"]
    assert published.approved
    assert "Elegidos: Socia Número 1 (4), Socia Número 2 (3)." in published.result_text
    assert "Un voto por cargo: 5 cédulas con candidatos marcados." in published.result_text
    # The elected now hold the office, from the assembly's day for the rule set's term (2 years).
    starts = timezone.localdate(assembly.first_call_at)
    offices = list(
        Office.objects.order_by("member__code").values_list("member__code", "kind", "name", "starts_on")
    )
    assert offices == [
        ("S-00001", "committee", "Educación", starts),
        ("S-00002", "committee", "Educación", starts),
    ]
    assert {o.ends_on for o in Office.objects.all()} == {
        starts.replace(year=starts.year + 2) - timedelta(days=1)
    }
    # The published result is sealed as published: verify_ledger finds nothing changed behind Minka.
    assert verify_ledger().ok


def test_without_the_rule_a_ballot_holds_one_candidate_and_the_refusal_names_the_rule(db, board):
    assembly = in_session(board)
    motion = services.open_motion(motion=election(assembly, board), user=board)
    booth = services.open_booth(assembly=assembly, user=board)
    services.unlock_booth(booth=booth, person=entry(assembly, "S-00004"), user=board)
    with pytest.raises(ValidationError, match="la regla es un voto por socio: un solo candidato por cédula"):
        services.vote_at_booth(
            booth=booth, option_ids=[candidate(motion, "S-00001").pk, candidate(motion, "S-00002").pk]
        )
    assert not BallotCast.objects.exists()


def test_the_booth_page_offers_a_box_per_candidate_and_records_the_marks(db, board):
    assembly = in_session(board, vote_per_seat=True)
    motion = services.open_motion(motion=election(assembly, board), user=board)
    device = Client()
    device.force_login(board)
    assert device.post(reverse("assemblies:booth_open", args=[assembly.pk])).status_code == 302
    booth = assembly.booths.get()
    services.unlock_booth(booth=booth, person=entry(assembly, "S-00004"), user=board)
    page = device.get(reverse("booth:screen")).content.decode()
    assert page.count('type="checkbox" name="options"') == 3
    assert "Marque sus candidatos: un voto por cargo: hasta 2 candidatos por cédula" in page
    c1, c3 = candidate(motion, "S-00001"), candidate(motion, "S-00003")
    response = device.post(reverse("booth:vote"), {"ballot": "marks", "options": [c1.pk, c3.pk]})
    assert response["Location"] == reverse("booth:done")
    assert dict(motion.counters.values_list("option__position", "count")) == {1: 1, 2: 0, 3: 1, 4: 0, 5: 0}


def test_a_member_at_home_marks_one_candidate_per_seat(db, board):
    cache.clear()
    make_rules(vote_per_seat=True)
    make_members(6)
    assembly = convene(board, mode="hybrid", link="https://reunion.example.org/asamblea")
    codes = {e.code: code for e, code in services.issue_remote_codes(assembly=assembly, user=board)}
    check_in_many(assembly, board, 4)
    services.open_session(assembly=assembly, call="first", user=board)
    motion = services.open_motion(motion=election(assembly, board), user=board)
    member = Client(REMOTE_ADDR="10.0.0.9")
    assert (
        member.post("/asamblea-virtual/entrar/", {"dni": "40000006", "code": codes["S-00006"]}).status_code
        == 302
    )
    assert member.post("/asamblea-virtual/asistencia/").status_code == 302
    page = member.get("/asamblea-virtual/").content.decode()
    assert page.count('type="checkbox" name="options"') == 3
    c1, c2, c3 = (candidate(motion, f"S-0000{n}") for n in (1, 2, 3))
    refused = member.post(
        "/asamblea-virtual/votar/",
        {"motion": motion.number, "ballot": "marks", "options": [c1.pk, c2.pk, c3.pk]},
    )
    assert refused.status_code == 400 and "se admiten 2" in refused.content.decode()
    done = member.post(
        "/asamblea-virtual/votar/", {"motion": motion.number, "ballot": "marks", "options": [c2.pk, c3.pk]}
    )
    assert done.status_code == 302
    cast = BallotCast.objects.get()
    assert (cast.voter.code, cast.remote, cast.option) == ("S-00006", True, None)
    assert dict(motion.counters.values_list("option__position", "count")) == {1: 0, 2: 1, 3: 1, 4: 0, 5: 0}
    cache.clear()


def test_the_paper_count_of_one_vote_per_seat_checks_marks_against_ballots(db, board):
    assembly = in_session(board, members=12, present=11, vote_per_seat=True)
    motion = election(assembly, board, method="paper", majority="absolute")
    services.open_motion(motion=motion, user=board)
    # Options: three candidates, blank, abstention. 10 ballots, 1 spoiled, 1 blank: 8 with marks.
    for counts, says in (
        (
            {1: 9, 2: 4, 3: 5, 4: 1, 5: 0},
            "«Socia Número 1» tiene 9 votos y solo hay 8 cédulas con candidatos",
        ),
        (
            {1: 8, 2: 8, 3: 1, 4: 1, 5: 0},
            "8 cédulas con candidatos marcados llevan entre 8 y 16 marcas, y se",
        ),
        ({1: 3, 2: 2, 3: 2, 4: 1, 5: 0}, "llevan entre 8 y 16 marcas, y se contaron 7"),
    ):
        with pytest.raises(ValidationError, match=says):
            services.record_tally(
                motion=motion, box="Ánfora 1", ballots_issued="10", spoiled="1", counts=counts, user=board
            )
    assert not TallyRecord.objects.exists()
    services.record_tally(
        motion=motion,
        box="Ánfora 1",
        ballots_issued="10",
        spoiled="1",
        counts={1: 6, 2: 4, 3: 5, 4: 1, 5: 0},
        user=board,
    )
    published = services.publish_motion(motion=motion, user=board)
    # The absolute majority is measured against the 8 ballots with marks, not the 15 marks: 5 needed.
    assert (published.result_base, published.result_needed) == (8, 5)
    assert [o.label for o in published.options.filter(elected=True)] == ["Socia Número 1", "Socia Número 3"]
    assert "Un voto por cargo: 8 cédulas con candidatos marcados." in published.result_text


def test_a_tie_for_the_last_seat_names_the_tied_candidates(db, board, client):
    assembly = in_session(board, vote_per_seat=True)
    with pytest.raises(ValidationError, match="a mano alzada no se sabe cuántos socios votaron"):
        election(assembly, board, method="hands")
    motion = election(assembly, board, candidates=["S-00001", "S-00002", "S-00003"], method="paper")
    services.open_motion(motion=motion, user=board)
    services.record_tally(
        motion=motion, box="Ánfora 1", ballots_issued="9", counts={1: 8, 2: 5, 3: 5, 4: 0, 5: 0}, user=board
    )
    published = services.publish_motion(motion=motion, user=board)
    assert [o.label for o in published.options.filter(elected=True)] == ["Socia Número 1"]
    assert (
        "Empate con 5 votos por el último cargo: se vota de nuevo entre Socia Número 2 y Socia Número 3."
        in published.result_text
    )
    assert list(Office.objects.values_list("member__code", flat=True)) == ["S-00001"]
    client.force_login(board)
    page = client.get(published.get_absolute_url()).content.decode()
    assert "Un voto por cargo: hasta 2 candidatos por cédula, cada uno una sola vez" in page
    assert "S-00002</span> · Socia Número 2" in page and "Comité" in page


# --- Offices --------------------------------------------------------------------------------------


def test_a_woman_elected_then_replaced_holds_office_until_her_last_day(db, board):
    make_members(3)
    Member.objects.filter(code="S-00001").update(sex="F")
    first = services.record_office(
        member="S-00001", kind="admin", starts_on="01/04/2024", ends_on="31/03/2026", user=board
    )
    successor = services.end_office(
        office=first, ended_on="30/06/2025", reason="Renuncia", replacement="40000002", user=board
    )
    first.refresh_from_db()
    assert (first.ends_on, first.ended_early_reason, first.ended_by) == (date(2025, 6, 30), "Renuncia", board)
    assert (successor.member.code, successor.starts_on, successor.ends_on, successor.replaces) == (
        "S-00002",
        date(2025, 7, 1),
        date(2026, 3, 31),
        first,
    )
    held = lambda day: [o.member.code for o in selectors.offices_on(day)]  # noqa: E731
    assert held(date(2025, 6, 30)) == ["S-00001"]
    assert held(date(2025, 7, 1)) == ["S-00002"]
    assert held(date(2026, 4, 1)) == []


def test_an_office_refuses_a_non_member_an_inactive_member_and_an_end_before_its_start(db, board):
    make_members(2)
    gone = Member.objects.get(code="S-00002")
    change_member_status(member=gone, status=MemberStatus.WITHDRAWN, effective_date=date.today(), user=board)
    with pytest.raises(ValidationError) as refused:
        services.record_office(
            member="S-09999", kind="committee", starts_on="01/04/2025", ends_on="31/03/2025", user=board
        )
    errors = refused.value.message_dict
    assert "«S-09999» no es código ni DNI de ningún socio del registro" in errors["member"][0]
    assert "Escriba el nombre del comité" in errors["name"][0]
    assert "El cargo termina (31/03/2025) antes de empezar (01/04/2025)." in errors["ends_on"][0]
    with pytest.raises(ValidationError, match="no es socio hábil del registro"):
        services.record_office(
            member="S-00002", kind="oversight", starts_on="01/04/2025", ends_on="31/03/2027", user=board
        )
    office = services.record_office(
        member="S-00001", kind="oversight", starts_on="01/04/2025", ends_on="31/03/2027", user=board
    )
    with pytest.raises(ValidationError) as refused:
        services.end_office(
            office=office, ended_on="31/03/2025", reason="", replacement="S-00002", user=board
        )
    errors = refused.value.message_dict
    assert "El cargo empezó el 01/04/2025: no puede terminar antes (31/03/2025)." in errors["ended_on"][0]
    assert "Indique el motivo del cese" in errors["reason"][0]
    assert "no es socio hábil del registro" in errors["replacement"][0]
    office.refresh_from_db()
    assert office.ends_on == date(2027, 3, 31) and Office.objects.count() == 1


def test_the_offices_page_lists_who_holds_office_on_a_date_and_the_board_ends_one(
    db, board, make_user, client
):
    make_members(3)
    office = services.record_office(
        member="S-00001",
        kind="committee",
        name="Educación",
        starts_on="01/01/2025",
        ends_on="31/12/2026",
        user=board,
    )
    client.force_login(make_user("consejo_vigilancia", username="vigilante"))
    page = client.get(reverse("assemblies:offices"), {"fecha": "15/06/2025"}).content.decode()
    assert (
        "1 cargo ocupado el 15/06/2025." in page and "Comité Educación" in page and "Socia Número 1" in page
    )
    assert "Registrar cese" not in page  # oversight reads, the board records
    assert (
        "Nadie ocupa un cargo ese día."
        in client.get(reverse("assemblies:offices"), {"fecha": "01/01/2027"}).content.decode()
    )
    client.force_login(board)
    response = client.post(
        reverse("assemblies:office_end"),
        {"office": office.pk, "ended_on": "30/06/2025", "reason": "Renuncia", "replacement": "S-00003"},
        follow=True,
    )
    assert "Lo reemplaza S-00003 · Socia Número 3 desde el 01/07/2025." in response.content.decode()
    later = client.get(reverse("assemblies:offices"), {"fecha": "01/07/2025"}).content.decode()
    assert "Socia Número 3" in later and "reemplaza a Socia Número 1" in later
