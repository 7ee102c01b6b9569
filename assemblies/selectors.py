"""Reads of the assemblies: the rule set in force, who may vote, attendance, the budget motions
pending, the counts of a motion and who has still to vote, the list of assemblies with its counts."""

from collections import Counter
from datetime import date as Date
from datetime import timedelta

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models import Count as DbCount
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from acopio.models import Delivery, DeliveryStatus
from assemblies.models import (
    Assembly,
    AssemblyMode,
    AssemblyStatus,
    Ballot,
    BallotCast,
    Booth,
    BoothUnlock,
    Delegate,
    Motion,
    MotionBudgetLine,
    MotionStatus,
    Office,
    Presence,
    PresenceKind,
    RemoteCode,
    RuleSet,
    TallyRecord,
    VotingMethod,
)
from coop.models import Member, MemberStatus, MemberStatusChange
from fund.models import BudgetLine
from fund.selectors import fund_position

DELIVERY_WINDOW_DAYS = 365  # "minimum deliveries" counts the 12 months before the cut-off


# --- The roll -----------------------------------------------------------------------


def rule_set_in_force(on: Date) -> RuleSet | None:
    return RuleSet.objects.filter(valid_from__lte=on).order_by("-valid_from", "-version").first()


def eligible_members(rule_set: RuleSet, cutoff: Date):
    """Members in good standing on the cut-off date under the rule set, with their zone if delegates."""
    later_change = MemberStatusChange.objects.filter(member=OuterRef("pk"), effective_date__gt=cutoff)
    status_then = Subquery(
        MemberStatusChange.objects.filter(member=OuterRef("pk"), effective_date__lte=cutoff)
        .order_by("-effective_date", "-id")
        .values("status")[:1]
    )
    # A member whose first recorded change came after the cut-off was active until then.
    members = Member.objects.annotate(
        status_then=Coalesce(
            status_then,
            Case(When(Exists(later_change), then=Value(MemberStatus.ACTIVE)), default=F("status")),
        )
    )
    allowed = [MemberStatus.ACTIVE] + ([MemberStatus.SUSPENDED] if rule_set.suspended_may_vote else [])
    members = members.filter(status_then__in=allowed).filter(
        # Without a join date, the day the member was registered in Minka stands for it: a member
        # registered after the cut-off was not a member on it.
        Q(join_date__isnull=True, created_at__date__lte=cutoff)
        | Q(join_date__lte=cutoff - timedelta(days=rule_set.min_membership_days))
    )
    if rule_set.min_membership_days:
        members = members.exclude(join_date__isnull=True)  # seniority cannot be shown without a join date
    if rule_set.min_delivered_kg:
        delivered = (
            Delivery.objects.filter(
                member=OuterRef("pk"),
                status=DeliveryStatus.VALID,
                date__gt=cutoff - timedelta(days=DELIVERY_WINDOW_DAYS),
                date__lte=cutoff,
            )
            .values("member")
            .annotate(total=Sum("dry_g"))
            .values("total")
        )
        members = members.annotate(delivered_g=Coalesce(Subquery(delivered), 0)).filter(
            delivered_g__gte=rule_set.min_delivered_kg * 1000
        )
    if rule_set.uses_delegates:
        mandate = Delegate.objects.filter(
            member=OuterRef("pk"), elected_on__lte=cutoff, term_ends_on__gte=cutoff
        )
        members = members.filter(Exists(mandate)).annotate(zone=Subquery(mandate.values("zone")[:1]))
    return members.order_by("code")


def _status_on(member: Member, day: Date) -> tuple[str, Date | None]:
    """A member's status on ``day`` and since when, as ``eligible_members`` reads the history."""
    change = member.status_changes.filter(effective_date__lte=day).order_by("-effective_date", "-id").first()
    if change is not None:
        return change.status, change.effective_date
    if member.status_changes.filter(effective_date__gt=day).exists():
        return MemberStatus.ACTIVE, None
    return member.status, None


