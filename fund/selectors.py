"""Reads of the premium fund: what it holds, what a budget line has left, who a distribution pays, the
figures of the fund's page and reports."""

from dataclasses import dataclass

from django.db.models import Count, Sum
from django.utils.translation import gettext

from acopio.models import Delivery
from coop.models import Season
from fund.figures import Figures, add_up
from fund.models import (
    COMMITTED_STATUSES,
    ActivityProgress,
    ActivityStatus,
    BudgetLine,
    PremiumCategory,
    PremiumConversion,
    Spending,
    SpendingApproval,
    SpendingStatus,
)
from ledger import chart
from ledger.models import JournalLine
from sales.models import ContractPayment, SalesContract
from sales.selectors import FAIRTRADE_CLAIMS, outstanding_cents


@dataclass(frozen=True)
class FundPosition:
    usd_cents: int  # premium dollars not yet sold for soles
    pen_minor: int  # soles in the fund (from the ledger)
    authorized_unspent_minor: int  # authorized lines, less what was paid from them
    pending_minor: int  # registered spending awaiting approval

    @property
    def unallocated_minor(self) -> int:
        """Soles no assembly decision has claimed yet: what a new budget may use."""
        return self.pen_minor - self.authorized_unspent_minor


def credit_balance(code: str) -> int:
    """What the account of ``code`` holds on its credit side (the fund's accounts are credit balances)."""
    total = JournalLine.objects.filter(account__code=code).aggregate(total=Sum("amount"))["total"]
    return -int(total or 0)


def fund_position() -> FundPosition:
    # An authorized reallocation moves money between activities: it adds nothing to what is claimed.
    authorized = (
        BudgetLine.objects.filter(authorization__isnull=False, reallocated_from__isnull=True).aggregate(
            total=Sum("amount_minor")
        )["total"]
        or 0
    )
    spent = _spending_total(status=SpendingStatus.PAID)
    return FundPosition(
        usd_cents=credit_balance(chart.PREMIUM_FUND_USD),
        pen_minor=credit_balance(chart.PREMIUM_FUND_PEN),
        authorized_unspent_minor=int(authorized) - spent,
        pending_minor=_spending_total(status=SpendingStatus.PENDING),
    )


def _spending_total(**filters) -> int:
    return int(Spending.objects.filter(**filters).aggregate(total=Sum("amount_minor"))["total"] or 0)


def line_committed_minor(line: BudgetLine) -> int:
    """What is paid or awaiting approval on the line."""
    return _spending_total(line=line, status__in=COMMITTED_STATUSES)


def line_reallocated_out_minor(line: BudgetLine) -> int:
    """What assembly decisions moved out of the activity into others (authorized reallocations)."""
    moved = BudgetLine.objects.filter(reallocated_from=line, authorization__isnull=False)
    return int(moved.aggregate(total=Sum("amount_minor"))["total"] or 0)


def line_budget_minor(line: BudgetLine) -> int:
    """The activity's budget as the assembly decisions leave it: approved, less reallocated away."""
    return line.amount_minor - line_reallocated_out_minor(line)


def line_remaining_minor(line: BudgetLine) -> int:
    return line_budget_minor(line) - line_committed_minor(line)


def fairtrade_grams_by_member(season: Season) -> list[tuple[int, int]]:
    """(member id, Fairtrade dry-equivalent grams) from the season's valid deliveries, by member id.
    Purchases from non-members never share in the premium (they are conventional, and excluded here)."""
    rows = (
        Delivery.objects.valid()
        .filter(season=season, certification__in=FAIRTRADE_CLAIMS, member__isnull=False)
        .values_list("member_id")
        .annotate(grams=Sum("dry_g"))
        .order_by("member_id")
    )
    return [(member_id, int(grams)) for member_id, grams in rows if grams]


@dataclass(frozen=True)
class FundReport:
    position: FundPosition
    received_usd_cents: int
    converted_usd_cents: int
    converted_pen_minor: int
    seasons: list[Figures]
    categories: list[Figures]
    lines: list[tuple[BudgetLine, Figures]]


def fund_report() -> FundReport:
    """Everything the premium fund page shows, in a handful of aggregate queries."""
    received = {
        row["contract__season"]: row
        for row in ContractPayment.objects.values("contract__season")
        .annotate(usd=Sum("premium_cents"), pen=Sum("premium_pen_minor"))
        .order_by()
    }
    committed = (
        Spending.objects.filter(status__in=COMMITTED_STATUSES)
        .values("line", "status")
        .annotate(total=Sum("amount_minor"))
        .order_by()
    )
    spent = {(row["line"], row["status"]): int(row["total"]) for row in committed}
    lines = list(
        BudgetLine.objects.select_related("season", "authorization").order_by("season__starts_on", "id")
    )
    moved_out = {
        row["reallocated_from"]: int(row["total"])
        for row in BudgetLine.objects.filter(authorization__isnull=False, reallocated_from__isnull=False)
        .values("reallocated_from")
        .annotate(total=Sum("amount_minor"))
        .order_by()
    }
    line_figures = [
        (
            line,
            Figures(
                label=line.purpose,
                authorized_minor=line.amount_minor - moved_out.get(line.pk, 0) if line.is_authorized else 0,
                spent_minor=spent.get((line.pk, SpendingStatus.PAID), 0),
                pending_minor=spent.get((line.pk, SpendingStatus.PENDING), 0),
            ),
        )
        for line in lines
    ]

    seasons = []
    for season in Season.objects.order_by("starts_on"):
        money_in = received.get(season.pk, {})
        seasons.append(
            add_up(
                season.name,
                [f for line, f in line_figures if line.season_id == season.pk],
                received_usd_cents=int(money_in.get("usd") or 0),
                received_pen_minor=int(money_in.get("pen") or 0),
            )
        )
    categories = [
        add_up(str(label), [f for line, f in line_figures if line.category == value])
        for value, label in PremiumCategory.choices
    ]
    conversions = PremiumConversion.objects.aggregate(usd=Sum("usd_cents"), pen=Sum("pen_minor"))
    return FundReport(
        position=fund_position(),
        received_usd_cents=sum(f.received_usd_cents for f in seasons),
        converted_usd_cents=int(conversions["usd"] or 0),
        converted_pen_minor=int(conversions["pen"] or 0),
        seasons=seasons,
        categories=categories,
        lines=line_figures,
    )


