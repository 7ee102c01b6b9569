"""Writes to the journal (the balances read from it are in ledger.selectors), and the movements of a
member's account (advances, payments, deductions) posted to it.

``post_entry`` and ``reverse_entry`` are the only ways an entry is written.
Both take the locked counter row first, so checks and numbering happen one
poster at a time and numbers stay gapless under concurrency.
"""

import uuid
from dataclasses import dataclass
from datetime import date as Date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coop.models import Member
from ledger import chart, sql
from ledger.balance import MIN_LINES, imbalances
from ledger.hashing import GENESIS_HASH, entry_hash
from ledger.member_accounts import DEDUCTION_ACCOUNTS, METHOD_ACCOUNTS, owed_to_member
from ledger.models import (
    Account,
    EntryCounter,
    JournalEntry,
    JournalLine,
    MemberMovement,
    MovementKind,
    PaymentMethod,
)
from toolkit.money import format_money, typed_to_minor

# Ten thousand million soles in one line is a typing error, and the cap keeps
# any realistic sum well inside a 64-bit integer.
MAX_LINE_AMOUNT = 10**15

Lines = list[tuple[Account, int]]


def post_entry(
    *, date: Date, description: str, source_key: str, lines: Lines, user=None, accounts_read: bool = False
) -> JournalEntry:
    """Post a balanced entry for one source document, or refuse it and write nothing.

    ``accounts_read``: the caller read the lines' accounts from the database in this
    transaction (as ``chart.purchase_accounts`` does), so they are taken as they are
    instead of being read a second time.
    """
    return _post(
        date=date,
        description=description,
        source_key=source_key,
        lines=lines,
        user=user,
        accounts_read=accounts_read,
    )


def reverse_entry(*, entry: JournalEntry, date: Date, reason: str, user=None) -> JournalEntry:
    """Post the mirror of ``entry``: the one correction an entry gets."""
    if not reason.strip():
        raise ValidationError(_("Indique el motivo de la reversión."))
    mirror = [(line.account, -line.amount) for line in entry.lines.select_related("account")]
    return _post(
        date=date,
        # A record in the journal (hashed): it stays in Spanish.
        description=f"Reversión del asiento {entry.number}: {reason.strip()}",
        source_key=f"reversal:{entry.number}",
        lines=mirror,
        user=user,
        reverses=entry,
    )


def _post(**kwargs) -> JournalEntry:
    # Inside the caller's transaction (a delivery, a payment) no savepoint is needed:
    # every refusal is raised before the first write, so nothing is left half-written.
    # (Why post_entry and reverse_entry carry no @transaction.atomic: tests/test_services_contract.py.)
    if transaction.get_connection().in_atomic_block:
        return _post_in_transaction(**kwargs)
    with transaction.atomic():
        return _post_in_transaction(**kwargs)