def why_not_on_roll(assembly: Assembly, query: str) -> str | None:
    """Why a code or DNI typed at the desk is not on this assembly's roll, in words for the desk.

    None when the query is not a code or DNI of the register (a name: the desk lists the matches).
    """
    query = (query or "").strip()
    if not query:
        return None
    member = Member.objects.filter(Q(code__iexact=query) | Q(dni=query)).first()
    if member is None:
        if len(query.split()) > 1 and not any(ch.isdigit() for ch in query):
            return None  # a name that matches nobody: the empty list says it
        return _("«%(query)s» no es código ni DNI de ningún socio del registro: no es socio.") % {
            "query": query
        }
    rules, cutoff = assembly.rule_set, assembly.cutoff_date
    facts = {"member": f"{member.code} · {member.name}", "cutoff": cutoff.strftime("%d/%m/%Y")}
    if member.join_date and member.join_date > cutoff:
        return _(
            "%(member)s ingresó el %(joined)s, después de la fecha de corte del padrón (%(cutoff)s)."
        ) % {**facts, "joined": member.join_date.strftime("%d/%m/%Y")}
    registered = timezone.localdate(member.created_at)
    if member.join_date is None and registered > cutoff:
        return _(
            "%(member)s fue registrado el %(registered)s, sin fecha de ingreso, después de la fecha de "
            "corte del padrón (%(cutoff)s)."
        ) % {**facts, "registered": registered.strftime("%d/%m/%Y")}
    status, since = _status_on(member, cutoff)
    allowed = [MemberStatus.ACTIVE] + ([MemberStatus.SUSPENDED] if rules.suspended_may_vote else [])
    if status not in allowed:
        label = MemberStatus(status).label
        if since is not None:
            return _(
                "%(member)s no estaba hábil en la fecha de corte (%(cutoff)s): "
                "«%(status)s» desde el %(since)s."
            ) % {**facts, "status": label, "since": since.strftime("%d/%m/%Y")}
        return _("%(member)s no estaba hábil en la fecha de corte (%(cutoff)s): «%(status)s».") % {
            **facts,
            "status": label,
        }
    if rules.min_membership_days and (
        member.join_date is None or member.join_date > cutoff - timedelta(days=rules.min_membership_days)
    ):
        return _(
            "%(member)s no tenía en la fecha de corte (%(cutoff)s) la antigüedad mínima de %(days)d días."
        ) % {**facts, "days": rules.min_membership_days}
    if rules.uses_delegates:
        return _("%(member)s no es delegado con mandato vigente en la fecha de corte (%(cutoff)s).") % facts
    if rules.min_delivered_kg:
        return _(
            "%(member)s no alcanzó las entregas mínimas (%(kg)d kg en los 12 meses antes de %(cutoff)s)."
        ) % {**facts, "kg": rules.min_delivered_kg}
    return _("%(member)s no figura en el padrón de esta asamblea, congelado al convocarla.") % facts


# --- Attendance ---------------------------------------------------------------------


def attendance_counts(assembly: Assembly) -> tuple[int, int]:
    """(present, represented) right now; present counts those in the room and those taking part from
    home (virtual), who count alike for the quorum and vote."""
    in_person, virtual, represented = attendance_split(assembly)
    return in_person + virtual, represented


def attendance_split(assembly: Assembly) -> tuple[int, int, int]:
    """(in person, virtual, represented) right now."""
    counts = dict(
        Presence.objects.filter(assembly=assembly)
        .values("kind")
        .annotate(n=DbCount("id"))
        .values_list("kind", "n")
    )
    return (
        counts.get(PresenceKind.PRESENT, 0),
        counts.get(PresenceKind.VIRTUAL, 0),
        counts.get(PresenceKind.REPRESENTED, 0),
    )


# --- Motions ------------------------------------------------------------------------


PENDING_MOTION_STATUSES = [MotionStatus.DRAFT, MotionStatus.OPEN, MotionStatus.COUNTING]


