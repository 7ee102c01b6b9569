"""A member's statement for a season: what they delivered, what they were paid, and the balance.

The money part is read from the member's ledger account itself (every line
dated in the season, classified by the document that caused it), so the
statement's opening and closing balances are the ledger's to the céntimo.
The deliveries table adds what the ledger does not hold: weights, prices
and receipts, voided ones included and marked.

A ledger line's document and detail are lazy text: the PDF shows them in the
reader's language, the attached data in the cooperative's (certification.documents).
"""

from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import timedelta

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from acopio.models import Delivery
from certification.documents import DocumentDraft, kg_text, lazy_text
from certification.models import DocumentKind
from coop.models import Member, Plot, Season
from fund.figures import split_by_weight
from fund.models import BudgetLine, DistributionShare, SpendingKind, SpendingStatus
from fund.selectors import fairtrade_grams_by_member
from ledger.models import Currency, JournalLine, MemberMovement
from sales.models import ContractPayment
from toolkit.money import format_money, from_minor
from toolkit.templatetags.minka_money import kg

# What caused each movement of the member's account, from the entry's source key; in this order.
CAUSES = {
    "delivery": gettext_lazy("Entregas de cacao"),
    "movement:advance": gettext_lazy("Adelantos"),
    "movement:payment": gettext_lazy("Pagos"),
    "movement:input_credit": gettext_lazy("Descuentos por crédito de insumos"),
    "movement:loan": gettext_lazy("Descuentos por cuotas de préstamo"),
    "premium-spending": gettext_lazy("Prima distribuida"),
    "reversal": gettext_lazy("Anulaciones"),
}
OTHER = "other"
OTHER_CAUSE = gettext_lazy("Otros movimientos")
# How ledger.services words a reversal's description (a record, in the cooperative's language).
REVERSAL_PREFIX = "Reversión del asiento "
# A low chart (the SVG is 120 units high): a member with a few movements gets a one-page statement.
BAR_AREA_HEIGHT = 75
BAR_BASELINE = 95
BAR_WIDTH = 38
# Abbreviations explained under the statement's table.
SHORT_CERTIFICATIONS = {
    "ft_org": gettext_lazy("CJ+Org."),
    "ft": gettext_lazy("CJ"),
    "org": gettext_lazy("Org."),
    "conv": gettext_lazy("Conv."),
}
# Wet cocoa has no grade.
SHORT_GRADES = {
    "g1": gettext_lazy("grado I"),
    "g2": gettext_lazy("grado II"),
    "sub": gettext_lazy("fuera de estándar"),
    "ng": "",
}
MONTHS = [
    pgettext_lazy("mes abreviado", "ene"),
    pgettext_lazy("mes abreviado", "feb"),
    pgettext_lazy("mes abreviado", "mar"),
    pgettext_lazy("mes abreviado", "abr"),
    pgettext_lazy("mes abreviado", "may"),
    pgettext_lazy("mes abreviado", "jun"),
    pgettext_lazy("mes abreviado", "jul"),
    pgettext_lazy("mes abreviado", "ago"),
    pgettext_lazy("mes abreviado", "set"),
    pgettext_lazy("mes abreviado", "oct"),
    pgettext_lazy("mes abreviado", "nov"),
    pgettext_lazy("mes abreviado", "dic"),
]


def cause_of(source_key: str) -> str:
    """The cause's key in CAUSES (OTHER when none fits); CAUSES names it."""
    for prefix in CAUSES:
        if source_key.startswith(prefix + ":") or source_key.startswith(prefix + "_"):
            return prefix
    return OTHER


@dataclass
class AccountLine:
    date: Date
    entry_number: int
    document: str
    detail: str
    cause: str  # a key of CAUSES, or OTHER
    owed_minor: int  # what the movement adds to the amount owed to the member (negative: takes away)
    balance_minor: int = 0
    dry_g: int | None = None
    voided: bool = False  # a delivery or movement later reversed: it stays, marked


@dataclass
class MonthBar:
    label: str
    dry_g: int
    height: int = 0
    x: int = 0

    @property
    def top(self) -> int:
        return BAR_BASELINE - self.height

    @property
    def middle(self) -> int:
        return self.x + BAR_WIDTH // 2

    @property
    def label_y(self) -> int:
        return self.top - 3

    @property
    def kg_label(self) -> str:
        return f"{round(self.dry_g / 1000):,}"


