"""A member's account: what the cooperative owes them, and the movements that change it.

Deliveries credit the account (acopio.services). Advances and payments
debit it against cash, bank or mobile wallet; agreed deductions debit it
against what the member owes the cooperative for inputs or loans.
"""

import uuid
from datetime import date as Date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coop.models import Member
from ledger import chart
from ledger.models import (
    Account,
    Currency,
    JournalEntry,
    JournalLine,
    MemberMovement,
    MovementKind,
    PaymentMethod,
)
from ledger.services import post_entry, reverse_entry
from toolkit.money import format_money, typed_to_minor

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
    lines = JournalLine.objects.filter(account__member=member, account__currency=Currency.PEN)
    if on is not None:
        lines = lines.filter(entry__date__lte=on)
    total = lines.aggregate(total=Sum("amount"))["total"]
    return -int(total or 0)


@transaction.atomic
def record_movement(
    *,
    member: Member,
    kind: str,
    date: Date | None,
    amount,
    document: str,
    user,
    method: str = "",
    note: str = "",
    submission_token: uuid.UUID | None = None,
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
        errors["kind"] = _("Elija el tipo de movimiento.")
    is_cash_movement = kind in (MovementKind.ADVANCE, MovementKind.PAYMENT)
    if is_cash_movement and method not in PaymentMethod.values:
        errors["method"] = _("Elija el medio de pago: efectivo, transferencia o billetera móvil.")
    if not is_cash_movement:
        method = ""
    if date is None:
        errors["date"] = _("Indique la fecha.")
    elif date > timezone.localdate():
        errors["date"] = _("La fecha no puede estar en el futuro.")
    document = (document or "").strip()
    if not document:
        errors["document"] = _("Indique el documento: voucher, número de operación o acuerdo.")
    # A voided movement frees its document, so the corrected one can carry the same voucher number.
    same_document = list(
        MemberMovement.objects.filter(member=member, kind=kind, document=document).select_related(
            "entry__reversed_by"
        )
    )
    standing = next((m for m in same_document if not m.is_reversed), None)
    if standing is not None:
        errors["document"] = _(
            "El documento %(document)s ya fue registrado para este socio el %(date)s (%(kind)s)."
        ) % {
            "document": document,
            "date": standing.date.strftime("%d/%m/%Y"),
            "kind": standing.get_kind_display().lower(),
        }
    minor = None
    # A float raises TypeError in to_minor: a programming error, not something a person typed.
    try:
        minor = typed_to_minor(amount) if amount is not None and str(amount).strip() else None
    except ValidationError as exc:
        errors["amount"] = exc.messages[0]
    if minor is None and "amount" not in errors:
        errors["amount"] = _("Indique el importe.")
    elif minor is not None and minor <= 0:
        errors["amount"] = _("El importe debe ser mayor que cero.")
    if not errors and kind != MovementKind.ADVANCE:
        owed = owed_to_member(member)
        if minor > owed:
            owed_text = {"owed": format_money(max(owed, 0), "PEN")}
            if kind == MovementKind.PAYMENT:
                errors["amount"] = (
                    _(
                        "El importe supera lo que la cooperativa debe al socio (%(owed)s). "
                        "Regístrelo como adelanto."
                    )
                    % owed_text
                )
            else:
                errors["amount"] = (
                    _("El importe supera lo que la cooperativa debe al socio (%(owed)s).") % owed_text
                )
    if errors:
        raise ValidationError(errors)

    counter_account = chart.account(METHOD_ACCOUNTS[method] if is_cash_movement else DEDUCTION_ACCOUNTS[kind])
    # The entry's description is part of the journal (a record, hashed): Spanish whatever the page's language.
    with translation.override(settings.LANGUAGE_CODE):
        description = f"{MovementKind(kind).label} a {member.code} {member.name}, documento {document}"
    entry = post_entry(
        date=date,
        description=description,
        source_key=_source_key(kind, member, document, attempt=len(same_document) + 1),
        lines=[(account, minor), (counter_account, -minor)],
        user=user,
    )
    movement = MemberMovement(
        member=member,
        kind=kind,
        method=method,
        date=date,
        amount_minor=minor,
        document=document,
        note=(note or "").strip()[:200],
        entry=entry,
        submission_token=submission_token,
        entered_by=user,
    )
    movement.save()
    return movement


def _source_key(kind: str, member: Member, document: str, *, attempt: int) -> str:
    """The ledger key of a movement; a document used again after a void gets :2, :3…"""
    key = f"movement:{kind}:{member.code}:{document}"
    return key if attempt == 1 else f"{key}:{attempt}"


@transaction.atomic
def reverse_movement(
    *, movement: MemberMovement, reason: str, user, on: Date | None = None
) -> MemberMovement:
    """Undo a mistaken advance, payment or deduction: its entry is reversed, the movement stays, marked."""
    account = chart.member_account(movement.member)
    Account.objects.select_for_update().get(pk=account.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indique el motivo de la anulación.")})
    if JournalEntry.objects.filter(reverses=movement.entry_id).exists():
        raise ValidationError(
            {"reason": _("El movimiento %(document)s ya fue anulado.") % {"document": movement.document}}
        )
    # Written into the reversing entry's description: a record, Spanish whatever the page's language.
    with translation.override(settings.LANGUAGE_CODE):
        kind = movement.get_kind_display().lower()
    reverse_entry(
        entry=movement.entry,
        date=on or timezone.localdate(),
        user=user,
        reason=f"anulación de {kind} {movement.document}: {reason}",
    )
    return movement
