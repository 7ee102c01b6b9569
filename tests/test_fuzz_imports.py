"""Bad files never crash an import, never half-write one, and never get an answer a person cannot read.

Hand-made bad files (tests/data/fuzz/, each named for what is wrong with it: ``padron_…`` for the
register, ``entregas_…`` for deliveries, ``tipo_cambio_…`` for the SBS exchange rates) must be refused;
a seeded generator mutates the sample files (samples/) some hundreds of ways, and each mutant must be
either refused cleanly — every problem in Spanish naming its row and/or column (or the file as a
whole), no exception's text, and the database exactly as before — or accepted correctly: the check
(dry run) agrees with the import, what is written is what the report counts, and importing the file
again adds nothing. A traceback fails the test, whichever input caused it (its seed and mutation are
in the failure). Runs on SQLite and PostgreSQL."""

import io
import random
import re
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection, transaction

from acopio.models import CollectionCentre, Delivery
from acopio.services import import_deliveries
from coop.models import Member, Plot
from coop.services import import_register
from ledger.models import EntryCounter, JournalEntry
from sales.models import ExchangeRate
from sales.rates import import_exchange_rates
from toolkit.roles import MINKA_APPS

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
FUZZ = ROOT / "tests" / "data" / "fuzz"
SAMPLES = ROOT / "samples"
SEED = 16
MUTANTS = 510
HAND_MADE = 60

# What a message a person reads must not look like: an exception's text (Python's, a parser's, in
# English) leaking through. The messages are Minka's own Spanish sentences, after «Fila N, columna «X»:».
LEAKS = re.compile(
    r"Traceback|Error\b|Exception|object has no|invalid literal|codec|NoneType|unsupported operand"
    r"|Expecting |expected |unexpected |could not|line \d+ column|\bthe\b|\bnot\b"
)


def importer(name: str):
    """The import a file goes to, by its name, as ``(data, name, dry_run) -> report``."""
    if name.startswith("entregas"):
        return lambda data, dry_run: import_deliveries(source=data, filename=name, user=None, dry_run=dry_run)
    if name.startswith("tipo_cambio"):
        return lambda data, dry_run: import_exchange_rates(source=data, filename=name, dry_run=dry_run)
    assert name.startswith("padron"), f"{name}: name a fuzz file padron_…, entregas_… or tipo_cambio_…"
    return lambda data, dry_run: import_register(source=data, filename=name, dry_run=dry_run, user=None)


def fingerprint_sql() -> str:
    """One query: the rows of every table of Minka's apps (their history tables included, which a changed
    member or plot adds to) and the receipt and journal counters, which an import advances."""
    quote = connection.ops.quote_name
    parts = [
        f"(SELECT COUNT(*) FROM {quote(model._meta.db_table)})"  # noqa: S608 — table names from the models
        for model in apps.get_models()
        if model._meta.app_label in MINKA_APPS and model._meta.managed and not model._meta.proxy
    ]
    for model, column in ((CollectionCentre, "last_receipt_number"), (EntryCounter, "last_number")):
        parts.append(f"(SELECT COALESCE(SUM({quote(column)}), 0) FROM {quote(model._meta.db_table)})")  # noqa: S608
    return "SELECT " + ", ".join(parts)


def fingerprint() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(fingerprint_sql())
        return cursor.fetchone()


def written(report) -> dict:
    """What an accepted import says it wrote, as the tables the test counts."""
    if hasattr(report, "members_created"):
        return {Member: report.members_created, Plot: report.plots_created}
    if hasattr(report, "flagged"):
        return {Delivery: report.created, JournalEntry: report.created}
    return {ExchangeRate: report.created}


def check_refusal(report, what: str) -> None:
    for problem in report.errors:
        message = str(problem.message).strip()
        shown = str(problem)
        assert message, f"{what}: an empty message"
        assert not LEAKS.search(message), f"{what}: {shown[:300]}"
        if problem.row is not None:
            assert problem.row >= 1, f"{what}: row {problem.row}: {shown[:300]}"
            assert shown.startswith(f"Fila {problem.row}"), f"{what}: the row is not named: {shown[:300]}"
        if problem.column:
            assert f"«{problem.column}»" in shown, f"{what}: the column is not named: {shown[:300]}"