@dataclass
class PremiumSection:
    """The season's Fairtrade premium as it concerns the member (issue 20).

    What their cocoa generated: the premium received in soles for the season's contracts (the soles
    of each payment's premium at that day's rate) split over the members by the Fairtrade dry kilos
    each delivered in the season, whole céntimos by the largest remainder: the rule and the code
    (``fund.figures.split_by_weight`` over ``fairtrade_grams_by_member``) a cash distribution uses,
    so the parts of all members add up to the season's premium exactly. What the assembly decided:
    the season's Development Plan lines it authorized. What the member received: their shares of
    the season's cash distributions, approved and posted (not reversed).
    """

    fairtrade_g: int  # the member's Fairtrade dry grams in the season
    season_fairtrade_g: int  # all members'
    season_premium_minor: int  # premium received for the season's contracts, in céntimos of soles
    generated_minor: int  # the member's part of it
    plan_lines: list[BudgetLine]
    received_minor: int  # cash premium paid to the member

    @property
    def plan_total_minor(self) -> int:
        return sum(line.amount_minor for line in self.plan_lines)


@dataclass(frozen=True)
class SeasonPremiumSplit:
    """The season's premium split over the members by Fairtrade kilos: read once per season (a batch
    of statements shares it), each member's line is then a dictionary lookup."""

    season_premium_minor: int
    season_fairtrade_g: int
    by_member: dict[int, tuple[int, int]]  # member id → (Fairtrade grams, céntimos generated)


def season_premium_split(season: Season) -> SeasonPremiumSplit:
    weights = fairtrade_grams_by_member(season)
    received = ContractPayment.objects.filter(contract__season=season).aggregate(
        total=Sum("premium_pen_minor")
    )["total"]
    season_premium = int(received or 0)
    return SeasonPremiumSplit(
        season_premium_minor=season_premium,
        season_fairtrade_g=sum(grams for _member, grams in weights),
        by_member={
            share.member_id: (share.fairtrade_g, share.amount_minor)
            for share in split_by_weight(season_premium, weights)
        },
    )


# Inside ``reusing_premium_split`` (a printing batch), each season's split is read once.
_SPLITS: ContextVar[dict | None] = ContextVar("statement_premium_splits", default=None)


@contextmanager
def reusing_premium_split():
    """Statements drafted inside share each season's premium split (read once, not per member)."""
    token = _SPLITS.set({})
    try:
        yield
    finally:
        _SPLITS.reset(token)


def premium_section(
    *, member: Member, season: Season, split: SeasonPremiumSplit | None = None
) -> PremiumSection:
    if split is None:
        cache = _SPLITS.get()
        if cache is None:
            split = season_premium_split(season)
        else:
            split = cache.get(season.pk) or cache.setdefault(season.pk, season_premium_split(season))
    fairtrade_g, generated = split.by_member.get(member.pk, (0, 0))
    cash = DistributionShare.objects.filter(
        member=member,
        spending__season=season,
        spending__kind=SpendingKind.DISTRIBUTION,
        spending__status=SpendingStatus.PAID,
    ).aggregate(total=Sum("amount_minor"))["total"]
    return PremiumSection(
        fairtrade_g=fairtrade_g,
        season_fairtrade_g=split.season_fairtrade_g,
        season_premium_minor=split.season_premium_minor,
        generated_minor=generated,
        plan_lines=list(
            BudgetLine.objects.filter(season=season, authorization__isnull=False)
            .select_related("authorization")
            .order_by("id")
        ),
        received_minor=int(cash or 0),
    )


@dataclass
class MemberStatement:
    member: Member
    season: Season
    plots: list[Plot]
    deliveries: list[Delivery]
    lines: list[AccountLine]
    opening_minor: int
    closing_minor: int
    totals_by_cause: list[tuple[str, int]]  # (label, total)
    months: list[MonthBar] = field(default_factory=list)
    premium: PremiumSection | None = None

    @property
    def standing_deliveries(self) -> list[Delivery]:
        return [d for d in self.deliveries if not d.is_void]

    @property
    def closing_on(self) -> Date:
        """The season's last day, or today while the season is still running."""
        return min(self.season.ends_on, timezone.localdate())

    @property
    def voided_count(self) -> int:
        return len(self.deliveries) - len(self.standing_deliveries)

    @property
    def delivered_dry_g(self) -> int:
        return sum(d.dry_g for d in self.standing_deliveries)

    @property
    def delivered_minor(self) -> int:
        return sum(d.amount_minor for d in self.standing_deliveries)

    @property
    def chart_width(self) -> int:
        return 40 + len(self.months) * (BAR_WIDTH + 6)


