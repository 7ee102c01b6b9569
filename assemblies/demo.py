"""The demonstration cooperative's general assemblies, held through assemblies.services.

``hold_assembly`` is handed to the ledger's demo, which calls it when a premium
plan needs approving: it convenes the assembly twenty days before, checks in
most of the roll with a few proxies, opens the session, votes the accounts, the
budget motion and (from 2026) an election by paper ballots with one corrected
box, publishes, and closes, so the minutes exist. ``convene_upcoming`` leaves an
assembly convened for today, to try the registration desk and the ballots.
"""

import random
from datetime import date as Date
from datetime import datetime, time, timedelta

from django.utils import timezone

from assemblies import services
from assemblies.models import Assembly, AssemblyStatus, MotionKind, OfficeKind, RuleSet
from fund.demo import first_user_with_role
from fund.models import BudgetLine
from toolkit.roles import BOARD

STATUTE = "Estatuto de la cooperativa (reforma 2018)"


def _board_member(user):
    """The demo's assemblies are run by the board login (quickstart creates it first), if there is one."""
    return user if user is not None else first_user_with_role(BOARD)


def ensure_rule_set(user=None) -> RuleSet:
    rules = RuleSet.objects.filter(name=STATUTE).order_by("-version").first()
    if rules is None:
        rules = RuleSet.objects.create(
            name=STATUTE,
            version=1,
            valid_from=Date(2018, 1, 1),
            statute_reference="Título IV, arts. 38 a 52",
            min_membership_days=90,
            first_call_numerator=1,
            first_call_denominator=2,
            first_call_strict=True,
            second_call_numerator=1,
            second_call_denominator=3,
            second_call_strict=False,
            proxies_allowed=True,
            max_proxies_per_holder=1,
            created_by=user,
        )
    return rules


