"""Reads of the assemblies: the rule set in force, who may vote, attendance, the budget motions
pending, the counts of a motion and who has still to vote, the list of assemblies with its counts."""

from collections import Counter
from datetime import date as Date
from datetime import timedelta

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models import Count as DbCount
from django.db.models.functions import Coalesce

from acopio.models import Delivery, DeliveryStatus
from assemblies.models import (
    Assembly,
    AssemblyStatus,
    Ballot,
    BallotCast,
    Delegate,
    Motion,
    MotionBudgetLine,
    MotionStatus,
    Presence,
    PresenceKind,
    RuleSet,
    TallyRecord,
    VotingMethod,
)
from coop.models import Member, MemberStatus, MemberStatusChange
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
        Q(join_date__isnull=True) | Q(join_date__lte=cutoff - timedelta(days=rule_set.min_membership_days))
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


# --- Attendance ---------------------------------------------------------------------


def attendance_counts(assembly: Assembly) -> tuple[int, int]:
    """(present, represented) right now."""
    counts = dict(
        Presence.objects.filter(assembly=assembly)
        .values("kind")
        .annotate(n=DbCount("id"))
        .values_list("kind", "n")
    )
    return counts.get(PresenceKind.PRESENT, 0), counts.get(PresenceKind.REPRESENTED, 0)


# --- Motions ------------------------------------------------------------------------


def pending_budget_minor(exclude: Motion | None = None) -> int:
    """Soles asked for by budget motions not yet published or withdrawn, in every assembly."""
    lines = MotionBudgetLine.objects.filter(
        motion__status__in=[MotionStatus.DRAFT, MotionStatus.OPEN, MotionStatus.COUNTING]
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
    """Votes per option position, from the electronic ballots or the current tallies."""
    positions = dict(motion.options.values_list("pk", "position"))
    totals = Counter({position: 0 for position in positions.values()})
    if motion.method == VotingMethod.ELECTRONIC:
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