@dataclass(frozen=True)
class AwaitingSignature:
    count: int
    amount_minor: int


def awaiting_signature(capacity: str) -> AwaitingSignature:
    """Spending awaiting approval that still lacks the signature of ``capacity`` (the board's or the
    treasury's): what a person signing in that capacity has to look at. One query."""
    signed = SpendingApproval.objects.filter(capacity=capacity).values("spending_id")
    sums = (
        Spending.objects.filter(status=SpendingStatus.PENDING)
        .exclude(pk__in=signed)
        .aggregate(n=Count("id"), total=Sum("amount_minor"))
    )
    return AwaitingSignature(count=sums["n"], amount_minor=int(sums["total"] or 0))


# --- The Development Plan's activities and their progress ----------------------------


def expected_premium_cents(season: Season | None = None) -> int:
    """Premium (US cents) still owed on signed contracts, on the version in force of each: what the plan
    may be drafted on besides the premium received. Spending stays limited to the soles in the fund."""
    contracts = SalesContract.objects.all() if season is None else season.contracts.all()
    total = 0
    for contract in contracts.prefetch_related("payments"):
        _owed, premium = outstanding_cents(contract)
        total += max(premium, 0)
    return total


@dataclass(frozen=True)
class ActivityRow:
    line: BudgetLine
    moved_out_minor: int  # reallocated to other activities by a later assembly decision
    paid_minor: int  # paid spending: each amount is the one its journal entry posted
    pending_minor: int
    progress: ActivityProgress | None  # the latest report

    @property
    def budget_minor(self) -> int:
        return self.line.amount_minor - self.moved_out_minor

    @property
    def remaining_minor(self) -> int:
        return self.budget_minor - self.paid_minor - self.pending_minor

    @property
    def status_label(self) -> str:
        if self.progress:
            return self.progress.get_status_display()
        if self.paid_minor or self.pending_minor:
            # Money spent says it started; only a progress report may say how far it got.
            return gettext("Con gastos, sin avance registrado")
        return ActivityStatus.NOT_STARTED.label


@dataclass(frozen=True)
class PlanProgress:
    season: Season
    activities: list[ActivityRow]  # authorized
    drafts: list[BudgetLine]  # drafted, not yet approved by an assembly
    received_usd_cents: int
    received_pen_minor: int
    expected_usd_cents: int
    fund_pen_minor: int  # the fund's soles, from the ledger

    @property
    def budget_minor(self) -> int:
        return sum(row.budget_minor for row in self.activities)

    @property
    def paid_minor(self) -> int:
        return sum(row.paid_minor for row in self.activities)

    @property
    def pending_minor(self) -> int:
        return sum(row.pending_minor for row in self.activities)

    @property
    def remaining_minor(self) -> int:
        return sum(row.remaining_minor for row in self.activities)

    @property
    def drafted_minor(self) -> int:
        return sum(line.amount_minor for line in self.drafts)


def plan_progress(season: Season) -> PlanProgress:
    """The season's plan: each authorized activity with its budget, spending and latest progress."""
    lines = list(
        BudgetLine.objects.filter(season=season)
        .select_related("authorization", "reallocated_from")
        .order_by("id")
    )
    ids = [line.pk for line in lines]
    moved_out = {
        row["reallocated_from"]: int(row["total"])
        for row in BudgetLine.objects.filter(authorization__isnull=False, reallocated_from__in=ids)
        .values("reallocated_from")
        .annotate(total=Sum("amount_minor"))
        .order_by()
    }
    spent = {
        (row["line"], row["status"]): int(row["total"])
        for row in Spending.objects.filter(line__in=ids, status__in=COMMITTED_STATUSES)
        .values("line", "status")
        .annotate(total=Sum("amount_minor"))
        .order_by()
    }
    latest: dict[int, ActivityProgress] = {}
    for progress in ActivityProgress.objects.filter(line__in=ids).order_by("line", "-reported_on", "-id"):
        latest.setdefault(progress.line_id, progress)
    received = ContractPayment.objects.filter(contract__season=season).aggregate(
        usd=Sum("premium_cents"), pen=Sum("premium_pen_minor")
    )
    return PlanProgress(
        season=season,
        activities=[
            ActivityRow(
                line=line,
                moved_out_minor=moved_out.get(line.pk, 0),
                paid_minor=spent.get((line.pk, SpendingStatus.PAID), 0),
                pending_minor=spent.get((line.pk, SpendingStatus.PENDING), 0),
                progress=latest.get(line.pk),
            )
            for line in lines
            if line.is_authorized
        ],
        drafts=[line for line in lines if not line.is_authorized],
        received_usd_cents=int(received["usd"] or 0),
        received_pen_minor=int(received["pen"] or 0),
        expected_usd_cents=expected_premium_cents(season),
        fund_pen_minor=credit_balance(chart.PREMIUM_FUND_PEN),
    )
