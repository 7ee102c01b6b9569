"""Convening, the registration desk, votes and results, each refused write leaving nothing behind."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assemblies import selectors, services
from assemblies.minutes import minutes_hash, minutes_match
from assemblies.models import (
    AttendanceEvent,
    Ballot,
    BallotCast,
    Delegate,
    Motion,
    MotionBudgetLine,
    MotionStatus,
    Presence,
    TallyRecord,
)
from coop.models import Member, MemberStatus
from coop.services import change_member_status
from fund.models import BudgetLine, PremiumCategory
from fund.selectors import fund_position
from tests.assemblies.factories import check_in_many, convene, entry, make_members, make_rules
from tests.ledger.factories import activity
from toolkit.append_only import AppendOnlyError


@pytest.fixture
def board(make_user):
    return make_user("consejo_administracion", username="presidenta")


@pytest.fixture
def assembly(db, board):
    make_rules()
    make_members(20)
    return convene(board)


def motion(assembly, user, **overrides):
    arguments = {
        "assembly": assembly,
        "kind": "resolution",
        "title": "Aprobar los estados financieros 2025",
        "majority": "simple",
        "method": "hands",
        "user": user,
    }
    arguments.update(overrides)
    return services.draft_motion(**arguments)


def in_session(assembly, user, present=None):
    check_in_many(assembly, user, present or assembly.roll_size // 2 + 1)
    return services.open_session(assembly=assembly, call="first", user=user)


# --- Convening and the frozen roll --------------------------------------------------------------


def test_convening_freezes_the_roll_of_members_in_good_standing(db, board):
    make_rules()
    make_members(5)
    suspended, left_after, late = make_members(3, start=6)
    change_member_status(
        member=suspended,
        status=MemberStatus.SUSPENDED,
        effective_date=timezone.localdate() - timedelta(days=60),
        user=board,
    )
    # Withdrew after the cut-off: still on the roll, as the register stood that day.
    change_member_status(
        member=left_after,
        status=MemberStatus.WITHDRAWN,
        effective_date=timezone.localdate() - timedelta(days=5),
        user=board,
    )
    late.join_date = timezone.localdate() - timedelta(days=10)
    late.save()
    assembly = convene(board)
    assert assembly.roll_size == 6
    assert list(assembly.roll.values_list("code", flat=True)) == [f"S-{i:05d}" for i in range(1, 6)] + [
        "S-00007"
    ]
    # Later changes to the register do not move it.
    make_members(2, start=20)
    Member.objects.filter(code="S-00001").update(name="Nombre Cambiado")
    assert assembly.roll.count() == 6
    assert entry(assembly, "S-00001").name == "Socia Número 1"


def test_the_roll_and_the_rule_set_of_a_convened_assembly_cannot_be_edited(assembly):
    first = assembly.roll.first()
    first.name = "Otro"
    with pytest.raises(AppendOnlyError):
        first.save()
    with pytest.raises(AppendOnlyError):
        first.delete()
    rules = assembly.rule_set
    rules.max_proxies_per_holder = 5
    with pytest.raises(AppendOnlyError, match="versión nueva"):
        rules.save()
    assert assembly.roll.count() == 20


def test_the_rule_set_in_force_on_the_convening_day_is_frozen(db, board):
    make_rules()
    make_members(4)
    newer = make_rules(
        version=2, valid_from=timezone.localdate() - timedelta(days=25), max_proxies_per_holder=1
    )
    old_day = convene(
        board,
        convened_on=timezone.localdate() - timedelta(days=28),
        cutoff_date=timezone.localdate() - timedelta(days=29),
    )
    today = convene(board)
    assert old_day.rule_set.version == 1
    assert today.rule_set == newer


def test_rule_set_conditions_seniority_status_and_delegates(db, board):
    make_rules(min_membership_days=365, suspended_may_vote=True)
    members = make_members(4)
    members[0].join_date = timezone.localdate() - timedelta(days=200)
    members[0].save()
    change_member_status(
        member=members[1],
        status=MemberStatus.SUSPENDED,
        effective_date=timezone.localdate() - timedelta(days=90),
        user=board,
    )
    assembly = convene(board)
    assert list(assembly.roll.values_list("code", flat=True)) == ["S-00002", "S-00003", "S-00004"]
    delegates = make_rules(
        name="Estatuto de delegados", uses_delegates=True, valid_from=timezone.localdate() - timedelta(days=1)
    )
    Delegate.objects.create(
        member=members[2], zone="Curiyacu", elected_on=date(2024, 3, 1), term_ends_on=date(2030, 3, 1)
    )
    Delegate.objects.create(
        member=members[3], zone="Chazuta", elected_on=date(2019, 3, 1), term_ends_on=date(2021, 3, 1)
    )  # mandate ended
    of_delegates = convene(board, convened_on=timezone.localdate())
    assert of_delegates.rule_set == delegates
    assert [(e.code, e.zone) for e in of_delegates.roll.all()] == [("S-00003", "Curiyacu")]


def test_convening_names_every_missing_or_wrong_field(db, board):
    make_rules()
    make_members(3)
    now = timezone.now()
    with pytest.raises(ValidationError) as refused:
        services.convene_assembly(
            kind="ordinary",
            mode="hybrid",
            place="",
            link="http://zoom",
            first_call_at=now,
            second_call_at=now - timedelta(minutes=30),
            agenda=" ",
            cutoff_date=timezone.localdate() + timedelta(days=1),
            user=board,
        )
    errors = refused.value.message_dict
    assert set(errors) == {"place", "link", "second_call_at", "agenda", "cutoff_date"}
    assert "https://" in errors["link"][0]


def test_no_rule_set_no_assembly(db, board):
    make_members(3)
    with pytest.raises(ValidationError, match="reglamento"):
        convene(board)


# --- The registration desk --------------------------------------------------------------------


def test_a_member_checks_in_once(assembly, board):
    services.check_in(assembly=assembly, entry=entry(assembly, "S-00001"), user=board)
    with pytest.raises(ValidationError, match="ya registró su asistencia"):
        services.check_in(assembly=assembly, entry=entry(assembly, "S-00001"), user=board)
    assert Presence.objects.count() == 1
    assert AttendanceEvent.objects.count() == 1


def test_proxies_need_a_present_holder_a_letter_and_respect_the_cap(assembly, board):
    services.check_in(assembly=assembly, entry=entry(assembly, "S-00001"), user=board)
    holder = entry(assembly, "S-00001")
    absent = entry(assembly, "S-00009")
    with pytest.raises(ValidationError) as refused:
        services.register_proxy(
            assembly=assembly,
            represented=entry(assembly, "S-00002"),
            holder=absent,
            letter="CP-01",
            user=board,
        )
    assert "debe estar presente" in refused.value.message_dict["holder"][0]
    with pytest.raises(ValidationError) as refused:
        services.register_proxy(
            assembly=assembly, represented=entry(assembly, "S-00002"), holder=holder, letter="  ", user=board
        )
    assert "carta poder" in refused.value.message_dict["letter"][0]
    for code, letter in (("S-00002", "CP-01"), ("S-00003", "CP-02")):
        services.register_proxy(
            assembly=assembly, represented=entry(assembly, code), holder=holder, letter=letter, user=board
        )
    with pytest.raises(ValidationError) as refused:
        services.register_proxy(
            assembly=assembly,
            represented=entry(assembly, "S-00004"),
            holder=holder,
            letter="CP-03",
            user=board,
        )
    assert "ya tiene 2 poder(es); el reglamento permite 2" in refused.value.message_dict["holder"][0]
    assert selectors.attendance_counts(assembly) == (1, 2)


def test_a_member_present_cannot_be_represented_nor_a_represented_one_check_in(assembly, board):
    check_in_many(assembly, board, 2)
    with pytest.raises(ValidationError, match="ya registró su asistencia"):
        services.register_proxy(
            assembly=assembly,
            represented=entry(assembly, "S-00002"),
            holder=entry(assembly, "S-00001"),
            letter="CP-9",
            user=board,
        )
    services.register_proxy(
        assembly=assembly,
        represented=entry(assembly, "S-00005"),
        holder=entry(assembly, "S-00001"),
        letter="CP-10",
        user=board,
    )
    with pytest.raises(ValidationError, match="representado por S-00001"):
        services.check_in(assembly=assembly, entry=entry(assembly, "S-00005"), user=board)


def test_a_mistake_is_undone_by_a_new_event(assembly, board):
    services.check_in(assembly=assembly, entry=entry(assembly, "S-00001"), user=board)
    services.register_proxy(
        assembly=assembly,
        represented=entry(assembly, "S-00002"),
        holder=entry(assembly, "S-00001"),
        letter="CP-1",
        user=board,
    )
    with pytest.raises(ValidationError, match="Anule primero esos poderes"):
        services.undo_attendance(
            assembly=assembly, entry=entry(assembly, "S-00001"), reason="Error", user=board
        )
    with pytest.raises(ValidationError, match="por qué"):
        services.undo_attendance(assembly=assembly, entry=entry(assembly, "S-00002"), reason="", user=board)
    services.undo_attendance(
        assembly=assembly, entry=entry(assembly, "S-00002"), reason="Poder vencido", user=board
    )
    services.check_in(assembly=assembly, entry=entry(assembly, "S-00002"), user=board)
    kinds = list(AttendanceEvent.objects.values_list("kind", flat=True))
    assert kinds == ["check_in", "proxy", "undone", "check_in"]
    assert selectors.attendance_counts(assembly) == (2, 0)


def test_proxies_refused_when_the_statute_allows_none(db, board):
    make_rules(proxies_allowed=False)
    make_members(3)
    assembly = convene(board)
    services.check_in(assembly=assembly, entry=entry(assembly, "S-00001"), user=board)
    with pytest.raises(ValidationError, match="no admite poderes"):
        services.register_proxy(
            assembly=assembly,
            represented=entry(assembly, "S-00002"),
            holder=entry(assembly, "S-00001"),
            letter="CP-1",
            user=board,
        )


# --- Quorum ---------------------------------------------------------------------------------


def test_exactly_half_is_no_quorum_on_first_call_and_the_numbers_are_given(assembly, board):
    check_in_many(assembly, board, 10)
    with pytest.raises(ValidationError) as refused:
        services.open_session(assembly=assembly, call="first", user=board)
    assert "10 presentes y 0 representados (10) de 11 necesarios" in refused.value.messages[0]
    assembly.refresh_from_db()
    assert assembly.status == "convened" and assembly.opened_at is None


def test_second_call_opens_with_its_lower_quorum_and_records_it(assembly, board):
    check_in_many(assembly, board, 4)
    services.register_proxy(
        assembly=assembly,
        represented=entry(assembly, "S-00010"),
        holder=entry(assembly, "S-00001"),
        letter="CP-1",
        user=board,
    )
    opened = services.open_session(assembly=assembly, call="second", user=board)
    assert (opened.quorum_present, opened.quorum_represented, opened.quorum_needed) == (4, 1, 5)
    assert opened.status == "in_session"
    with pytest.raises(ValidationError, match="ya fue abierta"):
        services.open_session(assembly=assembly, call="first", user=board)


def test_a_call_cannot_open_before_its_time(db, board):
    make_rules()
    make_members(3)
    later = timezone.now() + timedelta(hours=3)
    assembly = convene(board, first_call_at=later, second_call_at=later + timedelta(hours=1))
    check_in_many(assembly, board, 3)
    with pytest.raises(ValidationError, match="aún no puede abrirse"):
        services.open_session(assembly=assembly, call="first", user=board)


# --- Votes ------------------------------------------------------------------------------------


def test_voting_on_a_motion_that_is_not_open_is_refused(assembly, board):
    in_session(assembly, board)
    vote = motion(assembly, board, method="electronic", secret=True)
    ballot = dict(
        voter=entry(assembly, "S-00001"),
        cast_by=entry(assembly, "S-00001"),
        option=vote.options.get(kind="yes"),
        user=board,
    )
    with pytest.raises(ValidationError, match="no está abierta"):
        services.cast_ballot(motion=vote, **ballot)
    services.open_motion(motion=vote, user=board)
    services.close_voting(motion=vote, user=board, confirm=True)
    with pytest.raises(ValidationError, match="no está abierta"):
        services.cast_ballot(motion=vote, **ballot)
    assert not Ballot.objects.exists() and not BallotCast.objects.exists()


def test_each_member_votes_once_in_person_or_through_one_proxy(assembly, board):
    in_session(assembly, board)
    services.register_proxy(
        assembly=assembly,
        represented=entry(assembly, "S-00015"),
        holder=entry(assembly, "S-00001"),
        letter="CP-1",
        user=board,
    )
    vote = motion(assembly, board, method="electronic", secret=True)
    services.open_motion(motion=vote, user=board)
    yes = vote.options.get(kind="yes")
    me, represented = entry(assembly, "S-00001"), entry(assembly, "S-00015")
    services.cast_ballot(motion=vote, voter=me, cast_by=me, option=yes, user=board)
    with pytest.raises(ValidationError, match="ya votó"):
        services.cast_ballot(
            motion=vote, voter=me, cast_by=me, option=vote.options.get(kind="no"), user=board
        )
    with pytest.raises(ValidationError, match="lo emite su apoderado"):
        services.cast_ballot(motion=vote, voter=represented, cast_by=represented, option=yes, user=board)
    services.cast_ballot(motion=vote, voter=represented, cast_by=me, option=yes, user=board)
    with pytest.raises(ValidationError, match="no está registrado"):
        services.cast_ballot(
            motion=vote,
            voter=entry(assembly, "S-00019"),
            cast_by=entry(assembly, "S-00019"),
            option=yes,
            user=board,
        )
    # Secret: who voted is kept apart from what was voted.
    assert list(BallotCast.objects.values_list("option", flat=True)) == [None, None]
    assert yes.counter.count == 2 and not Ballot.objects.exists()
    waiting = list(selectors.not_voted(vote).values_list("entry__code", flat=True))
    assert waiting == [f"S-{i:05d}" for i in range(2, 12)]


def test_each_step_of_a_motion_records_who_took_it(assembly, board, make_user):
    secretary = make_user("consejo_administracion", username="secretaria")
    in_session(assembly, board)
    paper = motion(assembly, board, method="paper")
    services.open_motion(motion=paper, user=board)
    services.close_voting(motion=paper, user=secretary)
    paper.refresh_from_db()
    assert (paper.opened_by, paper.voting_closed_by, paper.cancelled_by) == (board, secretary, None)
    # On a show of hands the first count closes the voting: whoever entered it closed it.
    hands = motion(assembly, board, title="Aprobar la memoria 2025")
    services.open_motion(motion=hands, user=secretary)
    services.record_tally(motion=hands, counts={1: 6, 2: 3, 3: 2}, user=board)
    hands.refresh_from_db()
    assert (hands.opened_by, hands.voting_closed_by) == (secretary, board)
    withdrawn = motion(assembly, board, title="Reformar el estatuto")
    services.cancel_motion(motion=withdrawn, reason="Se tratará en la próxima asamblea", user=secretary)
    withdrawn.refresh_from_db()
    assert (withdrawn.cancelled_by, withdrawn.opened_by, withdrawn.voting_closed_by) == (
        secretary,
        None,
        None,
    )


def test_a_named_electronic_vote_keeps_the_choice_with_the_voter(assembly, board):
    in_session(assembly, board)
    vote = motion(assembly, board, method="electronic", secret=False)
    services.open_motion(motion=vote, user=board)
    me = entry(assembly, "S-00003")
    services.cast_ballot(motion=vote, voter=me, cast_by=me, option=vote.options.get(kind="no"), user=board)
    assert BallotCast.objects.get().option.kind == "no"


def test_paper_ballot_boxes_must_add_up_and_corrections_are_logged(assembly, board, make_user):
    in_session(assembly, board, present=14)
    vote = motion(assembly, board, method="paper", majority="absolute")
    services.open_motion(motion=vote, user=board)
    services.close_voting(motion=vote, user=board)
    positions = {o.kind: o.position for o in vote.options.all()}
    counts = {positions["yes"]: 5, positions["no"]: 2, positions["abstain"]: 0, positions["blank"]: 1}
    with pytest.raises(ValidationError) as refused:
        services.record_tally(motion=vote, box="Ánfora 1", ballots_issued="9", counts=counts, user=board)
    assert "Ánfora 1: los votos suman 8 y se entregaron 9 cédulas" in refused.value.messages[0]
    services.record_tally(motion=vote, box="Ánfora 1", ballots_issued="8", counts=counts, user=board)
    with pytest.raises(ValidationError, match="indique el motivo"):
        services.record_tally(motion=vote, box="Ánfora 1", ballots_issued="8", counts=counts, user=board)
    teller = make_user("consejo_vigilancia", username="vigilante")
    fixed = {**counts, positions["yes"]: 6, positions["blank"]: 0}
    services.record_tally(
        motion=vote,
        box="Ánfora 1",
        ballots_issued="8",
        counts=fixed,
        reason="Una cédula marcada se contó en blanco",
        user=teller,
    )
    services.record_tally(
        motion=vote,
        box="Ánfora 2",
        ballots_issued="6",
        counts={positions["yes"]: 1, positions["no"]: 5, positions["abstain"]: 0, positions["blank"]: 0},
        user=board,
    )
    with pytest.raises(ValidationError, match="solo hay 14 socios"):
        services.record_tally(
            motion=vote,
            box="Ánfora 3",
            ballots_issued="1",
            counts={positions["yes"]: 1, positions["no"]: 0, positions["abstain"]: 0, positions["blank"]: 0},
            user=board,
        )
    assert TallyRecord.objects.count() == 3
    assert TallyRecord.objects.get(corrects__isnull=False).entered_by == teller
    published = services.publish_motion(motion=vote, user=board)
    assert {o.kind: o.votes for o in published.options.all()} == {"yes": 7, "no": 7, "abstain": 0, "blank": 0}
    assert (published.approved, published.result_base, published.result_needed) == (False, 14, 8)
    assert published.result_text.startswith(
        "No aprobada: 7 a favor, 7 en contra, 0 abstenciones; se necesitaban 8 a favor"
    )


def test_a_show_of_hands_moves_to_counting_and_publishes_final(assembly, board):
    in_session(assembly, board)
    vote = motion(assembly, board)
    with pytest.raises(ValidationError, match="no admite conteo"):
        services.record_tally(motion=vote, counts={1: 6, 2: 3, 3: 2}, user=board)
    services.open_motion(motion=vote, user=board)
    services.record_tally(motion=vote, counts={1: 6, 2: 3, 3: 2}, user=board)
    vote.refresh_from_db()
    assert vote.status == MotionStatus.COUNTING
    published = services.publish_motion(motion=vote, user=board)
    assert published.approved and published.result_text == (
        "Aprobada: 6 a favor, 3 en contra, 2 abstenciones (mayoría simple (más votos a favor que en contra))."
    )
    with pytest.raises(ValidationError, match="no admite conteo"):
        services.record_tally(motion=vote, counts={1: 1, 2: 9, 3: 1}, reason="otra", user=board)
    with pytest.raises(ValidationError, match="no se retira"):
        services.cancel_motion(motion=vote, reason="Cambio de opinión", user=board)


def test_an_election_elects_the_most_voted_and_a_tie_elects_nobody(assembly, board):
    in_session(assembly, board, present=15)
    election = motion(
        assembly,
        board,
        kind="election",
        title="Elección del comité de educación",
        candidates=["S-00001", "40000002", "S-00003"],  # by code or DNI
        seats=2,
        method="hands",
    )
    services.open_motion(motion=election, user=board)
    positions = {o.label: o.position for o in election.options.all()}
    services.record_tally(
        motion=election,
        counts={
            positions["Socia Número 1"]: 7,
            positions["Socia Número 2"]: 4,
            positions["Socia Número 3"]: 4,
            positions["En blanco"]: 0,
            positions["Abstención"]: 0,
        },
        user=board,
    )
    published = services.publish_motion(motion=election, user=board)
    assert [o.label for o in published.options.filter(elected=True)] == ["Socia Número 1"]
    assert not published.approved
    assert (
        "Empate con 4 votos por el último cargo: se vota de nuevo entre Socia Número 2 y Socia Número 3."
        in published.result_text
    )
    assert "Por mayoría relativa: los 2 más votados" in published.result_text


# --- Budget motions and the premium fund -----------------------------------------------------


@pytest.fixture
def funded(db, make_user):
    from tests.ledger.factories import fund_with_soles

    fund = fund_with_soles(make_user)  # S/ 17,500.00 unallocated
    make_rules()
    make_members(20, start=100)
    return {**fund, "assembly": convene(fund["board"])}


def drafted(funded, lines):
    """The board drafts the activities on the fund page: (name, category, budget) each."""
    from fund.services import draft_budget_line

    return [
        draft_budget_line(
            season=funded["season"],
            purpose=purpose,
            category=category,
            amount=amount,
            **activity(),
            user=funded["board"],
        )
        for purpose, category, amount in lines
    ]


def budget(funded, lines, **overrides):
    """A budget motion attaching ``lines``: activities already drafted, or (name, category, budget) to
    draft first."""
    activities = [line if isinstance(line, BudgetLine) else drafted(funded, [line])[0] for line in lines]
    return motion(
        funded["assembly"],
        funded["board"],
        kind="budget",
        title="Plan de Desarrollo 2021",
        majority="absolute",
        season=funded["season"],
        activities=activities,
        **overrides,
    )


def test_a_budget_above_the_premium_available_is_refused(funded):
    lines = drafted(
        funded,
        [
            ("Secadora solar", PremiumCategory.ORGANISATION, "10000"),
            ("Reparto", PremiumCategory.CASH_TO_MEMBERS, "7500,01"),
        ],
    )
    with pytest.raises(ValidationError) as refused:
        budget(funded, lines)
    assert (
        "Las líneas suman S/ 17,500.01 y la prima disponible es S/ 17,500.00"
        in refused.value.message_dict["activities"][0]
    )
    budget(funded, lines[:1])
    # A second pending motion counts what the first one asks for.
    with pytest.raises(ValidationError, match="disponible es S/ 7,500.00"):
        budget(funded, [("Caminos", PremiumCategory.COMMUNITY, "8000")])
    assert Motion.objects.count() == 1


def test_a_budget_motion_attaches_only_free_drafts_of_its_season(funded):
    """One way only: the board drafts on the fund page; a motion attaches, never writes, activities."""
    from coop.models import Season

    dryer, roads = drafted(
        funded,
        [
            ("Secadora solar", PremiumCategory.ORGANISATION, "1000"),
            ("Caminos", PremiumCategory.COMMUNITY, "1000"),
        ],
    )
    with pytest.raises(ValidationError) as refused:
        budget(funded, [])
    assert "Elija al menos una actividad del plan" in refused.value.message_dict["activities"][0]
    budget(funded, [dryer])
    other = Season.objects.create(
        code="2021",
        name="Campaña 2021",
        starts_on=date(2021, 1, 1),
        ends_on=date(2021, 12, 31),
        wet_to_dry_factor=Decimal("0.38"),
        max_yield_kg_per_ha=900,
    )
    with pytest.raises(ValidationError) as refused:
        motion(
            funded["assembly"],
            funded["board"],
            kind="budget",
            title="Plan 2021",
            majority="absolute",
            season=other,
            activities=[dryer, roads],
        )
    later = refused.value.message_dict["activities"][0]
    assert "«Secadora solar» ya está en otra moción pendiente" in later
    assert "«Caminos» es del plan de la Campaña 2020, no de la Campaña 2021" in later
    assert Motion.objects.count() == 1
    assert MotionBudgetLine.objects.get().line == dryer


def test_publishing_an_approved_budget_authorizes_its_lines_linked_both_ways(funded):
    plan = budget(
        funded,
        [
            ("Secadora solar", PremiumCategory.ORGANISATION, "10000"),
            ("Campaña de salud", PremiumCategory.COMMUNITY, "2500.50"),
        ],
    )
    in_session(funded["assembly"], funded["board"])
    services.open_motion(motion=plan, user=funded["board"])
    services.record_tally(motion=plan, counts={1: 9, 2: 1, 3: 1}, user=funded["board"])
    published = services.publish_motion(motion=plan, user=funded["board"])
    assert published.approved
    lines = BudgetLine.objects.filter(authorization=published.authorization).order_by("id")
    assert [(line.purpose, line.amount_minor) for line in lines] == [
        ("Secadora solar", 1_000_000),
        ("Campaña de salud", 250_050),
    ]
    assert published.authorization.motion == published
    assert "acuerdo n.º 1: Plan de Desarrollo 2021" in published.authorization.decision
    assert [b.line for b in published.budget_lines.all()] == list(lines)
    assert fund_position().unallocated_minor == 1_750_000 - 1_250_050


def test_a_draft_changed_after_the_motion_attached_it_authorizes_nothing(funded):
    """The assembly votes on the activities as drafted: a draft corrected meanwhile blocks the result."""
    plan = budget(funded, [("Secadora solar", PremiumCategory.ORGANISATION, "10000")])
    BudgetLine.objects.filter(pk=plan.budget_lines.get().line_id).update(amount_minor=1_200_000)
    in_session(funded["assembly"], funded["board"])
    services.open_motion(motion=plan, user=funded["board"])
    services.record_tally(motion=plan, counts={1: 9, 2: 1, 3: 1}, user=funded["board"])
    with pytest.raises(
        ValidationError, match="cambiaron en el fondo de prima desde que se redactó la moción"
    ):
        services.publish_motion(motion=plan, user=funded["board"])
    assert not BudgetLine.objects.filter(authorization__isnull=False).exists()


def test_a_rejected_budget_authorizes_nothing(funded):
    plan = budget(funded, [("Secadora solar", PremiumCategory.ORGANISATION, "10000")])
    in_session(funded["assembly"], funded["board"])
    services.open_motion(motion=plan, user=funded["board"])
    services.record_tally(motion=plan, counts={1: 5, 2: 5, 3: 1}, user=funded["board"])
    published = services.publish_motion(motion=plan, user=funded["board"])
    assert not published.approved and published.authorization is None
    assert not BudgetLine.objects.filter(authorization__isnull=False).exists()
    assert fund_position().unallocated_minor == 1_750_000


def test_publishing_is_refused_whole_when_the_fund_no_longer_holds_the_money(funded):
    from fund.services import authorize_budget_lines, draft_budget_line

    plan = budget(funded, [("Secadora solar", PremiumCategory.ORGANISATION, "10000")])
    # Meanwhile another decision claimed most of the fund.
    other = draft_budget_line(
        season=funded["season"],
        purpose="Almacén",
        category=PremiumCategory.ORGANISATION,
        amount="9000",
        **activity(),
        user=funded["admin"],
    )
    authorize_budget_lines(
        lines=[other],
        decision="Asamblea extraordinaria, acuerdo 1",
        decided_on=date(2020, 8, 1),
        user=funded["admin"],
    )
    in_session(funded["assembly"], funded["board"])
    services.open_motion(motion=plan, user=funded["board"])
    services.record_tally(motion=plan, counts={1: 9, 2: 1, 3: 1}, user=funded["board"])
    with pytest.raises(ValidationError, match="El fondo de prima no puede autorizar"):
        services.publish_motion(motion=plan, user=funded["board"])
    plan.refresh_from_db()
    assert plan.status == MotionStatus.COUNTING and plan.approved is None
    assert BudgetLine.objects.filter(authorization__isnull=False).count() == 1


# --- Closing and the minutes ------------------------------------------------------------------


def test_closing_needs_every_motion_final_and_fixes_the_minutes_hash(assembly, board):
    in_session(assembly, board)
    vote = motion(assembly, board)
    with pytest.raises(ValidationError, match="1. Aprobar los estados financieros"):
        services.close_assembly(assembly=assembly, user=board)
    services.cancel_motion(motion=vote, reason="Se tratará en la próxima asamblea", user=board)
    closed = services.close_assembly(assembly=assembly, user=board)
    assert len(closed.minutes_hash) == 64 and minutes_match(closed)
    with pytest.raises(ValidationError, match="cerrada"):
        services.check_in(assembly=closed, entry=entry(closed, "S-00020"), user=board)
    # A count changed behind Minka's back no longer matches the acta.
    Presence.objects.filter(entry__code="S-00001").delete()
    assert minutes_hash(closed) != closed.minutes_hash and not minutes_match(closed)