def _at(day: Date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _attend(assembly: Assembly, rng: random.Random, share: float, user) -> None:
    """Check in about ``share`` of the roll; one in twelve of the rest sends a proxy letter."""
    roll = list(assembly.roll.all())
    rng.shuffle(roll)
    cut = max(int(len(roll) * share), len(roll) // 2 + 1)  # a tiny demo still reaches its quorum
    present, absent = roll[:cut], roll[cut:]
    for entry in present:
        services.check_in(assembly=assembly, entry=entry, user=user)
    for n, (entry, holder) in enumerate(zip(absent[::12], present, strict=False), start=1):
        services.register_proxy(
            assembly=assembly, represented=entry, holder=holder, letter=f"CP-{n:03d}", user=user
        )


def _hands(motion, user, split: tuple[int, int, int]) -> None:
    """Open, count a show of hands as yes/no/abstain shares of those attending, and publish."""
    motion = services.open_motion(motion=motion, user=user)
    voters = motion.attending_at_open
    yes = voters * split[0] // 100
    no = voters * split[1] // 100
    services.record_tally(motion=motion, counts={1: yes, 2: no, 3: voters - yes - no}, user=user)
    services.publish_motion(motion=motion, user=user)


def hold_assembly(*, season, lines, decided_on: Date, user, seed: int = 7) -> list[BudgetLine]:
    """An ordinary assembly on ``decided_on`` whose budget motion attaches the activities ``lines`` (drafted
    by the board in the fund) and approves them."""
    user = _board_member(user)
    ensure_rule_set(user)
    rng = random.Random(seed + decided_on.toordinal())
    assembly = services.convene_assembly(
        kind="ordinary",
        mode="in_person",
        place="Local comunal de Chazuta, Jr. Comercio 210",
        first_call_at=_at(decided_on, 9),
        second_call_at=_at(decided_on, 9, 30),
        agenda=(
            f"1. Memoria y estados financieros de la {season.name}\n"
            f"2. Plan de Desarrollo: uso de la prima Comercio Justo de la {season.name}\n"
            "3. Elección del Comité de Educación\n4. Varios"
        ),
        cutoff_date=decided_on - timedelta(days=30),
        convened_on=decided_on - timedelta(days=20),
        user=user,
    )
    _attend(assembly, rng, 0.62, user)
    services.open_session(assembly=assembly, call="first", user=user, at=_at(decided_on, 9, 10))
    accounts = services.draft_motion(
        assembly=assembly,
        kind=MotionKind.RESOLUTION,
        title=f"Aprobar la memoria y los estados financieros de la {season.name}",
        majority="simple",
        method="hands",
        user=user,
    )
    _hands(accounts, user, (88, 4, 8))
    plan = services.draft_motion(
        assembly=assembly,
        kind=MotionKind.BUDGET,
        title=f"Plan de Desarrollo con la prima de la {season.name}",
        text="Uso de la prima Comercio Justo según las necesidades priorizadas en los talleres por zona.",
        majority="absolute",
        method="hands",
        season=season,
        activities=lines,
        user=user,
    )
    _hands(plan, user, (81, 9, 10))
    if decided_on.year >= 2026:
        _paper_election(assembly, user)
    services.close_assembly(assembly=assembly, user=user, at=_at(decided_on, 13, 20))
    plan.refresh_from_db()
    return [proposed.line for proposed in plan.budget_lines.select_related("line").order_by("id")]


def _paper_election(assembly: Assembly, user) -> None:
    candidates = _candidates(assembly, 3)
    if len(candidates) < 3:  # a demonstration of a handful of members elects no committee
        return
    election = services.draft_motion(
        assembly=assembly,
        kind=MotionKind.ELECTION,
        title="Elección del Comité de Educación (2 cargos)",
        majority="simple",
        method="paper",
        seats=2,
        candidates=candidates,
        office_kind=OfficeKind.COMMITTEE,
        office_name="Educación",
        user=user,
    )
    election = services.open_motion(motion=election, user=user)
    services.close_voting(motion=election, user=user)
    voters = election.attending_at_open
    first = voters // 2
    second = voters - first
    # Options: three candidates, blank, abstention (positions 1-5).
    services.record_tally(
        motion=election,
        box="Ánfora 1",
        ballots_issued=first,
        counts=_split(first, (45, 30, 20, 5)),
        user=user,
    )
    wrong = _split(second, (40, 35, 20, 5))
    services.record_tally(motion=election, box="Ánfora 2", ballots_issued=second, counts=wrong, user=user)
    if wrong[4] >= 2:  # two ballots first counted blank turn out to be marked: a logged correction
        fixed = {**wrong, 1: wrong[1] + 2, 4: wrong[4] - 2}
        services.record_tally(
            motion=election,
            box="Ánfora 2",
            ballots_issued=second,
            counts=fixed,
            reason="Dos cédulas de Rosa Tapullima se contaron en blanco; revisadas con los personeros",
            user=user,
        )
    services.publish_motion(motion=election, user=user)


def _candidates(assembly: Assembly, n: int) -> list[str]:
    """The codes of ``n`` members of the roll standing for election, women and men in turn."""
    women = list(
        assembly.roll.filter(member__sex="F").order_by("position").values_list("code", flat=True)[:n]
    )
    men = list(assembly.roll.exclude(member__sex="F").order_by("position").values_list("code", flat=True)[:n])
    mixed = (
        [code for pair in zip(women, men, strict=False) for code in pair]
        + women[len(men) :]
        + men[len(women) :]
    )
    return mixed[:n]


def _split(total: int, percents: tuple[int, ...]) -> dict[int, int]:
    counts = {n: total * p // 100 for n, p in enumerate(percents, start=1)}
    counts[4] += total - sum(counts.values())  # the rest are blank ballots
    counts[5] = 0
    return counts


def convene_upcoming(user) -> Assembly | None:
    """An extraordinary assembly convened for today, not yet opened: the desk and the ballots can be tried."""
    if Assembly.objects.filter(status=AssemblyStatus.CONVENED).exists():
        return None
    user = _board_member(user)
    ensure_rule_set(user)
    today = timezone.localdate()
    now = timezone.localtime()
    first = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    assembly = services.convene_assembly(
        kind="extraordinary",
        mode="hybrid",
        place="Auditorio de la cooperativa, Chazuta",
        link="https://reuniones.example.org/asamblea-extraordinaria",
        first_call_at=first,
        second_call_at=first + timedelta(minutes=30),
        agenda=(
            "1. Afiliación a la central regional de cooperativas cacaoteras\n2. Elección del Comité Electoral"
        ),
        cutoff_date=today - timedelta(days=15),
        convened_on=first.date(),
        user=user,
    )
    services.draft_motion(
        assembly=assembly,
        kind=MotionKind.RESOLUTION,
        title="Afiliación a la central regional de cooperativas cacaoteras",
        text=(
            "Aportar S/ 2.00 por socio al año a la central, que negocia contratos y certificaciones "
            "en bloque."
        ),
        majority="qualified",
        method="electronic",
        secret=True,
        user=user,
    )
    candidates = _candidates(assembly, 4)
    if len(candidates) < 4:  # a demonstration of a handful of members elects no committee
        return assembly
    services.draft_motion(
        assembly=assembly,
        kind=MotionKind.ELECTION,
        title="Elección del Comité Electoral (3 cargos)",
        majority="simple",
        method="hands",
        seats=3,
        candidates=candidates,
        office_kind=OfficeKind.COMMITTEE,
        office_name="Electoral",
        user=user,
    )
    return assembly
