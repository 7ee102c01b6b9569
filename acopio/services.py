"""Buying cocoa: recording a delivery from a member or a purchase from a non-member with its
receipt, voiding it, and the register of non-member suppliers.

``record_delivery`` saves the figures ``acopio.selectors.quote_delivery`` showed the clerk,
numbers the receipt and posts the purchase to the member's account in one transaction.
``record_purchase`` does the same for a non-member (``quote_purchase``), from the same series,
posting to the non-member stock and the supplier's own payable account.
"""

import secrets
import uuid
from collections import Counter
from datetime import date as Date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from acopio import delivery_import
from acopio.delivery_import import DeliveryImportReport
from acopio.lots import lot_problems
from acopio.models import CollectionCentre, Delivery, DeliveryStatus, Lot, Supplier
from acopio.pricing import purchase_description
from acopio.receipts import take_receipt_numbers
from acopio.selectors import (
    DeliveryDraft,
    DeliveryLookups,
    owed_to_supplier,
    quote_delivery,
    quote_purchase,
)
from coop.models import Member, Plot, Season
from ledger import chart, sql
from ledger.models import Account, JournalEntry, JournalLine
from ledger.services import NewEntry, post_entries, post_entry, reverse_entry
from toolkit.db import analyze_after_commit
from toolkit.identity import dni_or_ruc_problem
from toolkit.money import format_money, typed_to_minor
from toolkit.validation import field_errors

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
        return _sent_before(existing, centre)
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
        replaces = _check_replaced(replaces, errors)
    if errors:
        raise ValidationError(errors)
    draft = DeliveryDraft(
        centre=centre,
        date=date,
        form=form,
        grade=grade,
        moisture_pct=moisture,
        quote=quote,
        member=member,
        plot=plot,
        external_ref=external_ref or None,
        submission_token=submission_token,
        replaces=replaces,
    )
    (delivery,) = _write_deliveries([draft], user=user, numbered=True, accounts=lookups.purchase_accounts())
    return delivery


def _sent_before(existing: Delivery, centre: CollectionCentre | None) -> Delivery:
    """A resent form records nothing new: give back the receipt number just taken, return the first."""
    if centre is not None:
        CollectionCentre.objects.filter(pk=centre.pk).update(last_receipt_number=F("last_receipt_number") - 1)
    return existing


