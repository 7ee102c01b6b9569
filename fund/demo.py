"""The demonstration cooperative's premium fund: dollars sold for soles, plans, spending, distributions.

Everything goes through fund.services, as a real cooperative's would,
in date order: premium is changed to soles, the assembly approves a plan
from what is unallocated, invoices are registered and signed. Spending is
signed by the first users holding the board and treasurer roles (quickstart
creates them before loading the demo); without them it stays pending.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.utils import timezone

from fund.models import PremiumCategory, PremiumConversion
from fund.ruc import ruc_check_digit
from fund.selectors import fund_position
from fund.services import (
    approve_spending,
    authorize_budget_lines,
    convert_premium,
    draft_budget_line,
    register_distribution,
    register_spending,
    reject_spending,
)
from sales.models import ContractPayment
from sales.rates import rate_on
from toolkit.roles import BOARD, TREASURER

C = PremiumCategory
# season code: (day the premium is changed to soles, assembly day, decision, lines), each line as
# (category, purpose, share of the unallocated soles, its invoices or "distribution"), each invoice as
# (supplier, RUC without its check digit, number, days after the assembly, share of the line, outcome).
PLANS = {
    "2019": (
        date(2019, 12, 20),
        date(2020, 3, 14),
        "Asamblea General Ordinaria del 14/03/2020, acuerdo n.º 5",
        [
            (
                C.MEMBER_SERVICES,
                "Capacitación en injertos y podas",
                "0.30",
                [
                    ("Escuela de Campo Amazonía EIRL", "2060184322", "E001-000118", 40, "0.55", "paid"),
                    ("Escuela de Campo Amazonía EIRL", "2060184322", "E001-000131", 120, "0.45", "paid"),
                ],
            ),
            (
                C.ORGANISATION,
                "Balanza electrónica y jabas para el centro de acopio",
                "0.25",
                [("Balanzas del Oriente SAC", "2053110976", "F002-004410", 30, "0.97", "paid")],
            ),
            (C.CASH_TO_MEMBERS, "Reparto en efectivo a los socios", "0.35", "distribution"),
        ],
    ),
    "2025": (
        date(2025, 12, 12),
        date(2026, 3, 21),
        "Asamblea General Ordinaria del 21/03/2026, acuerdo n.º 4",
        [
            (
                C.MEMBER_SERVICES,
                "Abono orgánico (compost) para los socios",
                "0.25",
                [
                    ("Agroinsumos Selva SAC", "2060345671", "F001-002231", 25, "0.60", "paid"),
                    ("Agroinsumos Selva SAC", "2060345671", "F001-002298", 70, "0.30", "pending"),
                ],
            ),
            (
                C.ORGANISATION,
                "Secadora solar en Curiyacu",
                "0.25",
                [
                    ("Ferretería El Constructor SAC", "2045117823", "F003-000874", 45, "0.70", "paid"),
                    ("Ferretería El Constructor SAC", "2045117823", "F003-000901", 60, "0.10", "rejected"),
                ],
            ),
            (
                C.COMMUNITY,
                "Campaña de salud en Chazuta",
                "0.10",
                [("Botica Virgen de la Puerta EIRL", "1044556677", "B001-001502", 50, "0.80", "paid")],
            ),
            (C.CASH_TO_MEMBERS, "Reparto en efectivo a los socios", "0.25", "distribution"),
        ],
    ),
}


def generate(seasons, user, approve_plan=None) -> None:
    """The fund's history. ``approve_plan(season=, lines=, decided_on=, user=)`` holds the assembly that
    approves each plan and returns its authorized BudgetLines in order; without it (the ledger's own
    tests) the plan is authorized directly with the decision's wording.
    """
    today = timezone.localdate()
    board, treasurer = first_user_with_role(BOARD), first_user_with_role(TREASURER)
    by_code = {season.code: season for season in seasons}
    for code, (converted_on, decided_on, decision, lines) in PLANS.items():
        season = by_code.get(code)
        if season is None or decided_on > today:
            continue
        _convert_premium_received_by(converted_on, code, user)
        unallocated = fund_position().unallocated_minor
        plan = [
            (category, purpose, _soles(unallocated * Decimal(share))) for category, purpose, share, _ in lines
        ]
        if approve_plan is None:
            authorized = [
                draft_budget_line(season=season, purpose=purpose, category=category, amount=amount, user=user)
                for category, purpose, amount in plan
            ]
            authorize_budget_lines(lines=authorized, decision=decision, decided_on=decided_on, user=user)
        else:
            authorized = approve_plan(season=season, lines=plan, decided_on=decided_on, user=user)
        drafted = [(line, spendings) for line, (*_, spendings) in zip(authorized, lines, strict=True)]
        for line, spendings in drafted:
            if spendings == "distribution":
                _distribute(line, season, decided_on + timedelta(days=90), board, treasurer, user, today)
            else:
                for supplier, ruc, invoice, days, share, outcome in spendings:
                    on = decided_on + timedelta(days=days)
                    if on > today:
                        continue
                    spending = register_spending(
                        line=line,
                        amount=_soles(line.amount_minor * Decimal(share)),
                        supplier=supplier,
                        ruc=ruc + ruc_check_digit(ruc),
                        document=invoice,
                        document_date=on,
                        description=line.purpose,
                        user=user,
                    )
                    _sign(spending, outcome, board, treasurer, on=on + timedelta(days=3))


def _convert_premium_received_by(day: date, code: str, user) -> None:
    """Sell, at the day's rate, the premium dollars received up to that day and not yet sold."""
    received = ContractPayment.objects.filter(date__lte=day).aggregate(t=Sum("premium_cents"))["t"] or 0
    sold = PremiumConversion.objects.aggregate(t=Sum("usd_cents"))["t"] or 0
    if received - sold <= 0:
        return
    convert_premium(
        usd=Decimal(received - sold) / 100,
        rate=rate_on(day).buy,
        on=day,
        document=f"CAMB-{code}-01",
        user=user,
    )


def _distribute(line, season, on: date, board, treasurer, user, today: date) -> None:
    if on > today:
        return
    spending = register_distribution(
        line=line,
        season=season,
        amount=_soles(line.amount_minor),
        document=f"PLR-{season.code}-01",
        document_date=on,
        description=f"Reparto de prima por kilos de Comercio Justo, {season.name}",
        user=user,
    )
    _sign(spending, "paid", board, treasurer, on=on + timedelta(days=2))


def _sign(spending, outcome: str, board, treasurer, *, on: date) -> None:
    if board is None or treasurer is None:
        return
    if outcome == "rejected":
        reject_spending(spending=spending, reason="La proforma no coincide con la factura", user=treasurer)
        return
    on = min(on, timezone.localdate())
    approve_spending(spending=spending, capacity="board", user=board, on=on)
    if outcome == "paid":
        approve_spending(spending=spending, capacity="treasurer", user=treasurer, on=on)


def first_user_with_role(role: str):
    """The demo login holding ``role`` (quickstart creates one per role before loading the demo), or None."""
    return get_user_model().objects.filter(groups__name=role, is_active=True).order_by("pk").first()


def _soles(minor) -> Decimal:
    """Whole soles below an amount in céntimos (a plan is written in round figures)."""
    return Decimal(int(minor) // 100)
