"""Recompute the journal from the database: numbering, hash chain and balance of every entry.

Streams entries and lines in number order side by side, so memory stays flat
however large the ledger is.
"""

from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ledger.balance import MIN_LINES, imbalances
from ledger.hashing import GENESIS_HASH, entry_hash
from ledger.models import EntryCounter, JournalEntry, JournalLine

CHUNK_SIZE = 2000


@dataclass
class LedgerCheck:
    entries: int = 0
    broken_number: int | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.broken_number is None


def verify_ledger() -> LedgerCheck:
    """Check entries 1..N in order and stop at the first broken one, listing all that is wrong with it."""
    # Entries commit in number order (the counter lock), so fixing N first gives both streams one snapshot.
    last = JournalEntry.objects.aggregate(last=Max("number"))["last"] or 0
    entries = (
        JournalEntry.objects.filter(number__lte=last)
        .order_by("number")
        .values(
            "id", "number", "date", "description", "source_key", "reverses__number", "previous_hash", "hash"
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )
    lines = (
        JournalLine.objects.filter(entry__number__lte=last)
        .order_by("entry__number", "id")
        .values_list("entry_id", "account__code", "currency", "amount", "account__currency")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    lines_by_entry = groupby(lines, key=lambda line: line[0])
    pending = next(lines_by_entry, None)
    check = LedgerCheck()
    previous_hash = GENESIS_HASH
    for expected_number, entry in enumerate(entries, start=1):
        entry_lines = []
        if pending is not None and pending[0] == entry["id"]:
            entry_lines = [line[1:] for line in pending[1]]
            pending = next(lines_by_entry, None)
        problems = _entry_problems(entry, entry_lines, expected_number, previous_hash)
        if problems:
            check.broken_number, check.problems = entry["number"], problems
            return check
        check.entries += 1
        previous_hash = entry["hash"]
    return _check_last_against_counter(check, last, previous_hash)


def _check_last_against_counter(check: LedgerCheck, last: int, last_hash: str) -> LedgerCheck:
    """The counter keeps the last hash it chained: a rewritten last entry no longer matches it."""
    counter = EntryCounter.objects.filter(pk=1).values("last_number", "last_hash").first()
    if (
        counter
        and counter["last_hash"]
        and counter["last_number"] == last
        and counter["last_hash"] != last_hash
    ):
        check.broken_number = last
        check.problems = [
            _("su hash no coincide con el que guardó el contador al registrarlo (fue alterado)")
        ]
        check.entries -= 1
    return check


def _entry_problems(entry: dict, lines: list[tuple], expected_number: int, previous_hash: str) -> list[str]:
    problems = []
    if entry["number"] != expected_number:
        problems.append(
            _("se esperaba el asiento %(number)s: falta en la numeración") % {"number": expected_number}
        )
    if entry["previous_hash"] != previous_hash:
        problems.append(_("no encadena con el hash del asiento anterior"))
    recomputed = entry_hash(
        previous_hash=entry["previous_hash"],
        number=entry["number"],
        date=entry["date"],
        description=entry["description"],
        source_key=entry["source_key"],
        reverses_number=entry["reverses__number"],
        lines=[(code, currency, amount) for code, currency, amount, _ in lines],
    )
    if recomputed != entry["hash"]:
        problems.append(_("su contenido no coincide con su hash (fue alterado)"))
    return problems + _line_problems(lines)


def _line_problems(lines: list[tuple]) -> list[str]:
    if len(lines) < MIN_LINES:
        return [
            ngettext(
                "tiene %(count)s línea; un asiento necesita al menos dos",
                "tiene %(count)s líneas; un asiento necesita al menos dos",
                len(lines),
            )
            % {"count": len(lines)}
        ]
    problems = []
    for code, currency, _amount, account_currency in lines:
        if currency != account_currency:
            problems.append(
                _("una línea en %(currency)s usa la cuenta %(account)s, que es en %(account_currency)s")
                % {"currency": currency, "account": code, "account_currency": account_currency}
            )
    problems += [
        _("las líneas en %(currency)s no suman cero (diferencia de %(difference)s céntimos)")
        % {"currency": currency, "difference": total}
        for currency, total in imbalances((currency, amount) for _code, currency, amount, _a in lines).items()
    ]
    return problems