def attachable_activities(season=None):
    """Drafted activities no pending budget motion has attached: what a new budget motion may put to
    the assembly."""
    attached = MotionBudgetLine.objects.filter(
        motion__status__in=PENDING_MOTION_STATUSES, line__isnull=False
    ).values("line_id")
    drafts = BudgetLine.objects.filter(authorization__isnull=True).exclude(pk__in=attached)
    if season is not None:
        drafts = drafts.filter(season=season)
    return drafts.select_related("season", "reallocated_from").order_by("season__starts_on", "id")


def pending_budget_minor(exclude: Motion | None = None) -> int:
    """Soles asked for by budget motions not yet published or withdrawn, in every assembly."""
    # A reallocation moves money already authorized: it asks nothing of the unallocated soles.
    lines = MotionBudgetLine.objects.filter(
        motion__status__in=PENDING_MOTION_STATUSES, line__reallocated_from__isnull=True
    )
    if exclude is not None:
        lines = lines.exclude(motion=exclude)
    return int(lines.aggregate(t=Sum("amount_minor"))["t"] or 0)


def premium_available_minor() -> int:
    """What a new budget motion may ask for: unallocated soles less other pending budget motions."""
    return fund_position().unallocated_minor - pending_budget_minor()


def current_tallies(motion: Motion) -> list[TallyRecord]:
    """The latest count of each box (or of the show of hands), corrections applied."""
    return list(motion.tallies.filter(corrected_by__isnull=True).prefetch_related("counts").order_by("box"))


def not_voted(motion: Motion):
    """Attending members whose electronic vote is still missing, with who casts it."""
    voted = BallotCast.objects.filter(motion=motion, voter=OuterRef("entry"))
    return (
        Presence.objects.filter(assembly_id=motion.assembly_id)
        .exclude(Exists(voted))
        .select_related("entry", "holder")
        .order_by("entry__position")
    )


def option_totals(motion: Motion) -> dict[int, int]:
    """Votes per option position: a secret electronic vote's counters, an open one's ballots (or a
    secret one's cast before the counters), or the current tallies."""
    positions = dict(motion.options.values_list("pk", "position"))
    totals = Counter({position: 0 for position in positions.values()})
    counters = list(motion.counters.values_list("option_id", "count"))
    if motion.method == VotingMethod.ELECTRONIC and counters:  # a secret vote: its counters
        for option_id, n in counters:
            totals[positions[option_id]] += n
    elif motion.method == VotingMethod.ELECTRONIC:
        for option_id, n in (
            Ballot.objects.filter(motion=motion)
            .values("option")
            .annotate(n=DbCount("id"))
            .values_list("option", "n")
        ):
            totals[positions[option_id]] += n
    else:
        for record in current_tallies(motion):
            for count in record.counts.all():
                totals[positions[count.option_id]] += count.count
    return dict(totals)


def turnout(motion: Motion) -> dict | None:
    """«Votaron X de Y»: who voted of those present and represented, with blank and spoiled votes
    apart. Y is fixed when the voting closes (before, it is who is attending now). Blank and spoiled
    of a secret electronic vote are shown only with its result. ``spoiled`` is None where Minka does
    not record it (a show of hands; paper ballots count a spoiled one where the tellers put it)."""
    if motion.status not in (MotionStatus.OPEN, MotionStatus.COUNTING, MotionStatus.PUBLISHED):
        return None  # not voted yet, or withdrawn: nothing to state
    if motion.attending_at_close is not None:
        of = motion.attending_at_close
    else:
        present, represented = attendance_counts(motion.assembly)
        of = present + represented
    electronic = motion.method == VotingMethod.ELECTRONIC
    remote = 0
    if electronic:
        voted = motion.casts.count()
        remote = motion.casts.filter(remote=True).count()
    else:
        tallies = current_tallies(motion)
        voted = sum(
            t.ballots_issued if t.ballots_issued is not None else sum(c.count for c in t.counts.all())
            for t in tallies
        )
    shown = not (electronic and motion.secret) or motion.status == MotionStatus.PUBLISHED
    blank = None
    if shown:
        totals = option_totals(motion)
        blank = sum(totals[o.position] for o in motion.options.all() if o.kind == "blank")
    return {
        "voted": voted,
        "of": of,
        "missing": max(of - voted, 0),
        "remote": remote,
        "blank": blank,
        "spoiled": _spoiled(motion, tallies if not electronic else None) if shown else None,
        "shown": shown,
    }


