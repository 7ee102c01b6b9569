"""Hash version 2 covers who posted, when, and the lines' memos; entries posted before it keep version 1."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError

from ledger.hashing import GENESIS_HASH, entry_hash
from ledger.models import EntryCounter, JournalEntry, JournalLine
from toolkit.row_chain import chained_models

from .attacker import behind_minkas_back
from .conftest import DAY

cut_over = importlib.import_module("ledger.migrations.0013_hash_version_2")


def post_version_1_entries(accounts, count: int) -> None:
    """Entries as Minka posted them before version 2, counter included (cut-over not yet recorded)."""
    previous = GENESIS_HASH
    for number in range(1, count + 1):
        lines = [(accounts["cash"], 100 * number), (accounts["member"], -100 * number)]
        entry = JournalEntry(
            number=number,
            date=DAY,
            description=f"Entrega antigua {number}",
            source_key=f"old:{number}",
            previous_hash=previous,
        )
        entry.hash = previous = entry_hash(
            previous_hash=previous,
            number=number,
            date=DAY,
            description=entry.description,
            source_key=entry.source_key,
            reverses_number=None,
            lines=[(account.code, account.currency, amount) for account, amount in lines],
            version=1,
        )
        JournalEntry.objects.bulk_create([entry])
        JournalLine.objects.bulk_create(
            JournalLine(entry=entry, account=account, amount=amount, currency=account.currency)
            for account, amount in lines
        )
    EntryCounter.objects.update_or_create(pk=1, defaults={"last_number": count, "last_hash": previous})


def test_old_entries_verify_under_version_1_and_new_ones_under_version_2(accounts, post, capsys):
    post_version_1_entries(accounts, 3)
    cut_over.record_cut_over(apps, None)
    assert EntryCounter.objects.get().hash_v2_from == 4

    post("delivery:CHZ-A-000004", 400)
    post("delivery:CHZ-A-000005", 500)
    call_command("verify_ledger")
    journal, tables = capsys.readouterr().out.strip().splitlines()
    assert journal == "Libro mayor verificado: 5 asientos, cadena íntegra."
    assert (
        tables
        == f"Registros que solo se agregan: 0 filas en {len(chained_models())} tablas, cadenas íntegras."
    )


def test_without_the_cut_over_old_entries_would_not_verify(accounts):
    # The migration is what lets old data verify: version 2 read over a version 1 entry fails.
    post_version_1_entries(accounts, 2)
    with pytest.raises(CommandError, match="^Asiento 1: su contenido no coincide con su hash"):
        call_command("verify_ledger")


@pytest.fixture
def two_entries(post, make_user):
    clerk = make_user("administrador", username="clerk")
    post("delivery:CHZ-A-000001", 100, user=clerk)
    post("delivery:CHZ-A-000002", 200, user=clerk)
    return clerk


def test_changing_who_posted_a_version_2_entry_is_detected(two_entries, make_user):
    other = make_user(username="otro")
    behind_minkas_back(("UPDATE ledger_journalentry SET posted_by_id = %s WHERE number = 2", [other.pk]))
    with pytest.raises(CommandError) as failed:
        call_command("verify_ledger")
    assert str(failed.value) == "Asiento 2: su contenido no coincide con su hash (fue alterado)."


def test_changing_when_a_version_2_entry_was_posted_is_detected(two_entries):
    entry = JournalEntry.objects.get(number=1)
    behind_minkas_back(
        (
            "UPDATE ledger_journalentry SET posted_at = %s WHERE number = 1",
            [entry.posted_at - timedelta(days=3)],
        )
    )
    with pytest.raises(CommandError) as failed:
        call_command("verify_ledger")
    assert str(failed.value) == "Asiento 1: su contenido no coincide con su hash (fue alterado)."


def test_changing_a_line_memo_of_a_version_2_entry_is_detected(two_entries):
    line = JournalLine.objects.filter(entry__number=2).first()
    behind_minkas_back(
        ("UPDATE ledger_journalline SET memo = %s WHERE id = %s", ["pago en efectivo", line.id])
    )
    with pytest.raises(CommandError) as failed:
        call_command("verify_ledger")
    assert str(failed.value) == "Asiento 2: su contenido no coincide con su hash (fue alterado)."


def test_the_stored_moment_reads_back_to_the_hashed_one(two_entries):
    # Hashing posted_at only works if the database returns the exact moment that was hashed.
    entry = JournalEntry.objects.get(number=2)
    assert entry.posted_at is not None and entry.posted_by == two_entries
    call_command("verify_ledger")


def test_a_json_dump_gives_back_the_hashed_moment(two_entries):
    # dumpdata/loaddata keep milliseconds only: the moment is taken to the millisecond when posting.
    entry = JournalEntry.objects.get(number=2)
    (reloaded,) = serializers.deserialize("json", serializers.serialize("json", [entry]))
    assert reloaded.object.posted_at == entry.posted_at