def check_one(name: str, data: bytes, what: str) -> bool:
    """Check and import ``data``, then undo it; True when it was refused. Fails on a traceback, a partial
    write, a message a person cannot read, or an acceptance that writes other than it says."""
    run = importer(name)
    before = fingerprint()
    with transaction.atomic():
        try:
            checked = run(data, True)
            assert fingerprint() == before, f"{what}: the check (dry run) wrote something"
            report = run(data, False)
        except AssertionError:
            raise
        except Exception as exc:  # noqa: BLE001 — any exception is the failure this test looks for
            pytest.fail(f"{what}: {type(exc).__name__}: {exc}"[:2000])
        assert [str(p) for p in checked.errors] == [str(p) for p in report.errors], (
            f"{what}: the check and the import disagree"
        )
        if not report.ok:
            assert fingerprint() == before, f"{what}: refused but something was written"
            check_refusal(report, what)
            transaction.set_rollback(True)
            return True
        for model, count in written(report).items():
            assert model.objects.count() - before_count(model, before) == count, (
                f"{what}: accepted, but {model.__name__} rows added differ from the report's {count}"
            )
        again = run(data, False)
        assert again.ok and not any(written(again).values()), f"{what}: importing it again added rows"
        transaction.set_rollback(True)
        return False


def before_count(model, before: tuple) -> int:
    """``model``'s row count in a fingerprint (its place among the tables counted)."""
    models = [
        m
        for m in apps.get_models()
        if m._meta.app_label in MINKA_APPS and m._meta.managed and not m._meta.proxy
    ]
    return before[models.index(model)]


@pytest.fixture
def cooperative(coop):
    """Centres, members S-00001…S-00003, seasons and prices: some mutants can be accepted."""
    return coop


def hand_made() -> list[Path]:
    return sorted(FUZZ.iterdir())


# Bad files too big to keep in the repository, made here.
BUILT = {
    # An opening quote never closed: the rest of the file is one cell past the csv module's limit.
    "padron_comillas_sin_cerrar_enorme.csv": b'Nombre;DNI\nRosa;"' + b"1" * 140_000 + b"\n",
    "entregas_celda_enorme.csv": (
        "Referencia externa;Centro;Fecha;Código de socio;Forma;Grado;Peso bruto (kg);Tara (kg);Humedad (%)\n"
        "B1;C01;10/03/2026;S-00001;seco;I;50;1;"
    ).encode()
    + b"7" * 140_000
    + b"\n",
}


def test_there_are_enough_hand_made_bad_files_of_each_import():
    names = [path.name for path in hand_made()]
    assert len(names) >= HAND_MADE
    for prefix in ("padron", "entregas", "tipo_cambio"):
        assert sum(name.startswith(prefix) for name in names) >= 10, prefix
    assert sum(path.stat().st_size for path in hand_made()) < 200_000  # small files


@pytest.mark.parametrize("path", hand_made(), ids=lambda p: p.name)
def test_each_hand_made_bad_file_is_refused_cleanly(cooperative, path):
    assert check_one(path.name, path.read_bytes(), path.name), f"{path.name} was accepted"


@pytest.mark.parametrize("name", sorted(BUILT))
def test_each_built_bad_file_is_refused_cleanly(cooperative, name):
    assert check_one(name, BUILT[name], name), f"{name} was accepted"


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
    b"0,001",
    b"31/02/2026",
    b"=1+1",
    b"\xef\xbb\xbf",
]
XLSX_VALUES = [b"INF", b"NaN", b"1e999", b"-1e308", b"", b"x", b"9" * 400, b"-0", b"0.00001"]


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
    kind = rng.choice(["insert", "replace", "delete", "truncate", "duplicate_line", "flip", "swap_lines"])
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
    if kind == "swap_lines":
        other = rng.randrange(len(lines))
        lines[line], lines[other] = lines[other], lines[line]
        return b"\n".join(lines), f"swap lines {line} and {other}"
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


def test_the_samples_of_each_import_are_mutated():
    names = sorted(sample_files())
    for prefix in ("padron", "entregas", "tipo_cambio"):
        assert any(name.startswith(prefix) for name in names), prefix


def test_mutations_of_the_samples_are_refused_cleanly_or_accepted(cooperative):
    rng = random.Random(SEED)
    files = sample_files()
    names = sorted(files)
    refused, accepted = {}, {}
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
        tally = (
            refused
            if check_one(name, mutant, f"seed {SEED}, mutant {number} of {name}: {what}")
            else accepted
        )
        tally[name] = tally.get(name, 0) + 1
    assert sum(refused.values()) + sum(accepted.values()) == MUTANTS
    # The generator makes both kinds, for each import.
    for prefix in ("padron", "entregas", "tipo_cambio"):
        assert sum(n for name, n in refused.items() if name.startswith(prefix)) > 10, (prefix, refused)
        assert sum(n for name, n in accepted.items() if name.startswith(prefix)) > 5, (prefix, accepted)
