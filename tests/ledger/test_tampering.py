"""Someone with database access changes the journal behind Minka's back: verify_ledger must say so.

Each kind of tampering runs on the same 105-entry ledger, with the append-only triggers
switched off as an attacker would, and must end in exit 1 naming the first broken entry.
"""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from ledger.hashing import entry_hash
from ledger.models import EntryCounter, JournalEntry, JournalLine
from ledger.services import NewEntry, post_entries
from toolkit.row_chain import chained_models

from .attacker import behind_minkas_back, delete_entries
from .conftest import DAY

ENTRIES = 105


@pytest.fixture
def ledger(accounts, make_user):
    clerk = make_user("administrador", username="clerk")
    post_entries(
        entries=[
            NewEntry(
                date=DAY,
                description=f"Entrega {n}",
                source_key=f"delivery:CHZ-A-{n:06d}",
                lines=[(accounts["cash"], n * 100), (accounts["member"], -n * 100)],
            )
            for n in range(1, ENTRIES + 1)
        ],
        user=clerk,
    )
    return {"accounts": accounts, "clerk": clerk, "other": make_user(username="otro")}


def v2_hash(entry: JournalEntry, **changes) -> str:
    """The hash a careful attacker computes for ``entry`` with ``changes`` applied."""
    lines = [(line.account.code, line.currency, line.amount, line.memo) for line in entry.lines.all()]
    fields = {
        "previous_hash": entry.previous_hash,
        "number": entry.number,
        "date": entry.date,
        "description": entry.description,
        "source_key": entry.source_key,
        "reverses_number": None,
        "lines": lines,
        "posted_by": entry.posted_by_id,
        "posted_at": entry.posted_at,
    }
    return entry_hash(**(fields | changes))


def sql(statement: str, *params):
    return lambda ledger: behind_minkas_back((statement, list(params)))


def update_amount(ledger):
    for line in JournalLine.objects.filter(entry__number=50):
        behind_minkas_back(
            ("UPDATE ledger_journalline SET amount = %s WHERE id = %s", [line.amount * 10, line.id])
        )


def update_posted_by(ledger):
    behind_minkas_back(
        ("UPDATE ledger_journalentry SET posted_by_id = %s WHERE number = 50", [ledger["other"].pk])
    )


def update_posted_at(ledger):
    moment = JournalEntry.objects.get(number=50).posted_at + timedelta(seconds=1)
    behind_minkas_back(("UPDATE ledger_journalentry SET posted_at = %s WHERE number = 50", [moment]))


def update_memo(ledger):
    line = JournalLine.objects.filter(entry__number=50).first()
    behind_minkas_back(("UPDATE ledger_journalline SET memo = %s WHERE id = %s", ["anulado", line.id]))


def delete_one_line(ledger):
    line = JournalLine.objects.filter(entry__number=50).first()
    behind_minkas_back(("DELETE FROM ledger_journalline WHERE id = %s", [line.id]))


def swap_hashes(ledger):
    first, second = (JournalEntry.objects.get(number=n).hash for n in (10, 20))
    behind_minkas_back(
        ("UPDATE ledger_journalentry SET hash = %s WHERE number = 10", [second]),
        ("UPDATE ledger_journalentry SET hash = %s WHERE number = 20", [first]),
    )


def rewrite_middle_entry_with_its_hash(ledger):
    entry = JournalEntry.objects.get(number=30)
    behind_minkas_back(
        (
            "UPDATE ledger_journalentry SET description = %s, hash = %s WHERE number = 30",
            ["Nada", v2_hash(entry, description="Nada")],
        )
    )


def rewrite_last_entry_with_its_hash(ledger):
    entry = JournalEntry.objects.get(number=ENTRIES)
    behind_minkas_back(
        (
            "UPDATE ledger_journalentry SET description = %s, hash = %s WHERE number = %s",
            ["Nada", v2_hash(entry, description="Nada"), ENTRIES],
        )
    )


def append_forged_entry(ledger):
    """A new entry chained to the last with a correctly computed hash; the counter is left alone."""
    last = JournalEntry.objects.get(number=ENTRIES)
    cash, member = ledger["accounts"]["cash"], ledger["accounts"]["member"]
    forged = JournalEntry(
        number=ENTRIES + 1,
        date=DAY,
        description="Pago a socio",
        source_key="forged:1",
        posted_by=ledger["clerk"],
        posted_at=timezone.now(),
        previous_hash=last.hash,
    )
    forged.hash = entry_hash(
        previous_hash=last.hash,
        number=forged.number,
        date=DAY,
        description=forged.description,
        source_key=forged.source_key,
        reverses_number=None,
        lines=[(cash.code, "PEN", -50_000, ""), (member.code, "PEN", 50_000, "")],
        posted_by=ledger["clerk"].pk,
        posted_at=forged.posted_at,
    )
    JournalEntry.objects.bulk_create([forged])
    JournalLine.objects.bulk_create(
        [
            JournalLine(entry=forged, account=cash, amount=-50_000, currency="PEN"),
            JournalLine(entry=forged, account=member, amount=50_000, currency="PEN"),
        ]
    )


def counter_back_with_its_hash(ledger):
    previous = JournalEntry.objects.get(number=100).hash
    EntryCounter.objects.filter(pk=1).update(last_number=100, last_hash=previous)


