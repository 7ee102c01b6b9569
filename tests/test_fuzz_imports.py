"""Bad files never crash an import and never half-write one.

Hand-made bad files (tests/data/fuzz/, each named for what is wrong with it) must be refused; a seeded
generator mutates the sample files (samples/) a few hundred ways, and each mutant must be either
refused cleanly — Spanish messages, the database exactly as before — or accepted. A traceback fails
the test, whichever input caused it (its seed and mutation are in the failure)."""

import io
import random
import re
import zipfile
from pathlib import Path

import pytest
from django.db import transaction

from acopio.delivery_import import import_deliveries
from acopio.models import Delivery
from coop.models import Member, MemberStatusChange, Plot
from coop.services import import_register
from ledger.models import JournalEntry, JournalLine

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
FUZZ = ROOT / "tests" / "data" / "fuzz"
SAMPLES = ROOT / "samples"
SEED = 16
MUTANTS = 320

# What a message a person reads must not look like: an exception's text leaking through.
LEAKS = re.compile(r"Traceback|Error\b|object has no|invalid literal|codec|NoneType|unsupported operand")


def counts():
    return (
        Member.objects.count(),
        Plot.objects.count(),
        MemberStatusChange.objects.count(),
        Member.history.count(),
        Delivery.objects.count(),
        JournalEntry.objects.count(),
        JournalLine.objects.count(),
    )


def run(name: str, data: bytes):
    if name.startswith("entregas"):
        return import_deliveries(source=data, filename=name, user=None)
    return import_register(source=data, filename=name, dry_run=False, user=None)


def check_one(name: str, data: bytes, what: str) -> bool:
    """Import ``data`` and undo it; True when it was refused. Fails on a traceback or a partial write."""
    before = counts()
    with transaction.atomic():
        try:
            report = run(name, data)
        except Exception as exc:  # noqa: BLE001 — any exception is the failure this test looks for
            pytest.fail(f"{what}: {type(exc).__name__}: {exc}"[:2000])
        if report.ok:
            transaction.set_rollback(True)
            return False
        assert counts() == before, f"{what}: refused but something was written"
        for problem in report.errors:
            message = str(problem)
            assert message.strip() and not LEAKS.search(message), f"{what}: {message[:300]}"
        transaction.set_rollback(True)
        return True


@pytest.fixture
def cooperative(coop):
    """Centres, members S-00001…S-00003, seasons and prices: some mutants can be accepted."""
    return coop


def test_there_are_enough_hand_made_bad_files():
    assert len(list(FUZZ.iterdir())) >= 30


@pytest.mark.parametrize("path", sorted(FUZZ.iterdir()), ids=lambda p: p.name)
def test_each_hand_made_bad_file_is_refused_cleanly(cooperative, path):
    assert check_one(path.name, path.read_bytes(), path.name), f"{path.name} was accepted"


# --- mutations ------------------------------------------------------------------

TOKENS = [
    b"\x00",
    b"\xff",
    b"\xe9",
    b"\xc3",
    "\u202e".encode(),
    "\u200b".encode(),
    b";",
    b",",
    b'"',
    b"\n",
    b"\r",
    b"1e999999999",
    b"inf",
    b"NaN",
    b"-",
    b"#N/A",
    b"9" * 40,
    b"2,500",
    b"[[[[",
    b"/",
    b"\t",
    b"0",
]
XLSX_VALUES = [b"INF", b"NaN", b"1e999", b"-1e308", b"", b"x", b"9" * 400]


def sample_files() -> dict[str, bytes]:
    files = {}
    for path in sorted(SAMPLES.iterdir()):
        if path.suffix in {".csv", ".xlsx"}:
            data = path.read_bytes()
            # The delivery samples name the demo's members; the test cooperative's codes are S-0000n.
            files[path.name] = (
                data.replace(b"CHZ-0000", b"S-0000") if path.name.startswith("entregas") else data
            )
    return files


def mutate_bytes(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    position = rng.randrange(len(data) + 1)
    kind = rng.choice(["insert", "replace", "delete", "truncate", "duplicate_line", "flip"])
    if kind == "insert":
        token = rng.choice(TOKENS)
        return data[:position] + token + data[position:], f"insert {token!r} at {position}"
    if kind == "replace":
        token = rng.choice(TOKENS)
        return data[:position] + token + data[
            position + len(token) :
        ], f"replace at {position} with {token!r}"
    if kind == "delete":
        span = rng.randint(1, 20)
        return data[:position] + data[position + span :], f"delete {span} at {position}"
    if kind == "truncate":
        return data[:position], f"truncate at {position}"
    if kind == "flip":
        if not data:
            return data, "flip nothing"
        at = min(position, len(data) - 1)
        return data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1 :], f"flip a bit at {at}"
    lines = data.split(b"\n")
    line = rng.randrange(len(lines))
    return b"\n".join(lines[: line + 1] + lines[line:]), f"duplicate line {line}"


def mutate_xlsx(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """Edit the first sheet's XML as a broken or hostile writer could, then zip it again."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            part = source.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet1.xml":
                values = [m.span(1) for m in re.finditer(rb"<v>([^<]*)</v>", part)]
                kind = rng.choice(["value", "error", "text"])
                start, end = rng.choice(values)
                if kind == "value":
                    new = rng.choice(XLSX_VALUES)
                    part = part[:start] + new + part[end:]
                    what = f"cell value {new[:20]!r} at {start}"
                elif kind == "error":
                    cell = part.rfind(b"<c ", 0, start)
                    part = part[: cell + 3] + b't="e" ' + part[cell + 3 : start] + b"#REF!" + part[end:]
                    what = f"error cell at {start}"
                else:
                    part = part[:start] + rng.choice(TOKENS) + part[end:]
                    what = f"broken XML at {start}"
            target.writestr(entry.filename, part)
    return out.getvalue(), what


def test_mutations_of_the_samples_are_refused_cleanly_or_accepted(cooperative):
    rng = random.Random(SEED)
    files = sample_files()
    names = sorted(files)
    refused = accepted = 0
    for number in range(MUTANTS):
        name = names[number % len(names)]
        data = files[name]
        if name.endswith(".xlsx") and rng.random() < 0.7:
            mutant, what = mutate_xlsx(rng, data)
        else:
            mutant, what = data, ""
            for _ in range(rng.randint(1, 3)):
                mutant, step = mutate_bytes(rng, mutant)
                what += step + "; "
        if check_one(name, mutant, f"seed {SEED}, mutant {number} of {name}: {what}"):
            refused += 1
        else:
            accepted += 1
    assert refused + accepted == MUTANTS
    assert refused > MUTANTS // 3 and accepted > 10  # the generator makes both kinds
