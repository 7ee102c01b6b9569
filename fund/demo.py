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
    report_progress,
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


# Each activity's facts by its name: objective, responsible person, expected beneficiaries (total,
# women, youth), indicators, months it runs from the assembly, and its progress once spent against
# (status, what was achieved, people reached: women under 30, 30-59, 60+, then men in the same bands).
ACTIVITIES = {
    "Capacitación en injertos y podas": (
        "Renovar los cacaotales viejos con injertos de clones productivos",
        "Ing. Wilder Panduro, técnico de campo",
        (120, 35, 30),
        "Socios capacitados; plantas injertadas por hectárea",
        9,
        ("done", "8 escuelas de campo, 2 400 plantas injertadas", (9, 17, 6, 20, 44, 16)),
    ),
    "Balanza electrónica y jabas para el centro de acopio": (
        "Pesar con exactitud y mantener el cacao separado por lote",
        "Gerente de la cooperativa",
        (300, 80, 60),
        "Balanza calibrada; reclamos por peso",
        3,
        ("done", "Balanza de 500 kg calibrada por INACAL; 200 jabas", (0, 0, 0, 0, 0, 0)),
    ),
    "Reparto en efectivo a los socios": (
        "Complementar el ingreso de las familias socias según el cacao entregado",
        "Tesorera del consejo de administración",
        (300, 80, 60),
        "Socios que reciben su parte",
        4,
        None,
    ),
    "Abono orgánico (compost) para los socios": (
        "Mejorar la fertilidad del suelo y el rendimiento por hectárea",
        "Ing. Wilder Panduro, técnico de campo",
        (150, 45, 35),
        "Toneladas de compost entregadas; rendimiento por hectárea",
        10,
        ("in_progress", "Primera entrega: 38 t de compost en Curiyacu y Chazuta", (7, 21, 8, 12, 40, 14)),
    ),
    "Secadora solar en Curiyacu": (
        "Secar el cacao sin humo ni tierra, con humedad bajo 7,5 %",
        "Presidente del comité de Curiyacu",
        (60, 18, 12),
        "Humedad del cacao seco; lotes rechazados",
        8,
        ("in_progress", "Estructura y techo terminados; falta el piso", (3, 9, 2, 9, 27, 6)),
    ),
    "Campaña de salud en Chazuta": (
        "Atención preventiva a las familias socias y a la comunidad",
        "Secretaria del comité de educación",
        (400, 220, 90),
        "Personas atendidas; campañas realizadas",
        6,
        ("done", "Dos jornadas con el centro de salud de Chazuta", (48, 96, 40, 30, 64, 38)),
    ),
}
# Drafted on the fund page after the 2025 assembly, for the next one: shows a plan still in draft.
NEXT_DRAFT = (
    C.MEMBER_SERVICES,
    "Vivero de plantones de cacao fino",
    "Producir plantones de clones finos para renovar 40 ha",
    "Ing. Wilder Panduro, técnico de campo",
    "6000",
    (80, 25, 30),
    "Plantones producidos; hectáreas renovadas",
)


def _draft(season, category, purpose, amount, decided_on, user):
    objective, responsible, (total, women, youth), indicators, months, _progress = ACTIVITIES[purpose]
    return draft_budget_line(
        season=season,
        purpose=purpose,
        category=category,
        amount=amount,
        objective=objective,
        starts_on=decided_on,
        ends_on=decided_on + timedelta(days=30 * months),
        responsible=responsible,
        beneficiaries=total,
        women=women,
        youth=youth,
        indicators=indicators,
        user=user,
    )


def _report(line, on: date, user, today: date) -> None:
    progress = ACTIVITIES[line.purpose][5]
    if progress is None or on > today:
        return
    status, achieved, counts = progress
    bands = ("women_young", "women_adult", "women_older", "men_young", "men_adult", "men_older")
    report_progress(
        line=line,
        status=status,
        achieved=achieved,
        reached=dict(zip(bands, counts, strict=True)),
        reported_on=on,
        user=user,
    )


def generate(seasons, user, approve_plan=None) -> None:
    """The fund's history. The board drafts each plan's activities; ``approve_plan(season=, lines=,
    decided_on=, user=)`` holds the assembly whose budget motion attaches and approves them, and returns
    them authorized, in order; without it (the ledger's own tests) the plan is authorized directly with
    the decision's wording.
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
        drafts = [
            _draft(season, category, purpose, amount, decided_on - timedelta(days=20), user)
            for category, purpose, amount in plan
        ]
        if approve_plan is None:
            authorize_budget_lines(lines=drafts, decision=decision, decided_on=decided_on, user=user)
            authorized = drafts
            for line in authorized:
                line.refresh_from_db()
        else:
            authorized = approve_plan(season=season, lines=drafts, decided_on=decided_on, user=user)
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
            _report(line, decided_on + timedelta(days=150), board or user, today)
        if code == "2025" and decided_on + timedelta(days=30) <= today:
            category, purpose, objective, responsible, amount, (total, women, youth), indicators = NEXT_DRAFT
            draft_budget_line(
                season=season,
                purpose=purpose,
                category=category,
                amount=amount,
                objective=objective,
                starts_on=decided_on + timedelta(days=365),
                ends_on=decided_on + timedelta(days=365 * 2),
                responsible=responsible,
                beneficiaries=total,
                women=women,
                youth=youth,
                indicators=indicators,
                user=board or user,
            )


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