def _write_deliveries(
    drafts: list[DeliveryDraft],
    *,
    user,
    numbered: bool = False,
    accounts: tuple[Account, Account] | None = None,
) -> list[Delivery]:
    """The one delivery writer: number the receipts, write the deliveries and post their purchases.

    ``drafts`` are checked and priced (quote_delivery, quote_purchase): from members, from non-members
    (a draft with a supplier) or both. Receipt numbers come from each centre's one series
    (take_receipt_numbers, centres in id order); ``numbered``: the caller took them already (one
    draft, its centre as take_receipt_numbers returned it, locked before the checks). A member's
    purchase debits cocoa inventory and credits the member's account, a non-member's debits the
    non-member stock and credits the supplier's payable account. One draft is written and posted
    statement by statement (the clerk's page: ``accounts``, the two accounts the caller read in this
    transaction, spare a read); many in bulk, with one locked counter for every entry.
    """
    if not drafts:
        return []
    if numbered:
        (draft,) = drafts
        centres = {draft.centre.pk: draft.centre}
        next_number = {draft.centre.pk: draft.centre.last_receipt_number}
    else:
        counts = Counter(draft.centre.pk for draft in drafts)
        # In id order, so two imports (or an import and a clerk) never deadlock.
        centres = {
            pk: take_receipt_numbers(centre=CollectionCentre(pk=pk), count=counts[pk])
            for pk in sorted(counts)
        }
        next_number = {pk: centre.last_receipt_number - counts[pk] + 1 for pk, centre in centres.items()}
    deliveries = []
    for draft in drafts:
        centre, quote = centres[draft.centre.pk], draft.quote
        number = next_number[centre.pk]
        next_number[centre.pk] += 1
        deliveries.append(
            Delivery(
                receipt_series=centre.receipt_series,
                receipt_number=number,
                centre=centre,
                season=quote.season,
                member=draft.member,
                plot=draft.plot,
                supplier=draft.supplier,
                origin=draft.origin,
                date=draft.date,
                form=draft.form,
                grade=draft.grade,
                gross_g=quote.gross_g,
                tare_g=quote.tare_g,
                net_g=quote.net_g,
                dry_g=quote.dry_g,
                moisture_pct=draft.moisture_pct,
                certification=quote.certification,
                price_row=quote.price_row,
                price_per_kg=quote.price_per_kg,
                amount_minor=quote.amount_minor,
                yield_flag=quote.yield_flag,
                external_ref=draft.external_ref,
                submission_token=draft.submission_token,
                verification_key=secrets.token_urlsafe(16),
                recorded_by=user,
                replaces=draft.replaces,
            )
        )
    if len(deliveries) == 1:
        (delivery,) = deliveries
        sql.insert(delivery)  # Delivery.save(), without building the query (see ledger.sql)
        if delivery.supplier_id is None:
            lines, accounts_read = _purchase_lines(delivery, accounts), True
        else:
            lines, accounts_read = (
                _non_member_lines(delivery, chart.account(chart.COCOA_INVENTORY_NON_MEMBER)),
                False,
            )
        post_entry(
            date=delivery.date,
            description=purchase_description(delivery),
            source_key=delivery.source_key,
            lines=lines,
            user=user,
            accounts_read=accounts_read,
        )
        return deliveries
    Delivery.objects.bulk_create(deliveries, batch_size=2000)
    from_members = [d for d in deliveries if d.supplier_id is None]
    member_accounts = chart.member_accounts({d.member for d in from_members}) if from_members else {}
    inventory = chart.account(chart.COCOA_INVENTORY) if from_members else None
    non_member_stock = (
        chart.account(chart.COCOA_INVENTORY_NON_MEMBER) if len(from_members) < len(deliveries) else None
    )
    post_entries(
        entries=[
            NewEntry(
                date=d.date,
                description=purchase_description(d),
                source_key=d.source_key,
                lines=(
                    _purchase_lines(d, (inventory, member_accounts[d.member_id]))
                    if d.supplier_id is None
                    else _non_member_lines(d, non_member_stock)
                ),
            )
            for d in deliveries
        ],
        user=user,
    )
    return deliveries


@transaction.atomic
def import_deliveries(*, source: bytes, filename: str, user, dry_run: bool = False) -> DeliveryImportReport:
    """Check the whole file, then record every new row in one transaction (or, for a dry run, roll back)."""
    report = DeliveryImportReport(filename=filename, dry_run=dry_run)
    rows, headers = delivery_import.read_deliveries(source=source, filename=filename, report=report)
    if not report.ok:
        return report
    return _import(rows, headers, report, user=user, dry_run=dry_run)


@transaction.atomic
def record_delivery_rows(
    *, rows: list[dict], user, dry_run: bool = False, label: str = ""
) -> DeliveryImportReport:
    """Record rows given as {column key: value} (the demo uses this), with the file import's checks."""
    report = DeliveryImportReport(filename=label, dry_run=dry_run)
    keyed, headers = delivery_import.keyed_rows(rows)
    return _import(keyed, headers, report, user=user, dry_run=dry_run)


def _import(rows, headers, report: DeliveryImportReport, *, user, dry_run: bool) -> DeliveryImportReport:
    report.rows = len(rows)
    drafts = delivery_import.check_rows(rows, headers, report)
    if not report.ok:
        return report
    try:
        with transaction.atomic():
            deliveries = _write_deliveries(drafts, user=user)
            if deliveries:  # on commit: a dry run's savepoint rolls back and drops it
                analyze_after_commit(Delivery, JournalEntry, JournalLine, rows=len(deliveries))
            if dry_run:
                transaction.set_rollback(True)
    except IntegrityError:
        report.error(
            None,
            "",
            _(
                "Otra importación registró algunas de estas referencias al mismo tiempo. "
                "No se guardó nada: vuelva a importar el archivo."
            ),
        )
        return report
    report.created = len(deliveries)
    report.flagged = sum(d.yield_flag for d in deliveries)
    report.amount_minor = sum(d.amount_minor for d in deliveries)
    return report


