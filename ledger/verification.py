"""Recompute the journal from the database: numbering, hash chain and balance of every entry,
and the chain head the counter keeps (last number and last hash); then every other append-only
table's row chain and its head (toolkit.row_chain); then the records apps above register
(``register_record_check``: the Development Plan's authorized lines, paid spending).

Streams entries and lines in number order side by side, so memory stays flat
however large the ledger is. Everything is read in one snapshot, so entries
posted while it runs neither count nor trouble the check.
"""

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import groupby

from django.db import connection, transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ledger.balance import MIN_LINES, imbalances
from ledger.hashing import GENESIS_HASH, entry_hash, version_for
from ledger.models import EntryCounter, JournalEntry, JournalLine
from toolkit.row_chain import ChainProblem, problem_message, verify_chains

CHUNK_SIZE = 2000

# Checks of records that are not append-only but must agree with what the chains hold (an authorized
# plan line with its authorization, a paid spending with its journal entry). Apps above the ledger
# register them (fund.apps); each returns the first problem as a Spanish sentence, or None.
RECORD_CHECKS: list[Callable[[], str | None]] = []


def register_record_check(check: Callable[[], str | None]) -> None:
    if check not in RECORD_CHECKS:
        RECORD_CHECKS.append(check)


@dataclass
class LedgerCheck:
    entries: int = 0
    broken_number: int | None = None
    problems: list[str] = field(default_factory=list)
    # The last entry checked and its hash: what a checkpoint records.
    last_number: int = 0
    last_hash: str = GENESIS_HASH
    hash_v2_from: int = 1
    # The other append-only tables' chains: rows checked, each table's head, the first broken row.
    rows: int = 0
    chain_heads: dict[str, tuple[int, str]] = field(default_factory=dict)
    chain_problem: ChainProblem | None = None
    record_problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_number is None and self.chain_problem is None and self.record_problem is None

    @property
    def message(self) -> str:
        """The first problem as one sentence: «Asiento 3: …» or «Tabla X (…), fila 2: …»."""
        if self.broken_number is not None:
            # Each problem is a clause; together they make one sentence «Asiento 3: a; b.».
            return _("Asiento %(number)s: %(problems)s.") % {
                "number": self.broken_number,
                "problems": "; ".join(self.problems),
            }
        if self.chain_problem is not None:
            return problem_message(self.chain_problem)
        return self.record_problem or ""

    def fail(self, number: int, problems: list[str]) -> "LedgerCheck":
        self.broken_number, self.problems = number, problems
        return self


@contextmanager
def _one_snapshot():
    """The counter, the entries and the lines as of one moment."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def verify_ledger() -> LedgerCheck:
    """Check entries 1..N in order and the counter's head, then every append-only table's row
    chain; stop at the first broken entry or row, listing all that is wrong with it."""
    with _one_snapshot():
        check = _verify()
        if check.broken_number is None:
            chains = verify_chains()
            check.rows, check.chain_heads, check.chain_problem = chains.rows, chains.heads, chains.problem
        if check.ok:
            check.record_problem = next(
                filter(None, (record_check() for record_check in RECORD_CHECKS)), None
            )
        return check


def _verify() -> LedgerCheck:
    counter = EntryCounter.objects.filter(pk=1).values("last_number", "last_hash", "hash_v2_from").first()
    check = LedgerCheck(hash_v2_from=counter["hash_v2_from"] if counter else 1)
    last = JournalEntry.objects.aggregate(last=Max("number"))["last"] or 0
    entries = (
        JournalEntry.objects.filter(number__lte=last)
        .order_by("number")
        .values(
            "id",
            "number",
            "date",
            "description",
            "source_key",
            "reverses__number",
            "posted_by_id",
            "posted_at",
            "previous_hash",
            "hash",
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )
    lines = (
        JournalLine.objects.filter(entry__number__lte=last)
        .order_by("entry__number", "id")
        .values_list("entry_id", "account__code", "currency", "amount", "memo", "account__currency")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    lines_by_entry = groupby(lines, key=lambda line: line[0])
    pending = next(lines_by_entry, None)
    previous_hash = GENESIS_HASH
    for expected_number, entry in enumerate(entries, start=1):
        entry_lines = []
        if pending is not None and pending[0] == entry["id"]:
            entry_lines = [line[1:] for line in pending[1]]
            pending = next(lines_by_entry, None)
        version = version_for(entry["number"], check.hash_v2_from)
        problems = _entry_problems(entry, entry_lines, expected_number, previous_hash, version)
        if problems:
            return check.fail(entry["number"], problems)
        check.entries += 1
        previous_hash = entry["hash"]
        check.last_number, check.last_hash = entry["number"], entry["hash"]
    return _check_head(check, counter)


def _check_head(check: LedgerCheck, counter: dict | None) -> LedgerCheck:
    """The counter is the chain's head: its last number and hash must be the last entry's.

    Entries deleted at the end, a forged entry appended after it, or a counter moved by hand
    all leave the two apart.
    """
    last = check.last_number
    if counter is None:
        if last:
            return check.fail(
                1, [_("falta el contador de asientos que guarda el último número y su hash (fue borrado)")]
            )
        return check
    head = counter["last_number"]
    if head > last:
        if last == 0:
            problem = ngettext(
                "falta en el libro, aunque el contador registra %(head)s asiento; "
                "el libro no tiene ninguno (fue borrado)",
                "falta en el libro, aunque el contador registra %(head)s asientos; "
                "el libro no tiene ninguno (fueron borrados)",
                head,
            ) % {"head": head}
        else:
            problem = ngettext(
                "falta en el libro, aunque el contador registra %(head)s asiento; "
                "el libro termina en el asiento %(last)s (se borraron asientos del final)",
                "falta en el libro, aunque el contador registra %(head)s asientos; "
                "el libro termina en el asiento %(last)s (se borraron asientos del final)",
                head,
            ) % {"head": head, "last": last}
        return check.fail(last + 1, [problem])
    if head < last:
        # Entries after the head were not posted by Minka (or the counter was moved back).
        check.entries = head
        return check.fail(
            head + 1,
            [
                _(
                    "no debería existir: el contador registra hasta el asiento %(head)s "
                    "(se agregó un asiento por fuera de Minka o se retrocedió el contador)"
                )
                % {"head": head}
            ],
        )
    if last and counter["last_hash"] != check.last_hash:
        check.entries -= 1
        return check.fail(
            last, [_("su hash no coincide con el que guardó el contador al registrarlo (fue alterado)")]
        )
    if check.hash_v2_from > head + 1:
        return check.fail(
            head + 1,
            [
                _(
                    "el contador fija el inicio de la versión 2 del hash "
                    "después del último asiento (fue alterado)"
                )
            ],
        )
    return check


def _entry_problems(
    entry: dict, lines: list[tuple], expected_number: int, previous_hash: str, version: int
) -> list[str]:
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
        lines=[(code, currency, amount, memo) for code, currency, amount, memo, _ in lines],
        version=version,
        posted_by=entry["posted_by_id"],
        posted_at=entry["posted_at"],
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
    for code, currency, _amount, _memo, account_currency in lines:
        if currency != account_currency:
            problems.append(
                _("una línea en %(currency)s usa la cuenta %(account)s, que es en %(account_currency)s")
                % {"currency": currency, "account": code, "account_currency": account_currency}
            )
    problems += [
        _("las líneas en %(currency)s no suman cero (diferencia de %(difference)s céntimos)")
        % {"currency": currency, "difference": total}
        for currency, total in imbalances(
            (currency, amount) for _code, currency, amount, _memo, _a in lines
        ).items()
    ]
    return problems
