"""Signed checkpoints: the chain's head kept outside the database, checked by verify_ledger --checkpoint."""

import base64
import json
from datetime import date

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError

from ledger.checkpoint import new_private_key
from ledger.models import EntryCounter, JournalEntry
from toolkit.models import ChainHead

from .attacker import behind_the_back_of, delete_entries


@pytest.fixture
def key(monkeypatch):
    value = new_private_key()
    monkeypatch.setenv("MINKA_CHECKPOINT_KEY", value)
    return value


@pytest.fixture
def ten_entries(post):
    for n in range(1, 11):
        post(f"delivery:CHZ-A-{n:06d}", n * 100)


def write_checkpoint(tmp_path, capsys) -> tuple:
    path = tmp_path / "punto-de-control.json"
    call_command("checkpoint", "-o", str(path))
    return path, capsys.readouterr().out


def public_key(capsys) -> str:
    call_command("checkpoint", "--public-key")
    return capsys.readouterr().out.strip()


def test_a_checkpoint_records_the_last_entry_signed(ten_entries, key, tmp_path, capsys, settings):
    path, said = write_checkpoint(tmp_path, capsys)
    document = json.loads(path.read_text(encoding="utf-8"))
    last = JournalEntry.objects.get(number=10)
    assert document["entry_number"] == 10 and document["entry_hash"] == last.hash
    assert document["cooperative"] == settings.MINKA_COOP_NAME
    assert document["public_key"] == public_key(capsys)
    assert "asiento 10" in said and document["public_key"] in said


def test_the_untouched_ledger_and_a_longer_one_contain_the_checkpoint(
    ten_entries, post, key, tmp_path, capsys
):
    path, _said = write_checkpoint(tmp_path, capsys)
    call_command("verify_ledger", "--checkpoint", str(path))
    assert "Contiene el punto de control" in capsys.readouterr().out
    post("delivery:CHZ-A-000011", 1_100)
    call_command("verify_ledger", "--checkpoint", str(path), "--public-key", public_key(capsys))
    out = capsys.readouterr().out
    assert "11 asientos, cadena íntegra" in out and "(asiento 10)" in out


def test_a_ledger_that_lost_entries_after_the_checkpoint_fails(ten_entries, key, tmp_path, capsys):
    path, _said = write_checkpoint(tmp_path, capsys)
    # A restored old backup: the last three entries gone and the counter consistent with it.
    delete_entries(8, 10)
    EntryCounter.objects.filter(pk=1).update(last_number=7, last_hash=JournalEntry.objects.get(number=7).hash)
    call_command("verify_ledger")  # the chain alone cannot tell
    with pytest.raises(CommandError) as failed:
        call_command("verify_ledger", "--checkpoint", str(path))
    assert failed.value.returncode == 1
    assert "registra el asiento 10, pero el libro termina en el asiento 7" in str(failed.value)
    assert "se perdieron asientos posteriores" in str(failed.value)


def test_a_forged_signature_is_refused(ten_entries, key, tmp_path, capsys):
    path, _said = write_checkpoint(tmp_path, capsys)
    document = json.loads(path.read_text(encoding="utf-8"))
    document["entry_number"] = 5
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CommandError, match="La firma del punto de control no es válida") as failed:
        call_command("verify_ledger", "--checkpoint", str(path))
    assert failed.value.returncode == 1


def test_a_checkpoint_signed_with_another_key_is_refused_when_the_key_is_given(
    ten_entries, key, tmp_path, capsys, monkeypatch
):
    expected = public_key(capsys)
    monkeypatch.setenv("MINKA_CHECKPOINT_KEY", new_private_key())
    path, _said = write_checkpoint(tmp_path, capsys)
    with pytest.raises(CommandError, match="no con la esperada"):
        call_command("verify_ledger", "--checkpoint", str(path), "--public-key", expected)


def test_a_checkpoint_from_a_rewritten_ledger_fails(ten_entries, key, tmp_path, capsys):
    path, _said = write_checkpoint(tmp_path, capsys)
    document = json.loads(path.read_text(encoding="utf-8"))
    # Same number, another hash: as if the chain had been recomputed since; signed by the same key.
    document["entry_hash"] = "b" * 64
    private = Ed25519PrivateKey.from_private_bytes(base64.b64decode(key))
    content = {k: v for k, v in document.items() if k != "signature"}
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    document["signature"] = base64.b64encode(private.sign(canonical)).decode()
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CommandError, match="El asiento 10 no tiene el hash que registró el punto de control"):
        call_command("verify_ledger", "--checkpoint", str(path))


