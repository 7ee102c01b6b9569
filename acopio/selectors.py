"""Reads of collection that pages compose: a member's season of deliveries beside their account."""

from dataclasses import dataclass

from acopio.models import Delivery
from coop.models import Member, Season
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