def _check_replaced(replaces: Delivery, errors: dict) -> Delivery:
    replaces = Delivery.objects.select_for_update().get(pk=replaces.pk)
    if not replaces.is_void:
        errors["replaces"] = _("El recibo %(receipt)s no está anulado: anúlelo antes de reemplazarlo.") % {
            "receipt": replaces.receipt_code
        }
    elif Delivery.objects.filter(replaces=replaces).exists():
        errors["replaces"] = _("El recibo %(receipt)s ya fue reemplazado.") % {
            "receipt": replaces.receipt_code
        }
    return replaces


def _purchase_lines(delivery: Delivery, accounts: tuple[Account, Account] | None = None) -> list:
    """Cocoa comes in at its price; the cooperative owes that to the member.

    ``accounts``: cocoa inventory and the member's account when the caller has read them.
    """
    inventory, member_account = accounts or chart.purchase_accounts(delivery.member)
    return [(inventory, delivery.amount_minor), (member_account, -delivery.amount_minor)]


def _non_member_lines(delivery: Delivery, stock: Account) -> list:
    """Cocoa from a non-member comes into its own stock; the cooperative owes the supplier."""
    return [(stock, delivery.amount_minor), (delivery.supplier.account, -delivery.amount_minor)]


@transaction.atomic
def void_delivery(*, delivery: Delivery, reason: str, user, on: Date | None = None) -> Delivery:
    """Void a delivery: it keeps its number, is marked void, leaves its lot, and its purchase entry is
    reversed."""
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


# --- Non-member suppliers and their purchases ---------------------------------------