def test_no_key_is_refused_clearly(ten_entries, tmp_path, monkeypatch):
    monkeypatch.delenv("MINKA_CHECKPOINT_KEY", raising=False)
    with pytest.raises(CommandError, match="Falta la clave privada .* MINKA_CHECKPOINT_KEY"):
        call_command("checkpoint", "-o", str(tmp_path / "x.json"))
    assert not (tmp_path / "x.json").exists()
    monkeypatch.setenv("MINKA_CHECKPOINT_KEY", "no-es-una-clave")
    with pytest.raises(CommandError, match="no contiene una clave Ed25519 válida"):
        call_command("checkpoint", "-o", str(tmp_path / "x.json"))


def test_a_pem_key_works_too(ten_entries, tmp_path, capsys, monkeypatch):
    pem = (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        .decode()
    )
    monkeypatch.setenv("MINKA_CHECKPOINT_KEY", pem)
    path, _said = write_checkpoint(tmp_path, capsys)
    call_command("verify_ledger", "--checkpoint", str(path))


def test_a_tampered_ledger_gets_no_checkpoint(ten_entries, key, tmp_path):
    delete_entries(10, 10)
    with pytest.raises(CommandError, match="no se firma un punto de control de un libro alterado"):
        call_command("checkpoint", "-o", str(tmp_path / "x.json"))
    assert not (tmp_path / "x.json").exists()


def test_new_key_prints_a_usable_private_key(capsys, monkeypatch, db, post):
    call_command("checkpoint", "--new-key")
    printed = capsys.readouterr()
    assert len(base64.b64decode(printed.out.strip())) == 32
    assert "Clave pública" in printed.err
    monkeypatch.setenv("MINKA_CHECKPOINT_KEY", printed.out.strip())
    assert public_key(capsys) in printed.err


# --- The other append-only tables' chains (toolkit.row_chain) ------------------------------


@pytest.fixture
def three_checks(ten_entries, make_user):
    from sales.models import FairtradeTermsCheck

    admin = make_user("administrador", username="revisora")
    for day in (1, 2, 3):
        FairtradeTermsCheck.objects.create(checked_on=date(2026, 11, day), checked_by=admin, note=f"{day}")
    return FairtradeTermsCheck


def sign(document: dict, key: str) -> dict:
    private = Ed25519PrivateKey.from_private_bytes(base64.b64decode(key))
    content = {k: v for k, v in document.items() if k != "signature"}
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return document | {"signature": base64.b64encode(private.sign(canonical)).decode()}


def test_a_checkpoint_records_every_chained_tables_head(three_checks, key, tmp_path, capsys):
    path, _said = write_checkpoint(tmp_path, capsys)
    document = json.loads(path.read_text(encoding="utf-8"))
    table = three_checks._meta.db_table
    last = three_checks.objects.get(chain_number=3)
    assert document["format"] == 2
    assert document["tables"] == {table: {"number": 3, "hash": last.chain_hash}}
    call_command("verify_ledger", "--checkpoint", str(path))
    three_checks.objects.create(checked_on=date(2026, 11, 4), checked_by=last.checked_by)
    call_command("verify_ledger", "--checkpoint", str(path))  # a longer table still contains it


def test_rows_lost_from_a_chained_table_after_the_checkpoint_fail(three_checks, key, tmp_path, capsys):
    path, _said = write_checkpoint(tmp_path, capsys)
    table = three_checks._meta.db_table
    # A restored old backup of that table: its last row gone and its head consistent with it.
    second = three_checks.objects.get(chain_number=2)
    behind_the_back_of(table, (f"DELETE FROM {table} WHERE chain_number = 3", []))  # noqa: S608
    ChainHead.objects.filter(table=table).update(last_number=2, last_hash=second.chain_hash)
    call_command("verify_ledger")  # the chain alone cannot tell
    with pytest.raises(CommandError) as failed:
        call_command("verify_ledger", "--checkpoint", str(path))
    assert failed.value.returncode == 1
    assert f"Tabla {table}: el punto de control" in str(failed.value)
    assert "registra la fila 3, pero la tabla termina en la fila 2" in str(failed.value)


def test_a_chained_table_rewritten_since_the_checkpoint_fails(three_checks, key, tmp_path, capsys):
    path, _said = write_checkpoint(tmp_path, capsys)
    document = json.loads(path.read_text(encoding="utf-8"))
    table = three_checks._meta.db_table
    document["tables"][table]["hash"] = "c" * 64
    path.write_text(json.dumps(sign(document, key)), encoding="utf-8")
    with pytest.raises(CommandError, match=f"Tabla {table}, fila 3: no tiene el hash que registró"):
        call_command("verify_ledger", "--checkpoint", str(path))


def test_a_checkpoint_of_the_first_format_is_still_read(three_checks, key, tmp_path, capsys):
    path, _said = write_checkpoint(tmp_path, capsys)
    document = json.loads(path.read_text(encoding="utf-8"))
    del document["tables"]
    document["format"] = 1
    path.write_text(json.dumps(sign(document, key)), encoding="utf-8")
    call_command("verify_ledger", "--checkpoint", str(path))
    assert "Contiene el punto de control" in capsys.readouterr().out