def _post_in_transaction(
    *, date, description, source_key, lines, user, reverses=None, accounts_read=False
) -> JournalEntry:
    counter = _lock_counter()
    if accounts_read:
        accounts = {account.pk: account for account, _amount in lines}
    else:
        accounts = Account.objects.in_bulk({account.pk for account, _amount in lines})
    line_errors = _line_errors(lines, accounts)
    # Whether the document already has an entry is left to the insert below (one statement fewer)...
    if line_errors or _document_errors(description, source_key, reverses, check_taken=False):
        # ...unless the entry is refused anyway: then every problem is named at once, as always.
        raise ValidationError(line_errors + _document_errors(description, source_key, reverses))
    # Currency comes from the stored account, never from what the caller holds.
    rows = [(accounts[account.pk], amount) for account, amount in lines]
    entry = JournalEntry(
        number=counter.last_number + 1,
        date=date,
        description=description.strip(),
        source_key=source_key,
        reverses=reverses,
        posted_by=user,
        posted_at=_posting_moment(),
    )
    entry.previous_hash = _previous_hash(counter)
    entry.hash = entry_hash(
        previous_hash=entry.previous_hash,
        number=entry.number,
        date=date,
        description=entry.description,
        source_key=source_key,
        reverses_number=reverses.number if reverses else None,
        lines=[(account.code, account.currency, amount, "") for account, amount in rows],
        posted_by=user.pk if user else None,
        posted_at=entry.posted_at,
    )
    # The database's foreign keys check the user and the reversed entry (just read); validating
    # them here would cost a query each.
    entry.full_clean(exclude=["posted_by", "reverses"], validate_unique=False, validate_constraints=False)
    # The source document's unique key decides whether it was posted before: one statement
    # instead of a look-up and an insert (the counter lock makes the clash a committed entry).
    if not sql.insert(entry, unless_taken="source_key"):
        taken = JournalEntry.objects.values_list("number", flat=True).get(source_key=source_key)
        raise ValidationError([_taken_message(source_key, taken)])
    sql.insert_many(
        [
            JournalLine(entry=entry, account=account, amount=amount, currency=account.currency)
            for account, amount in rows
        ]
    )
    # The counter is the one ledger row that changes (by hand: the one-by-one path's every
    # statement counts, see ledger.sql).
    with sql.connection_for(EntryCounter).cursor() as cursor:
        cursor.execute(
            "UPDATE ledger_entrycounter SET last_number = %s, last_hash = %s WHERE id = %s",
            [entry.number, entry.hash, counter.pk],
        )
    return entry


@dataclass(frozen=True)
class NewEntry:
    date: Date
    description: str
    source_key: str
    lines: Lines


BULK_BATCH = 2000


@transaction.atomic
def post_entries(*, entries: list[NewEntry], user=None) -> list[JournalEntry]:
    """Post many entries at once (imports): all of them, numbered in order, or none.

    The same checks as post_entry, with the counter locked once and rows
    written in batches; problems are reported per source document.
    """
    counter = _lock_counter()
    account_ids = {account.pk for entry in entries for account, _amount in entry.lines}
    accounts = Account.objects.in_bulk(account_ids)
    keys = [entry.source_key for entry in entries]
    taken = set()
    for start in range(0, len(keys), 900):
        taken.update(
            JournalEntry.objects.filter(source_key__in=keys[start : start + 900]).values_list(
                "source_key", flat=True
            )
        )
    errors, seen = [], set()
    for entry in entries:
        problems = _line_errors(entry.lines, accounts)
        if not entry.description.strip():
            problems.append(_("Indique la descripción del asiento."))
        if not entry.source_key.strip():
            problems.append(_("Indique el documento de origen del asiento."))
        elif entry.source_key in taken or entry.source_key in seen:
            problems.append(_("El documento ya fue registrado."))
        seen.add(entry.source_key)
        errors += [
            _("%(about)s: %(problem)s") % {"about": entry.source_key, "problem": problem}
            for problem in problems
        ]
    if errors:
        raise ValidationError(errors)

    previous = _previous_hash(counter)
    posted_at = _posting_moment()
    rows, line_rows = [], []
    for number, new in enumerate(entries, start=counter.last_number + 1):
        lines = [(accounts[account.pk], amount) for account, amount in new.lines]
        entry = JournalEntry(
            number=number,
            date=new.date,
            description=new.description.strip(),
            source_key=new.source_key,
            posted_by=user,
            posted_at=posted_at,
            previous_hash=previous,
        )
        entry.hash = previous = entry_hash(
            previous_hash=previous,
            number=number,
            date=new.date,
            description=entry.description,
            source_key=new.source_key,
            reverses_number=None,
            lines=[(account.code, account.currency, amount, "") for account, amount in lines],
            posted_by=user.pk if user else None,
            posted_at=posted_at,
        )
        rows.append(entry)
        line_rows.append(lines)
    JournalEntry.objects.bulk_create(rows, batch_size=BULK_BATCH)
    JournalLine.objects.bulk_create(
        (
            JournalLine(entry=entry, account=account, amount=amount, currency=account.currency)
            for entry, lines in zip(rows, line_rows, strict=True)
            for account, amount in lines
        ),
        batch_size=BULK_BATCH,
    )
    if rows:
        EntryCounter.objects.filter(pk=counter.pk).update(
            last_number=rows[-1].number, last_hash=rows[-1].hash
        )
    return rows