def member_statement(
    *, member: Member, season: Season, premium_split: SeasonPremiumSplit | None = None
) -> MemberStatement:
    account_lines = JournalLine.objects.filter(account__member=member, account__currency=Currency.PEN)
    opening = -int(
        account_lines.filter(entry__date__lt=season.starts_on).aggregate(total=Sum("amount"))["total"] or 0
    )
    rows = (
        account_lines.filter(entry__date__gte=season.starts_on, entry__date__lte=season.ends_on)
        .order_by("entry__date", "entry__number")
        .values_list(
            "entry__date",
            "entry__number",
            "entry__description",
            "entry__source_key",
            "amount",
            "entry_id",
            "entry__reversed_by__id",
        )
    )
    deliveries = list(
        Delivery.objects.filter(member=member, season=season)
        .select_related("centre")
        .order_by("date", "receipt_series", "receipt_number")
    )
    by_key = {d.source_key: d for d in deliveries}
    movements = {
        m.entry_id: m
        for m in MemberMovement.objects.filter(
            member=member, date__gte=season.starts_on, date__lte=season.ends_on
        )
    }
    balance, lines, totals = opening, [], defaultdict(int)
    for day, number, description, source_key, amount, entry_id, reversed_by in rows:
        balance -= amount
        line = AccountLine(
            date=day,
            entry_number=number,
            document=lazy_text(lambda number=number: _("asiento %(number)s") % {"number": number}),
            detail=description,
            cause=cause_of(source_key),
            owed_minor=-amount,
            balance_minor=balance,
            voided=reversed_by is not None,
        )
        _describe(line, by_key.get(source_key), movements.get(entry_id))
        lines.append(line)
        totals[line.cause] += line.owed_minor
    order = [*CAUSES, OTHER]
    statement = MemberStatement(
        member=member,
        season=season,
        plots=list(member.plots.order_by("code")),
        deliveries=deliveries,
        lines=lines,
        opening_minor=opening,
        closing_minor=balance,
        totals_by_cause=[
            (CAUSES.get(cause, OTHER_CAUSE), totals[cause]) for cause in order if cause in totals
        ],
    )
    statement.months = _month_bars(statement)
    statement.premium = premium_section(member=member, season=season, split=premium_split)
    return statement


def _describe(line: AccountLine, delivery: Delivery | None, movement: MemberMovement | None) -> None:
    """Say what a ledger line was in the member's words: the receipt and its cocoa, or the voucher."""
    if delivery is not None:
        line.document = delivery.receipt_code
        line.dry_g = delivery.dry_g
        line.detail = lazy_text(lambda: _delivery_detail(delivery))
    elif movement is not None:
        line.document = movement.document
        line.detail = lazy_text(lambda: _movement_detail(movement))
    elif line.cause == "reversal":
        reversed_entry, _sep, reason = line.detail.partition(": ")
        if reversed_entry.startswith(REVERSAL_PREFIX):
            number = reversed_entry.removeprefix(REVERSAL_PREFIX)
            line.document = lazy_text(lambda: _("anula asiento %(number)s") % {"number": number})
        else:
            line.document = reversed_entry
        line.detail = reason or line.detail


def _delivery_detail(delivery: Delivery) -> str:
    # Short enough for one line: a wrapped line costs the reader, and the printer thousands of times.
    parts = (
        delivery.get_form_display(),
        SHORT_GRADES.get(delivery.grade, delivery.grade),
        _("%(kg)s neto") % {"kg": kg(delivery.net_g)},
        f"S/ {delivery.price_per_kg}/kg",
        SHORT_CERTIFICATIONS.get(delivery.certification, delivery.certification),
    )
    return ", ".join(str(part) for part in parts if part)


def _movement_detail(movement: MemberMovement) -> str:
    text = movement.get_kind_display()
    if movement.method:
        text = f"{text} ({movement.get_method_display().lower()})"
    return f"{text}: {movement.note}" if movement.note else text


def _season_months(season: Season) -> list[Date]:
    months, day = [], season.starts_on.replace(day=1)
    while day <= season.ends_on:
        months.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def _month_bars(statement: MemberStatement) -> list[MonthBar]:
    by_month = defaultdict(int)
    for delivery in statement.standing_deliveries:
        by_month[(delivery.date.year, delivery.date.month)] += delivery.dry_g
    bars = [
        MonthBar(label=f"{MONTHS[m.month - 1]} {m:%y}", dry_g=by_month[(m.year, m.month)])
        for m in _season_months(statement.season)
    ]
    top = max((bar.dry_g for bar in bars), default=0)
    for index, bar in enumerate(bars):
        bar.x = 40 + index * (BAR_WIDTH + 6)
        bar.height = round(bar.dry_g * BAR_AREA_HEIGHT / top) if top else 0
    return bars


