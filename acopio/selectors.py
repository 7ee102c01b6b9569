"""Reads of collection that pages compose: a member's season of deliveries beside their account, the
internal-control page's flagged deliveries."""

from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from acopio.models import Delivery, DeliveryStatus
from acopio.services import capacity_g
from coop.models import Member, Plot, Season
from ledger.member_accounts import owed_to_member
from ledger.models import MemberMovement, MovementKind


@dataclass(frozen=True)
class SeasonAccount:
    season: Season | None
    deliveries: list
    movements: list
    delivered_minor: int
    paid_minor: int
    deducted_minor: int
    balance_minor: int  # all seasons, from the ledger


def season_account(*, member: Member, season: Season | None) -> SeasonAccount:
    """The season's deliveries and movements, with the balance read from the ledger itself."""
    deliveries = Delivery.objects.filter(member=member).select_related("centre", "plot")
    movements = MemberMovement.objects.filter(member=member).select_related(
        "entered_by", "entry__reversed_by"
    )
    if season is not None:
        deliveries = deliveries.filter(season=season)
        movements = movements.filter(date__gte=season.starts_on, date__lte=season.ends_on)
    deliveries, movements = list(deliveries), list(movements)
    standing = [m for m in movements if not m.is_reversed]
    paid = sum(m.amount_minor for m in standing if m.kind in (MovementKind.ADVANCE, MovementKind.PAYMENT))
    return SeasonAccount(
        season=season,
        deliveries=deliveries,
        movements=movements,
        delivered_minor=sum(d.amount_minor for d in deliveries if not d.is_void),
        paid_minor=paid,
        deducted_minor=sum(m.amount_minor for m in standing) - paid,
        balance_minor=owed_to_member(member),
    )


@dataclass
class FlaggedMember:
    """One member on the internal-control page: their season's dry total against what their plots yield."""

    member: Member
    delivered_g: int
    capacity_g: int
    deliveries: list

    @property
    def excess_g(self) -> int:
        return max(0, self.delivered_g - self.capacity_g)


def flagged_deliveries(season: Season | None):
    """The season's deliveries above the possible yield, by member, for the internal-control page."""
    return (
        Delivery.objects.flagged()
        .filter(season=season)
        .select_related("member", "centre")
        .order_by("member__code", "date", "receipt_number")
    )


def flagged_by_member(deliveries, season: Season) -> list[FlaggedMember]:
    """A page of flagged deliveries grouped by member, with each member's valid dry total in the season
    and the capacity of their plots: two queries for the whole page, whatever its size."""
    rows: dict[int, FlaggedMember] = {}
    for delivery in deliveries:
        if delivery.member_id not in rows:
            rows[delivery.member_id] = FlaggedMember(delivery.member, 0, 0, [])
        rows[delivery.member_id].deliveries.append(delivery)
    if not rows:
        return []
    delivered = (
        Delivery.objects.valid()
        .filter(season=season, member_id__in=rows)
        .values("member_id")
        .annotate(total=Sum("dry_g"))
        .order_by()
    )
    for row in delivered:
        rows[row["member_id"]].delivered_g = int(row["total"] or 0)
    plots: dict[int, list[Plot]] = {pk: [] for pk in rows}
    for plot in Plot.objects.filter(member_id__in=rows).only("member_id", "cocoa_producing_ha"):
        plots[plot.member_id].append(plot)
    for pk, row in rows.items():
        row.capacity_g = capacity_g(plots[pk], season)  # the clerk's page's rule, summed in Python
    return list(rows.values())


@dataclass(frozen=True)
class LotTotals:
    deliveries: int
    dry_g: int


def lot_totals(lots) -> dict[int, LotTotals]:
    """Deliveries and dry grams of the given lots (a page of them), from one index-only aggregate."""
    ids = [lot.pk for lot in lots]
    totals = {pk: LotTotals(0, 0) for pk in ids}
    rows = (
        Delivery.objects.filter(lot_id__in=ids)
        .values("lot_id")
        .annotate(n=Count("id"), dry_g=Sum("dry_g"))
        .order_by()
    )
    for row in rows:
        totals[row["lot_id"]] = LotTotals(row["n"], int(row["dry_g"] or 0))
    return totals


@dataclass(frozen=True)
class DeliveryGroup:
    """Deliveries of one centre, certification, status and yield flag in a season, added up."""

    centre_id: int
    certification: str
    status: str
    yield_flag: bool
    count: int
    dry_g: int
    net_g: int
    amount_minor: int


@dataclass(frozen=True)
class SeasonDeliveries:
    """A season's deliveries in two passes: every sum the season's reports show, and distinct members."""

    groups: list[DeliveryGroup]
    members_delivering: int  # with a valid delivery
    flagged_members: int  # with a valid delivery over the possible yield

    def valid(self) -> list[DeliveryGroup]:
        return [g for g in self.groups if g.status == DeliveryStatus.VALID]

    def voided(self) -> int:
        return sum(g.count for g in self.groups if g.status != DeliveryStatus.VALID)

    def flagged(self) -> int:
        return sum(g.count for g in self.valid() if g.yield_flag)

    def valid_dry_g_by_certification(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for g in self.valid():
            totals[g.certification] = totals.get(g.certification, 0) + g.dry_g
        return totals


def season_deliveries(season: Season) -> SeasonDeliveries:
    """Sums by centre, certification, status and yield flag (one pass over the season's deliveries),
    then the members with valid deliveries and those flagged among them (a second pass)."""
    groups = [
        DeliveryGroup(
            centre_id=row["centre_id"],
            certification=row["certification"],
            status=row["status"],
            yield_flag=row["yield_flag"],
            count=row["n"],
            dry_g=int(row["dry"] or 0),
            net_g=int(row["net"] or 0),
            amount_minor=int(row["amount"] or 0),
        )
        for row in Delivery.objects.filter(season=season)
        .values("centre_id", "certification", "status", "yield_flag")
        .annotate(n=Count("id"), dry=Sum("dry_g"), net=Sum("net_g"), amount=Sum("amount_minor"))
        .order_by()
    ]
    members = (
        Delivery.objects.valid()
        .filter(season=season)
        .aggregate(
            delivering=Count("member", distinct=True),
            flagged=Count("member", distinct=True, filter=Q(yield_flag=True)),
        )
    )
    return SeasonDeliveries(groups, members["delivering"], members["flagged"])