def _spoiled(motion: Motion, tallies) -> int | None:
    """Spoiled ballots: none in an electronic vote; a paper vote's boxes' «nulos» (None where no box
    recorded them, as before they were counted apart); a show of hands has none to count."""
    if tallies is None:
        return 0
    if motion.method != VotingMethod.PAPER:
        return None
    counted = [t.spoiled for t in tallies if t.spoiled is not None]
    return sum(counted) if counted else None


def open_electronic_motion(assembly: Assembly) -> Motion | None:
    """The electronic vote open now (the first, if the board opened several)."""
    return (
        assembly.motions.filter(status=MotionStatus.OPEN, method=VotingMethod.ELECTRONIC)
        .order_by("number")
        .first()
    )


def waiting_unlock(booth: Booth) -> BoothUnlock | None:
    """Whom the booth is unlocked for now, if anyone."""
    return (
        booth.unlocks.filter(used=False, withdrawn_at__isnull=True)
        .select_related("motion", "voter", "cast_by", "unlocked_by")
        .first()
    )


def _count_of(model) -> Coalesce:
    """How many rows of ``model`` an assembly has, as a subquery (no join of motions × attendees)."""
    counted = (
        model.objects.filter(assembly=OuterRef("pk")).order_by().values("assembly").annotate(n=DbCount("pk"))
    )
    return Coalesce(Subquery(counted.values("n"), output_field=IntegerField()), Value(0))


def assemblies_with_counts():
    """Every assembly, newest first, with its motions and attendees counted."""
    return (
        Assembly.objects.select_related("rule_set")
        .annotate(motion_count=_count_of(Motion), attending=_count_of(Presence))
        .order_by("-first_call_at", "-id")
    )


def assemblies_ahead():
    """Assemblies convened or in session, soonest first, each with ``motions_to_prepare`` (its draft
    motions) counted: one query."""
    return (
        Assembly.objects.exclude(status=AssemblyStatus.CLOSED)
        .annotate(motions_to_prepare=DbCount("motions", filter=Q(motions__status=MotionStatus.DRAFT)))
        .order_by("first_call_at", "id")
    )


# --- Taking part from home -----------------------------------------------------------


def remote_codes_for(dni: str):
    """The voting codes in force of the member with this DNI, in assemblies not closed that are
    virtual or hybrid."""
    return (
        RemoteCode.objects.filter(
            entry__dni=dni,
            replaced_at__isnull=True,
            assembly__mode__in=[AssemblyMode.VIRTUAL, AssemblyMode.HYBRID],
        )
        .exclude(assembly__status=AssemblyStatus.CLOSED)
        .select_related("assembly", "entry")
        .order_by("assembly_id")
    )


def remote_codes_issued(assembly: Assembly) -> int:
    return RemoteCode.objects.filter(assembly=assembly, replaced_at__isnull=True).count()


# --- Offices ----------------------------------------------------------------------------


def offices_on(day: Date):
    """The offices held on ``day`` (an office ended early stops on its last day)."""
    return (
        Office.objects.filter(starts_on__lte=day, ends_on__gte=day)
        .select_related("member", "motion__assembly", "replaces__member")
        .order_by("kind", "name", "member__name")
    )


def offices_during(first: Date, last: Date):
    """The offices held on at least one day from ``first`` to ``last``."""
    return Office.objects.filter(starts_on__lte=last, ends_on__gte=first)
