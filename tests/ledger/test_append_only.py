import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from ledger.models import JournalEntry, JournalLine
from toolkit.append_only import AppendOnlyError
from toolkit.row_chain import chained_models


@pytest.fixture
def entry(post):
    return post("delivery:CHZ-A-000001", 12_345)


def test_the_models_refuse_to_change_or_delete_a_posted_entry(entry):
    entry.description = "Otra cosa"
    with pytest.raises(AppendOnlyError, match="asiento de reversión"):
        entry.save()
    line = entry.lines.first()
    line.amount = 1
    with pytest.raises(AppendOnlyError):
        line.save()
    with pytest.raises(AppendOnlyError):
        line.delete()
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_querysets_refuse_bulk_changes_and_deletes(entry):
    with pytest.raises(AppendOnlyError):
        JournalEntry.objects.all().update(description="x")
    with pytest.raises(AppendOnlyError):
        JournalLine.objects.filter(entry=entry).update(memo="x")
    with pytest.raises(AppendOnlyError):
        JournalEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        entry.lines.all().delete()
    lines = list(entry.lines.all())
    with pytest.raises(AppendOnlyError):
        JournalLine.objects.bulk_update(lines, ["memo"])
    assert JournalEntry.objects.get().description == "Entrega delivery:CHZ-A-000001"


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_journalentry SET description = 'manipulado'",
        "DELETE FROM ledger_journalentry",
        "UPDATE ledger_journalline SET amount = amount + 100",
        "DELETE FROM ledger_journalline",
    ],
)
def test_the_database_refuses_raw_updates_and_deletes(entry, sql):
    with pytest.raises(DatabaseError, match="no admite cambios ni borrados"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert sorted(JournalLine.objects.values_list("amount", flat=True)) == [-12_345, 12_345]


def behind_minkas_back(table: str, sql: str, params: list) -> None:
    """Run an UPDATE on a journal table with its trigger switched off (rolled back with the test)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks from the postings would block ALTER TABLE: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        else:
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")


def tamper_with_line(line_id: int, amount: int) -> None:
    behind_minkas_back(
        "ledger_journalline", "UPDATE ledger_journalline SET amount = %s WHERE id = %s", [amount, line_id]
    )


def test_verify_ledger_passes_on_a_clean_ledger(post, capsys):
    for n in range(1, 6):
        post(f"delivery:CHZ-A-{n:06d}", n * 100)
    call_command("verify_ledger")
    journal, tables = capsys.readouterr().out.strip().splitlines()
    assert journal == "Libro mayor verificado: 5 asientos, cadena íntegra."
    assert (
        tables
        == f"Registros que solo se agregan: 0 filas en {len(chained_models())} tablas, cadenas íntegras."
    )


def test_verify_ledger_names_the_entry_whose_amount_was_altered(post):
    for n in range(1, 6):
        post(f"delivery:CHZ-A-{n:06d}", n * 100)
    line = JournalLine.objects.get(entry__number=3, amount=300)
    tamper_with_line(line.id, 30_000)

    with pytest.raises(CommandError) as failed:
        call_command("verify_ledger")
    assert failed.value.returncode == 1
    assert str(failed.value) == (
        "Asiento 3: su contenido no coincide con su hash (fue alterado); "
        "las líneas en PEN no suman cero (diferencia de 29700 céntimos)."
    )


def test_verify_ledger_finds_a_balanced_alteration_through_the_hash(post):
    post("delivery:CHZ-A-000001", 100)
    post("delivery:CHZ-A-000002", 200)
    for line in JournalLine.objects.filter(entry__number=2):
        tamper_with_line(line.id, line.amount * 10)
    with pytest.raises(CommandError) as failed:
        call_command("verify_ledger")
    assert str(failed.value) == "Asiento 2: su contenido no coincide con su hash (fue alterado)."


def test_flush_cannot_wipe_the_journal(entry):
    # SQLite: flush deletes rows, refused by the row triggers; PostgreSQL: TRUNCATE, refused by 0005.
    with pytest.raises(CommandError, match="couldn't be flushed"):
        with transaction.atomic():
            call_command("flush", interactive=False, verbosity=0)
    assert JournalEntry.objects.count() == 1 and JournalLine.objects.count() == 2


def test_a_rewritten_last_entry_with_a_recomputed_hash_is_caught_by_the_counter(post):
    from ledger.hashing import entry_hash

    post("delivery:CHZ-A-000001", 100)
    last = post("delivery:CHZ-A-000002", 200)
    forged = entry_hash(
        previous_hash=last.previous_hash,
        number=2,
        date=last.date,
        description="Nada",
        source_key=last.source_key,
        reverses_number=None,
        lines=[(line.account.code, line.currency, line.amount, line.memo) for line in last.lines.all()],
        posted_by=last.posted_by_id,
        posted_at=last.posted_at,
    )
    behind_minkas_back(
        "ledger_journalentry",
        "UPDATE ledger_journalentry SET description = 'Nada', hash = %s WHERE number = 2",
        [forged],
    )
    with pytest.raises(CommandError, match="Asiento 2: su hash no coincide con el que guardó el contador"):
        call_command("verify_ledger")
