"""A member's account: what the cooperative owes them, and the movements that change it.

Deliveries credit the account (ledger.purchases). Advances and payments
debit it against cash, bank or mobile wallet; agreed deductions debit it
against what the member owes the cooperative for inputs or loans.
"""

import uuid
from dataclasses import dataclass
from datetime import date as Date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from coop.models import Delivery, Member, Season
from ledger import chart
from ledger.models import Account, JournalLine, MemberMovement, MovementKind, PaymentMethod
from ledger.money import to_minor
from ledger.services import post_entry

METHOD_ACCOUNTS = {
    PaymentMethod.CASH: chart.CASH,
    PaymentMethod.BANK: chart.BANK,
    PaymentMethod.MOBILE_WALLET: chart.MOBILE_WALLET,
}
DEDUCTION_ACCOUNTS = {
    MovementKind.INPUT_CREDIT: chart.INPUT_CREDIT_RECEIVABLE,
    MovementKind.LOAN_INSTALMENT: chart.LOANS_RECEIVABLE,
}


def owed_to_member(member: Member, *, on: Date | None = None) -> int:
    """Céntimos the cooperative owes the member (negative: the member owes the cooperative), as of ``on``."""
    lines = JournalLine.objects.filter(account__code=f"{chart.MEMBER_ACCOUNT_PREFIX}{member.code}")
    if on is not None:
        lines = lines.filter(entry__date__lte=on)
    total = lines.aggregate(total=Sum("amount"))["total"]
    return -int(total or 0)


@transaction.atomic
def record_movement(
    *, member: Member, kind: str, date: Date | None, amount, document: str, user,
    method: str = "", note: str = "", submission_token: uuid.UUID | None = None,
) -> MemberMovement:
    """Post an advance, payment or deduction to the member's account, or refuse and write nothing.

    A payment may not exceed what the cooperative owes the member (pay the
    rest as an advance); a deduction may not exceed it either, since the
    member agreed to have it taken from what they are owed.
    """
    account = chart.member_account(member)
    # Locking the member's account serialises two clerks paying the same member.
    Account.objects.select_for_update().get(pk=account.pk)
    if submission_token is not None:
        existing = MemberMovement.objects.filter(submission_token=submission_token).first()
        if existing is not None:
            return existing
    errors = {}
    if kind not in MovementKind.values:
        errors["kind"] = "Elija el tipo de movimiento."
    is_cash_movement = kind in (MovementKind.ADVANCE, MovementKind.PAYMENT)
    if is_cash_movement and method not in PaymentMethod.values:
        errors["method"] = "Elija el medio de pago: efectivo, transferencia o billetera móvil."
    if not is_cash_movement:
        method = ""
    if date is None:
        errors["date"] = "Indique la fecha."
    elif date > timezone.localdate():
        errors["date"] = "La fecha no puede estar en el futuro."
    document = (document or "").strip()
    if not document:
        errors["document"] = "Indique el documento: voucher, número de operación o acuerdo."
    elif (earlier := MemberMovement.objects.filter(member=member, kind=kind, document=document).first()):
        errors["document"] = (f"El documento {document} ya fue registrado para este socio el "
                              f"{earlier.date:%d/%m/%Y} ({earlier.get_kind_display().lower()}).")
    minor = None
    # A float raises TypeError in to_minor: a programming error, not something a person typed.
    typed = amount.strip().replace(",", ".") if isinstance(amount, str) else amount
    try:
        minor = to_minor(typed) if typed not in (None, "") else None
    except ValidationError as exc:
        errors["amount"] = exc.messages[0]
    if minor is None and "amount" not in errors:
        errors["amount"] = "Indique el importe."
    elif minor is not None and minor <= 0:
        errors["amount"] = "El importe debe ser mayor que cero."
    if not errors and kind != MovementKind.ADVANCE:
        owed = owed_to_member(member)
        if minor > owed:
            from ledger.money import format_money

            errors["amount"] = (
                "El importe supera lo que la cooperativa debe al socio "
                f"({format_money(max(owed, 0), 'PEN')})."
                + (" Regístrelo como adelanto." if kind == MovementKind.PAYMENT else "")
            )
    if errors:
        raise ValidationError(errors)

    counter_account = chart.account(METHOD_ACCOUNTS[method] if is_cash_movement else DEDUCTION_ACCOUNTS[kind])
    label = MovementKind(kind).label
    entry = post_entry(
        date=date, description=f"{label} a {member.code} {member.name}, documento {document}",
        source_key=f"movement:{kind}:{member.code}:{document}",
        lines=[(account, minor), (counter_account, -minor)], user=user,
    )
    movement = MemberMovement(
        member=member, kind=kind, method=method, date=date, amount_minor=minor, document=document,
        note=(note or "").strip()[:200], entry=entry, submission_token=submission_token, entered_by=user,
    )
    movement.save()
    return movement


@dataclass(frozen=True)
class AccountLine:
    date: Date
    label: str
    document: str
    credit_minor: int  # owed to the member
    debit_minor: int  # paid or deducted
    void: bool = False
    url: str = ""


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
    movements = MemberMovement.objects.filter(member=member).select_related("entered_by")
    if season is not None:
        deliveries = deliveries.filter(season=season)
        movements = movements.filter(date__gte=season.starts_on, date__lte=season.ends_on)
    deliveries, movements = list(deliveries), list(movements)
    paid = sum(m.amount_minor for m in movements if m.kind in (MovementKind.ADVANCE, MovementKind.PAYMENT))
    return SeasonAccount(
        season=season, deliveries=deliveries, movements=movements,
        delivered_minor=sum(d.amount_minor for d in deliveries if not d.is_void),
        paid_minor=paid, deducted_minor=sum(m.amount_minor for m in movements) - paid,
        balance_minor=owed_to_member(member),
    )
