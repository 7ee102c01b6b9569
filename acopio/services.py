"""Buying cocoa from members: recording a delivery with its receipt, voiding it.

``record_delivery`` saves the figures ``acopio.selectors.quote_delivery`` showed the clerk,
numbers the receipt and posts the purchase to the member's account in one transaction.
"""

import secrets
import uuid
from datetime import date as Date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from acopio.models import CollectionCentre, Delivery, DeliveryStatus
from acopio.pricing import purchase_description
from acopio.receipts import take_receipt_numbers
from acopio.selectors import DeliveryLookups, quote_delivery
from coop.models import Member, Plot
from ledger import chart, sql
from ledger.models import Account
from ledger.services import post_entry, reverse_entry

# --- Recording ------------------------------------------------------------------


@transaction.atomic
def record_delivery(
    *,
    member: Member | None,
    plot: Plot | None,
    centre: CollectionCentre | None,
    date: Date | None,
    form: str,
    grade: str,
    gross_kg,
    tare_kg,
    moisture_pct,
    user,
    submission_token: uuid.UUID | None = None,
    external_ref: str | None = None,
    replaces: Delivery | None = None,
) -> Delivery:
    """Record a delivery, number its receipt and post the purchase, or refuse and write nothing.

    A form submitted twice (same ``submission_token``) returns the delivery the
    first submission made instead of recording another.
    """
    lookups = DeliveryLookups(
        member=member, plot=plot, date=date, form=form, grade=grade, submission_token=submission_token
    )
    if centre is not None:
        centre = take_receipt_numbers(centre=centre)
    if submission_token is not None and (existing := lookups.delivery_sent_before()) is not None:
        if centre is not None:
            # Nothing new is recorded: give back the number taken above.
            CollectionCentre.objects.filter(pk=centre.pk).update(
                last_receipt_number=F("last_receipt_number") - 1
            )
        return existing
    quote, moisture, errors = quote_delivery(
        member=member,
        plot=plot,
        centre=centre,
        date=date,
        form=form,
        grade=grade,
        gross_kg=gross_kg,
        tare_kg=tare_kg,
        moisture_pct=moisture_pct,
        lookups=lookups,
    )
    if external_ref and Delivery.objects.filter(external_ref=external_ref).exists():
        errors["external_ref"] = _("La referencia externa «%(reference)s» ya fue registrada.") % {
            "reference": external_ref
        }
    if replaces is not None:
        replaces = Delivery.objects.select_for_update().get(pk=replaces.pk)
        if not replaces.is_void:
            errors["replaces"] = _(
                "El recibo %(receipt)s no está anulado: anúlelo antes de reemplazarlo."
            ) % {"receipt": replaces.receipt_code}
        elif Delivery.objects.filter(replaces=replaces).exists():
            errors["replaces"] = _("El recibo %(receipt)s ya fue reemplazado.") % {
                "receipt": replaces.receipt_code
            }
    if errors:
        raise ValidationError(errors)

    delivery = Delivery(
        receipt_series=centre.receipt_series,
        receipt_number=centre.last_receipt_number,
        centre=centre,
        season=quote.season,
        member=member,
        plot=plot,
        date=date,
        form=form,
        grade=grade,
        gross_g=quote.gross_g,
        tare_g=quote.tare_g,
        net_g=quote.net_g,
        dry_g=quote.dry_g,
        moisture_pct=moisture,
        certification=quote.certification,
        price_row=quote.price_row,
        price_per_kg=quote.price_row.price_per_kg,
        amount_minor=quote.amount_minor,
        yield_flag=quote.yield_flag,
        external_ref=external_ref or None,
        submission_token=submission_token,
        verification_key=secrets.token_urlsafe(16),
        recorded_by=user,
        replaces=replaces,
    )
    sql.insert(delivery)  # Delivery.save(), without building the query (see ledger.sql)
    post_entry(
        date=date,
        description=purchase_description(delivery),
        source_key=delivery.source_key,
        lines=_purchase_lines(delivery, lookups.purchase_accounts()),
        user=user,
        accounts_read=True,
    )
    return delivery


def _purchase_lines(delivery: Delivery, accounts: tuple[Account, Account] | None = None) -> list:
    """Cocoa comes in at its price; the cooperative owes that to the member.

    ``accounts``: cocoa inventory and the member's account when the caller has read them.
    """
    inventory, member_account = accounts or chart.purchase_accounts(delivery.member)
    return [(inventory, delivery.amount_minor), (member_account, -delivery.amount_minor)]


@transaction.atomic
def void_delivery(*, delivery: Delivery, reason: str, user, on: Date | None = None) -> Delivery:
    """Void a delivery: it keeps its number, is marked void, leaves its lot, and its purchase entry is
    reversed."""
    from ledger.models import JournalEntry

    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.is_void:
        raise ValidationError(
            {"reason": _("El recibo %(receipt)s ya está anulado.") % {"receipt": delivery.receipt_code}}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indique el motivo de la anulación.")})
    entry = JournalEntry.objects.get(source_key=delivery.source_key)
    # The reversal's reason is written in the journal (a record, not a page): it stays in Spanish.
    reverse_entry(
        entry=entry,
        date=on or timezone.localdate(),
        reason=f"anulación del recibo {delivery.receipt_code}: {reason}",
        user=user,
    )
    delivery.status = DeliveryStatus.VOID
    delivery.void_reason = reason[:300]
    delivery.voided_at = timezone.now()
    delivery.voided_by = user
    delivery.lot = None  # a voided delivery leaves its lot, and the lot's weight with it
    delivery.save(update_fields=["status", "void_reason", "voided_at", "voided_by", "lot"])
    return delivery