@transaction.atomic
def create_supplier(*, document: str, name: str, origin: str = "", user) -> Supplier:
    """Register a non-member supplier with its own payable account, or refuse and write nothing."""
    document = "".join((document or "").split())
    name = " ".join((name or "").split())
    origin = (origin or "").strip()
    errors = {}
    if not document:
        errors["document"] = _("Indique el DNI o RUC del proveedor.")
    elif problem := dni_or_ruc_problem(document):
        errors["document"] = problem
    elif (existing := Supplier.objects.filter(document=document).first()) is not None:
        errors["document"] = _("Ya está registrado el proveedor %(supplier)s.") % {"supplier": existing}
    elif (member := Member.objects.filter(dni=document).first()) is not None:
        errors["document"] = _(
            "El DNI %(dni)s es de %(member)s, socio: registre su cacao como entrega de socio."
        ) % {"dni": document, "member": f"{member.code} {member.name}"}
    if not name:
        errors["name"] = _("Indique el nombre o la razón social del proveedor.")
    supplier = Supplier(document=document, name=name, origin=origin, created_by=user)
    try:
        # Lengths and characters nobody can see, by field, in the model's words.
        supplier.full_clean(exclude=["account", *errors], validate_unique=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():  # another clerk registering the same document at this moment
            supplier.account = chart.new_supplier_account(document=document, name=name)
            supplier.save()
    except IntegrityError:
        raise ValidationError(
            {
                "document": _("Ya está registrado el proveedor con el documento %(document)s.")
                % {"document": document}
            }
        ) from None
    return supplier


@transaction.atomic
def record_purchase(
    *,
    supplier: Supplier | None,
    centre: CollectionCentre | None,
    date: Date | None,
    form: str,
    grade: str,
    gross_kg,
    tare_kg,
    moisture_pct,
    user,
    price_per_kg=None,
    origin: str = "",
    member: Member | None = None,
    new_supplier: dict | None = None,
    submission_token: uuid.UUID | None = None,
    replaces: Delivery | None = None,
) -> Delivery:
    """Record a purchase from a non-member: the receipt from the centre's one series, conventional
    cocoa, no plot, priced from the list or at ``price_per_kg`` as typed; posted to the non-member
    stock and the supplier's payable account. A ``member`` is refused (a purchase is from a member
    or from a non-member, never both); nothing is written on any refusal. ``new_supplier`` (document,
    name, origin) registers the supplier first, in the same transaction: the clerk's page does it
    when the supplier is new."""
    if centre is not None:
        centre = take_receipt_numbers(centre=centre)
    if submission_token is not None:
        existing = Delivery.objects.filter(submission_token=submission_token).first()
        if existing is not None:
            return _sent_before(existing, centre)
    supplier_errors = {}
    if new_supplier is not None:
        if supplier is not None:
            supplier_errors["supplier"] = _(
                "Proveedor: elija uno registrado o registre uno nuevo, no los dos."
            )
        else:
            try:
                with transaction.atomic():
                    supplier = create_supplier(**new_supplier, user=user)
            except ValidationError as exc:
                supplier_errors = {f"new_{field}": problems for field, problems in exc.message_dict.items()}
    quote, moisture, errors = quote_purchase(
        supplier=supplier,
        member=member,
        centre=centre,
        date=date,
        form=form,
        grade=grade,
        gross_kg=gross_kg,
        tare_kg=tare_kg,
        moisture_pct=moisture_pct,
        price_per_kg=price_per_kg,
    )
    if supplier_errors:
        errors.pop("supplier", None)
        errors.update(supplier_errors)
    origin = (origin or "").strip() or (supplier.origin if supplier else "")
    errors.update(field_errors(Delivery(origin=origin), ["origin"]))
    if replaces is not None:
        replaces = _check_replaced(replaces, errors)
    if errors:
        raise ValidationError(errors)
    draft = DeliveryDraft(
        centre=centre,
        date=date,
        form=form,
        grade=grade,
        moisture_pct=moisture,
        quote=quote,
        supplier=supplier,
        origin=origin,
        submission_token=submission_token,
        replaces=replaces,
    )
    (purchase,) = _write_deliveries([draft], user=user, numbered=True)
    return purchase


@transaction.atomic
def pay_supplier(*, supplier: Supplier, date: Date | None, amount, method: str, document: str, user):
    """Pay a non-member supplier what the cooperative owes them, in cash, by bank or mobile wallet:
    the supplier's account against the money account, never more than is owed."""
    from ledger.member_accounts import METHOD_ACCOUNTS

    Account.objects.select_for_update().get(pk=supplier.account_id)
    errors = {}
    if date is None:
        errors["date"] = _("Indique la fecha.")
    elif date > timezone.localdate():
        errors["date"] = _("La fecha no puede estar en el futuro.")
    if method not in METHOD_ACCOUNTS:
        errors["method"] = _("Elija cómo se paga.")
    try:
        amount_minor = typed_to_minor(amount, "PEN")
    except ValidationError as exc:
        errors["amount"] = _("Importe: %(problem)s") % {"problem": exc.messages[0]}
        amount_minor = None
    owed = owed_to_supplier(supplier)
    if amount_minor is not None:
        if amount_minor <= 0:
            errors["amount"] = _("Importe: debe ser mayor que cero.")
        elif amount_minor > owed:
            errors["amount"] = _("Importe: se deben %(owed)s al proveedor; no se paga más.") % {
                "owed": format_money(owed, "PEN")
            }
    document = (document or "").strip()
    if not document:
        errors["document"] = _("Indique el documento del pago (recibo, operación).")
    if errors:
        raise ValidationError(errors)
    number = (
        JournalEntry.objects.filter(source_key__startswith=f"supplier-payment:{supplier.pk}:").count() + 1
    )
    return post_entry(
        date=date,
        description=f"Pago a proveedor no socio {supplier.document_label} {supplier.document}, {document}"[
            :300
        ],
        source_key=f"supplier-payment:{supplier.pk}:{number}",
        lines=[(supplier.account, amount_minor), (chart.account(METHOD_ACCOUNTS[method]), -amount_minor)],
        user=user,
    )


# --- Lots ------------------------------------------------------------------------------


@transaction.atomic
def build_lot(
    *, code: str, season: Season, claim: str, for_eu: bool, receipts: list[str], user, note: str = ""
) -> Lot:
    """A lot from receipts typed or pasted by the administrator ("C01-000123"), all or nothing."""
    lot = _new_lot(code=code, season=season, claim=claim, for_eu=for_eu, note=note, user=user)
    wanted = {_receipt_key(r) for r in receipts if r.strip()}
    if not wanted:
        raise ValidationError({"receipts": _("Indique al menos un recibo.")})
    found = {
        (d.receipt_series, d.receipt_number): d
        for d in _locked(
            Delivery.objects.filter(
                receipt_series__in={s for s, _ in wanted}, receipt_number__in={n for _, n in wanted}
            )
        )
    }
    missing = [
        _("%(receipt)s: no existe.") % {"receipt": f"{s}-{n:06d}"} for s, n in sorted(wanted - set(found))
    ]
    return _save(lot, [found[key] for key in sorted(wanted) if key in found], missing)


@transaction.atomic
def build_lot_by_rule(
    *,
    code: str,
    season: Season,
    claim: str,
    for_eu: bool,
    user,
    centre: CollectionCentre | None = None,
    date_from: Date | None = None,
    date_to: Date | None = None,
) -> Lot:
    """Every valid, unassigned delivery of the season the claim covers, optionally of one centre and dates."""
    lot = _new_lot(code=code, season=season, claim=claim, for_eu=for_eu, note="", user=user)
    candidates = Delivery.objects.valid().filter(season=season, lot__isnull=True)
    if centre is not None:
        candidates = candidates.filter(centre=centre)
    if date_from is not None:
        candidates = candidates.filter(date__gte=date_from)
    if date_to is not None:
        candidates = candidates.filter(date__lte=date_to)
    eligible = [d for d in _locked(candidates) if not lot_problems(lot, [d])]
    if not eligible:
        raise ValidationError({"receipts": _("Ninguna entrega sin lote cumple la regla.")})
    return _save(lot, eligible, [])


def _new_lot(*, code, season, claim, for_eu, note, user) -> Lot:
    code = (code or "").strip().upper()
    if not code:
        raise ValidationError({"code": _("Indique el código del lote.")})
    if Lot.objects.filter(code=code).exists():
        raise ValidationError({"code": _("Ya existe el lote %(lot)s.") % {"lot": code}})
    lot = Lot(
        code=code, season=season, claim=claim, for_eu=for_eu, note=(note or "").strip(), created_by=user
    )
    # The claim among the certifications, the code's and the note's lengths: the model's checks.
    lot.full_clean(exclude=["season", "created_by"], validate_unique=False)
    return lot


def _save(lot: Lot, deliveries: list[Delivery], problems: list[str]) -> Lot:
    problems = problems + lot_problems(lot, deliveries)
    if problems:
        raise ValidationError({"receipts": problems})
    # Cocoa bought from non-members marks the lot: sales refuses to sell it as Fairtrade or organic.
    lot.has_non_member = any(d.supplier_id is not None for d in deliveries)
    lot.save()
    ids = [d.pk for d in deliveries]
    for start in range(0, len(ids), 900):  # SQLite's limit on query parameters
        Delivery.objects.filter(pk__in=ids[start : start + 900]).update(lot=lot)
    return lot


def _locked(queryset):
    # Two administrators building lots at once must not put one delivery in two lots.
    locked = queryset.select_for_update(of=("self",)).select_related("plot", "season", "lot")
    return list(locked.order_by("pk"))


def _receipt_key(receipt: str) -> tuple[str, int]:
    series, _dash, number = receipt.strip().upper().partition("-")
    if not number.isdigit():
        raise ValidationError(
            {"receipts": _("«%(text)s» no es un número de recibo (C01-000123).") % {"text": receipt.strip()}}
        )
    return series, int(number)
