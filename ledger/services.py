"""Writes to the journal (the balances read from it are in ledger.selectors).

``post_entry`` and ``reverse_entry`` are the only ways an entry is written.
Both take the locked counter row first, so checks and numbering happen one
poster at a time and numbers stay gapless under concurrency.
"""

from dataclasses import dataclass
from datetime import date as Date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ledger import sql
from ledger.balance import MIN_LINES, imbalances
from ledger.hashing import GENESIS_HASH, entry_hash
from ledger.models import Account, EntryCounter, JournalEntry, JournalLine

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