TAMPERINGS = {
    "update amount": (update_amount, "Asiento 50: su contenido no coincide con su hash (fue alterado)"),
    "update posted_by": (
        update_posted_by,
        "Asiento 50: su contenido no coincide con su hash (fue alterado).",
    ),
    "update posted_at": (
        update_posted_at,
        "Asiento 50: su contenido no coincide con su hash (fue alterado).",
    ),
    "update memo": (update_memo, "Asiento 50: su contenido no coincide con su hash (fue alterado)."),
    "update description": (
        sql("UPDATE ledger_journalentry SET description = 'Nada' WHERE number = 50"),
        "Asiento 50: su contenido no coincide con su hash (fue alterado).",
    ),
    "update date": (
        sql("UPDATE ledger_journalentry SET date = %s WHERE number = 50", DAY - timedelta(days=400)),
        "Asiento 50: su contenido no coincide con su hash (fue alterado).",
    ),
    "delete one line": (delete_one_line, "Asiento 50: su contenido no coincide con su hash (fue alterado); "),
    "rewrite middle entry with recomputed hash": (
        rewrite_middle_entry_with_its_hash,
        "Asiento 31: no encadena con el hash del asiento anterior",
    ),
    "rewrite last entry with recomputed hash": (
        rewrite_last_entry_with_its_hash,
        "Asiento 105: su hash no coincide con el que guardó el contador al registrarlo (fue alterado).",
    ),
    "delete middle entry": (
        lambda ledger: delete_entries(50, 50),
        "Asiento 51: se esperaba el asiento 50: falta en la numeración; no encadena",
    ),
    "delete last entry": (
        lambda ledger: delete_entries(ENTRIES, ENTRIES),
        "Asiento 105: falta en el libro, aunque el contador registra 105 asientos; "
        "el libro termina en el asiento 104 (se borraron asientos del final).",
    ),
    "delete last 100 entries": (
        lambda ledger: delete_entries(6, ENTRIES),
        "Asiento 6: falta en el libro, aunque el contador registra 105 asientos; "
        "el libro termina en el asiento 5 (se borraron asientos del final).",
    ),
    "delete every entry": (
        lambda ledger: delete_entries(1, ENTRIES),
        "Asiento 1: falta en el libro, aunque el contador registra 105 asientos; "
        "el libro no tiene ninguno (fueron borrados).",
    ),
    "renumber the last entry": (
        sql("UPDATE ledger_journalentry SET number = 999 WHERE number = %s", ENTRIES),
        "Asiento 999: se esperaba el asiento 105: falta en la numeración; su contenido no coincide",
    ),
    "append forged entry with correct hash": (
        append_forged_entry,
        "Asiento 106: no debería existir: el contador registra hasta el asiento 105 "
        "(se agregó un asiento por fuera de Minka o se retrocedió el contador).",
    ),
    "lower counter": (
        sql("UPDATE ledger_entrycounter SET last_number = 100"),
        "Asiento 101: no debería existir: el contador registra hasta el asiento 100",
    ),
    "lower counter with its hash": (
        counter_back_with_its_hash,
        "Asiento 101: no debería existir: el contador registra hasta el asiento 100",
    ),
    "raise counter": (
        sql("UPDATE ledger_entrycounter SET last_number = 110"),
        "Asiento 106: falta en el libro, aunque el contador registra 110 asientos; "
        "el libro termina en el asiento 105",
    ),
    "change counter hash": (
        sql("UPDATE ledger_entrycounter SET last_hash = %s", "f" * 64),
        "Asiento 105: su hash no coincide con el que guardó el contador al registrarlo (fue alterado).",
    ),
    "delete counter": (
        sql("DELETE FROM ledger_entrycounter"),
        "Asiento 1: falta el contador de asientos que guarda el último número y su hash (fue borrado).",
    ),
    "move hash version cut-over": (
        sql("UPDATE ledger_entrycounter SET hash_v2_from = 50"),
        "Asiento 1: su contenido no coincide con su hash (fue alterado).",
    ),
    "swap two entries' hashes": (
        swap_hashes,
        "Asiento 10: su contenido no coincide con su hash (fue alterado).",
    ),
    "edit previous_hash": (
        sql("UPDATE ledger_journalentry SET previous_hash = %s WHERE number = 30", "a" * 64),
        "Asiento 30: no encadena con el hash del asiento anterior; su contenido no coincide con su hash",
    ),
}


def test_the_untouched_ledger_verifies(ledger, capsys):
    call_command("verify_ledger")
    journal, tables = capsys.readouterr().out.strip().splitlines()
    assert journal == "Libro mayor verificado: 105 asientos, cadena íntegra."
    assert (
        tables
        == f"Registros que solo se agregan: 0 filas en {len(chained_models())} tablas, cadenas íntegras."
    )


@pytest.mark.parametrize("kind", TAMPERINGS)
def test_each_tampering_is_caught_and_named(ledger, kind):
    tamper, expected = TAMPERINGS[kind]
    tamper(ledger)
    with pytest.raises(CommandError) as failed:
        call_command("verify_ledger")
    assert failed.value.returncode == 1
    assert str(failed.value).startswith(expected)