def _posting_moment():
    """Now, to the millisecond: the moment is hashed, and Django's JSON dump keeps milliseconds only,
    so a dump and reload gives back exactly the hashed value."""
    now = timezone.now()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _lock_counter() -> EntryCounter:
    counter = sql.get_for_update(EntryCounter, 1)
    if counter is None:
        # A flushed test database has no counter row yet.
        counter, _created = EntryCounter.objects.select_for_update().get_or_create(pk=1)
    return counter


def _previous_hash(counter: EntryCounter) -> str:
    if counter.last_number == 0:
        return GENESIS_HASH
    if counter.last_hash:
        return counter.last_hash
    return JournalEntry.objects.values_list("hash", flat=True).get(number=counter.last_number)


def _line_errors(lines: Lines, accounts: dict[int, Account]) -> list[str]:
    """Every problem with the lines at once, so a clerk fixes them in one go."""
    if len(lines) < MIN_LINES:
        return [_("Un asiento necesita al menos dos líneas.")]
    errors = []
    balanced_part = []
    for position, (account, amount) in enumerate(lines, start=1):
        if account.pk not in accounts:
            errors.append(
                _("Línea %(line)s: la cuenta %(account)s no existe.")
                % {"line": position, "account": account.code}
            )
            continue
        if type(amount) is not int:
            errors.append(_("Línea %(line)s: el monto debe ser un entero en céntimos.") % {"line": position})
            continue
        if amount == 0:
            errors.append(_("Línea %(line)s: el monto no puede ser cero.") % {"line": position})
        if abs(amount) > MAX_LINE_AMOUNT:
            errors.append(
                _("Línea %(line)s: el monto %(amount)s excede el máximo permitido.")
                % {"line": position, "amount": amount}
            )
        balanced_part.append((accounts[account.pk].currency, amount))
    errors += [
        _("Las líneas en %(currency)s no suman cero (diferencia de %(difference)s céntimos).")
        % {"currency": currency, "difference": total}
        for currency, total in imbalances(balanced_part).items()
    ]
    return errors


def _document_errors(
    description: str, source_key: str, reverses: JournalEntry | None, *, check_taken: bool = True
) -> list[str]:
    errors = []
    if not description.strip():
        errors.append(_("Indique la descripción del asiento."))
    if not source_key.strip():
        errors.append(_("Indique el documento de origen del asiento."))
    elif check_taken and (
        taken := JournalEntry.objects.filter(source_key=source_key)
        .values_list("number", flat=True)
        .order_by()[:1]
    ):
        errors.append(_taken_message(source_key, taken[0]))
    if reverses is not None:
        errors += _reversal_errors(reverses)
    return errors


def _taken_message(source_key: str, number: int) -> str:
    return _("El documento «%(document)s» ya fue registrado en el asiento %(number)s.") % {
        "document": source_key,
        "number": number,
    }


def _reversal_errors(entry: JournalEntry) -> list[str]:
    if entry.reverses_id is not None:
        return [
            _("El asiento %(number)s es una reversión: no se revierte una reversión.")
            % {"number": entry.number}
        ]
    reversal = JournalEntry.objects.filter(reverses=entry).first()
    if reversal is not None:
        return [
            _("El asiento %(number)s ya fue revertido por el asiento %(reversal)s.")
            % {"number": entry.number, "reversal": reversal.number}
        ]
    return []


# --- A member's account: advances, payments and deductions ---------------------------


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