def statement_table(statement: MemberStatement) -> list[list]:
    """The statement's data (attached to the PDF as CSV): balances and ledger lines, then the deliveries."""
    member, season = statement.member, statement.season
    rows = [
        [
            "seccion",
            "socio",
            "campana",
            "fecha",
            "asiento",
            "documento",
            "detalle",
            "importe_soles",
            "saldo_soles",
            "seco_kg",
            "neto_kg",
            "precio_kg",
            "certificacion",
            "estado",
        ]
    ]
    head = [member.code, season.code]
    blank = ["", "", "", "", ""]
    rows.append(
        [
            "saldo_inicial",
            *head,
            season.starts_on.isoformat(),
            "",
            "",
            "",
            "",
            from_minor(statement.opening_minor),
            *blank,
        ]
    )
    for line in statement.lines:
        rows.append(
            [
                "cuenta",
                *head,
                line.date.isoformat(),
                line.entry_number,
                line.document,
                line.detail,
                from_minor(line.owed_minor),
                from_minor(line.balance_minor),
                "" if line.dry_g is None else kg_text(line.dry_g),
                "",
                "",
                "",
                "anulado" if line.voided else "",
            ]
        )
    rows.append(
        [
            "saldo_final",
            *head,
            season.ends_on.isoformat(),
            "",
            "",
            "",
            "",
            from_minor(statement.closing_minor),
            *blank,
        ]
    )
    premium = statement.premium
    if premium is not None:
        prima = [
            ("prima_kg_cj_socio", kg_text(premium.fairtrade_g)),
            ("prima_kg_cj_campana", kg_text(premium.season_fairtrade_g)),
            ("prima_cobrada_campana", from_minor(premium.season_premium_minor)),
            ("prima_generada_socio", from_minor(premium.generated_minor)),
            ("prima_recibida_efectivo", from_minor(premium.received_minor)),
            ("plan_aprobado_total", from_minor(premium.plan_total_minor)),
        ]
        for name, value in prima:
            rows.append([name, *head, "", "", "", "", value, *blank])
        for line in premium.plan_lines:
            rows.append(
                [
                    "plan_linea",
                    *head,
                    line.authorization.decided_on.isoformat(),
                    "",
                    line.authorization.decision,
                    f"{line.purpose} ({line.category})",
                    from_minor(line.amount_minor),
                    *blank,
                ]
            )
    for d in statement.deliveries:
        rows.append(
            [
                "entrega",
                *head,
                d.date.isoformat(),
                "",
                d.receipt_code,
                d.centre.name,
                from_minor(d.amount_minor),
                "",
                kg_text(d.dry_g),
                kg_text(d.net_g),
                d.price_per_kg,
                d.certification,
                "anulada" if d.is_void else "vigente",
            ]
        )
    return rows


def statement_draft(
    *, member: Member, season: Season, premium_split: SeasonPremiumSplit | None = None
) -> DocumentDraft:
    statement = member_statement(member=member, season=season, premium_split=premium_split)
    title = {"season": season.name, "code": member.code, "name": member.name}
    return DocumentDraft(
        kind=DocumentKind.MEMBER_STATEMENT,
        title=lazy_text(lambda: _("Estado de cuenta %(season)s — %(code)s %(name)s") % title),
        template="certification/pdf/member_statement.html",
        context={
            "statement": statement,
        },
        table=statement_table(statement),
        summary=[
            (gettext_lazy("Socio"), f"{member.code} {member.name}"),
            (gettext_lazy("Campaña"), season.name),
            (gettext_lazy("Saldo inicial"), format_money(statement.opening_minor, "PEN")),
            (gettext_lazy("Entregas vigentes"), f"{len(statement.standing_deliveries)}"),
            (gettext_lazy("Saldo al cierre"), format_money(statement.closing_minor, "PEN")),
            (
                gettext_lazy("Prima generada por su cacao"),
                format_money(statement.premium.generated_minor, "PEN"),
            ),
            (
                gettext_lazy("Prima recibida en efectivo"),
                format_money(statement.premium.received_minor, "PEN"),
            ),
        ],
        season=season,
        member=member,
        csv_name=f"estado-de-cuenta-{member.code}-{season.code}.csv",
    )
