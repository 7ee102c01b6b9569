"""An existing database migrates forward with nothing lost.

A database is made with the code of BASELINE (the last commit before the apps were re-laid:
models moving from coop and ledger to acopio, sales and fund, keeping their tables), loaded with
the demo, then migrated with the current code. Every table keeps its rows, the journal still
verifies, and a few business facts, read with raw SQL on the table names (the model classes move),
are the same before and after.

The database is a scratch one of the engine the suite runs on (DATABASE_URL): a SQLite file in a
temporary directory, or a new PostgreSQL database on the same server, dropped at the end. The
pytest-django test database is not used; every step runs in a subprocess, as a deployment would.
"""

import os
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = Path(__file__).with_name("migrate_forward_seed.py")

# Today's main when the apps were re-laid: the database being migrated forward is made with its code.
BASELINE = "677b334"

# Members of the demo cooperative: 12 already gives rows to every table the demo fills (deliveries in
# three seasons, journal, contracts, premium plans, assemblies...) in a few seconds.
DEMO_MEMBERS = 12

# A baseline table whose rows now live under another name: {"old_table": "new_table"}.
# Empty while every moved model keeps its table (db_table).
RENAMED_TABLES: dict[str, str] = {}

# Django's bookkeeping, which a migration may add to: applied migrations, the content types and
# permissions of new apps, and the administrators' group permissions (toolkit.roles, after migrate).
MAY_GROW = {
    "django_migrations",
    "django_content_type",
    "auth_permission",
    "auth_group_permissions",
    "ledger_fairtradeterms",  # a data migration adds Fairtrade's published rows (sales 0003)
}

# Tables that neither the demo nor tests/migrate_forward_seed.py fill (nothing in them moves).
EMPTY_AT_BASELINE = {
    "axes_accessattempt",
    "axes_accessattemptexpiration",
    "axes_accessfailurelog",
    "axes_accesslog",
    "django_session",
}

# Business facts, by raw SQL; {table} names the baseline table (or its RENAMED_TABLES successor).
FACTS = {
    "journal lines per account": """
        SELECT a.code, l.currency, COUNT(*), SUM(l.amount)
        FROM {ledger_journalline} l JOIN {ledger_account} a ON a.id = l.account_id
        GROUP BY a.code, l.currency ORDER BY a.code, l.currency""",
    "last journal entry": """
        SELECT number, hash FROM {ledger_journalentry} ORDER BY number DESC LIMIT 1""",
    "deliveries per season": """
        SELECT s.code, d.status, COUNT(*), SUM(d.net_g), SUM(d.dry_g), SUM(d.amount_minor)
        FROM {coop_delivery} d JOIN {coop_season} s ON s.id = d.season_id
        GROUP BY s.code, d.status ORDER BY s.code, d.status""",
    "members per status": """
        SELECT status, COUNT(*) FROM {coop_member} GROUP BY status ORDER BY status""",
    "member movements": """
        SELECT kind, COUNT(*), SUM(amount_minor) FROM {ledger_membermovement} GROUP BY kind ORDER BY kind""",
    "sales contracts": """
        SELECT c.number, s.code, c.quantity_kg, c.value_cents, c.premium_cents
        FROM {ledger_salescontract} c JOIN {coop_season} s ON s.id = c.season_id ORDER BY c.number""",
    "premium fund spending": """
        SELECT kind, status, COUNT(*), SUM(amount_minor) FROM {ledger_spending}
        GROUP BY kind, status ORDER BY kind, status""",
    "assemblies": """
        SELECT kind, status, COUNT(*) FROM {assemblies_assembly}
        GROUP BY kind, status ORDER BY kind, status""",
    "issued documents": """
        SELECT d.number, m.code, s.code FROM {certification_issueddocument} d
        JOIN {coop_member} m ON m.id = d.member_id JOIN {coop_season} s ON s.id = d.season_id
        ORDER BY d.number""",
}

STEP_TIMEOUT = 300  # seconds, for each manage.py run


@dataclass
class ScratchDatabase:
    url: str  # the DATABASE_URL the subprocesses get
    connect: Callable[[], object]  # a DB-API connection to it, for the test's own queries


def test_a_database_made_at_the_baseline_migrates_forward_with_nothing_lost():
    with tempfile.TemporaryDirectory(prefix="minka-migrate-forward-", ignore_cleanup_errors=True) as tmp:
        tmp = Path(tmp)
        baseline = extract_baseline(tmp / "baseline")
        with scratch_database(tmp) as db:
            env = subprocess_env(db.url, var_dir=tmp / "var")

            with timed("baseline: migrate"):
                manage(baseline, env, "migrate", "--no-input")
            with timed("baseline: demo"):
                manage(baseline, env, "quickstart", "--no-serve", "--members", str(DEMO_MEMBERS))
                seeded = python(
                    baseline,
                    env,
                    "-c",
                    "import runpy, sys; runpy.run_path(sys.argv[1], run_name='__main__')",
                    str(SEED),
                )
            assert f"coop package: {baseline / 'coop'}" in seeded, f"The seed ran other code:\n{seeded}"
            before = row_counts(db)
            facts_before = facts(db, renamed={})
            empty = {table for table, rows in before.items() if rows == 0}
            assert empty <= EMPTY_AT_BASELINE, f"Empty at the baseline: {sorted(empty - EMPTY_AT_BASELINE)}"
            assert all(facts_before.values()), f"A fact has no rows at the baseline: {facts_before}"
            assert set(RENAMED_TABLES) <= set(before), "RENAMED_TABLES names a table the baseline lacks"

            with timed("current: migrate"):
                migrated = manage(ROOT, env, "migrate", "--no-input")
            with timed("current: verify_ledger"):
                manage(ROOT, env, "verify_ledger")
            after = row_counts(db)
            lost = lost_rows(before, after)
            if lost:
                pytest.fail(
                    "Rows lost migrating forward:\n" + "\n".join(lost) + f"\n\nmigrate said:\n{migrated}",
                    pytrace=False,
                )
            facts_after = facts(db, renamed=RENAMED_TABLES)
    changed = {
        name: (facts_before[name], facts_after[name])
        for name in FACTS
        if facts_before[name] != facts_after[name]
    }
    if changed:
        pytest.fail(
            "Facts changed migrating forward:\n"
            + "\n".join(f"{name}:\n  before {was}\n  after  {now}" for name, (was, now) in changed.items())
            + f"\n\nmigrate said:\n{migrated}",
            pytrace=False,
        )


def lost_rows(before: dict[str, int], after: dict[str, int]) -> list[str]:
    """One line per baseline table that is gone or whose row count changed (MAY_GROW: shrank)."""
    problems = []
    for table, rows in sorted(before.items()):
        now_table = RENAMED_TABLES.get(table, table)
        where = table if now_table == table else f"{table} (now {now_table})"
        if now_table not in after:
            problems.append(f"{where}: table gone, it had {rows} rows (moved? add it to RENAMED_TABLES)")
        elif after[now_table] < rows or (after[now_table] != rows and table not in MAY_GROW):
            problems.append(f"{where}: {rows} rows before, {after[now_table]} after")
    return problems


# The baseline tree


def extract_baseline(dest: Path) -> Path:
    """`git archive BASELINE | tar -x -C dest`; fails, never skips, when the commit is not in the clone."""
    git = ["git", "-C", str(ROOT)]
    found = subprocess.run(
        [*git, "rev-parse", "--verify", "--quiet", f"{BASELINE}^{{commit}}"], capture_output=True, text=True
    )
    if found.returncode != 0:
        pytest.fail(
            f"The baseline commit {BASELINE} is not in this clone ({ROOT}): the migrate-forward test "
            "needs the full history (a shallow clone lacks it: `git fetch --unshallow`).\n"
            f"{found.stderr}",
            pytrace=False,
        )
    archive = subprocess.run([*git, "archive", "--format=tar", BASELINE], capture_output=True)
    if archive.returncode != 0:
        pytest.fail(
            f"git archive {BASELINE} failed:\n{archive.stderr.decode(errors='replace')}", pytrace=False
        )
    dest.mkdir(parents=True)
    untar = subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, capture_output=True)
    if untar.returncode != 0:
        pytest.fail(
            f"tar could not extract the baseline:\n{untar.stderr.decode(errors='replace')}", pytrace=False
        )
    return dest


# The scratch database


@contextmanager
def scratch_database(tmp: Path) -> Iterator[ScratchDatabase]:
    """A new empty database of the suite's engine; a PostgreSQL one is dropped at the end."""
    url = os.environ.get("DATABASE_URL", "")
    engine = dj_database_url.parse(url)["ENGINE"] if url else "django.db.backends.sqlite3"
    if engine == "django.db.backends.sqlite3":
        path = tmp / "scratch.sqlite3"
        yield ScratchDatabase(f"sqlite:///{path}", lambda: sqlite3.connect(path))
        return
    if engine != "django.db.backends.postgresql":
        pytest.fail(f"The migrate-forward test knows SQLite and PostgreSQL, not {engine}.", pytrace=False)
    import psycopg
    from psycopg import sql

    name = f"minka_migrate_forward_{secrets.token_hex(4)}"
    server = urlsplit(url)._replace(scheme="postgresql")
    scratch_url = server._replace(path=f"/{name}").geturl()
    maintenance_url = server._replace(path="/postgres").geturl()
    with closing(psycopg.connect(maintenance_url, autocommit=True)) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield ScratchDatabase(scratch_url, lambda: psycopg.connect(scratch_url))
    finally:
        with closing(psycopg.connect(maintenance_url, autocommit=True)) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def row_counts(db: ScratchDatabase) -> dict[str, int]:
    """Rows in every table of the database, from its catalog (SQLite's own sqlite_* tables aside)."""
    with closing(db.connect()) as connection:
        cursor = connection.cursor()
        if isinstance(connection, sqlite3.Connection):
            cursor.execute(
                "SELECT name FROM sqlite_master "
                "WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
            )
        else:
            cursor.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            )
        tables = sorted(row[0] for row in cursor.fetchall())
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 (a name from the catalog)
            counts[table] = cursor.fetchone()[0]
    return counts


def facts(db: ScratchDatabase, *, renamed: dict[str, str]) -> dict[str, list[tuple]]:
    names = _TableNames(renamed)
    with closing(db.connect()) as connection:
        cursor = connection.cursor()
        found = {}
        for name, query in FACTS.items():
            cursor.execute(query.format_map(names))
            found[name] = [tuple(row) for row in cursor.fetchall()]
    return found


class _TableNames(dict):
    """{table} in a FACTS query: the baseline name, or the table its rows moved to, quoted."""

    def __init__(self, renamed: dict[str, str]):
        super().__init__()
        self.renamed = renamed

    def __missing__(self, table: str) -> str:
        return f'"{self.renamed.get(table, table)}"'


# Subprocesses


def subprocess_env(database_url: str, *, var_dir: Path) -> dict[str, str]:
    """The environment of every manage.py run: the scratch database, a temporary var directory (secret
    key, static files, logins file), development mode (quickstart refuses production) and tasks queued in
    the database, never run. No PYTHONPATH, so each tree imports its own code."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env.update(
        DATABASE_URL=database_url,
        MINKA_VAR_DIR=str(var_dir),
        MINKA_ENV="development",
        MINKA_TASKS="database",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    return env


def manage(tree: Path, env: dict[str, str], *args: str) -> str:
    return python(tree, env, "manage.py", *args)


def python(tree: Path, env: dict[str, str], *args: str) -> str:
    """Run the interpreter running the tests in ``tree``; fail showing the output if it fails."""
    command = [sys.executable, *args]
    shown = f"{' '.join(args)}  (in {tree})"
    try:
        done = subprocess.run(
            command, cwd=tree, env=env, capture_output=True, text=True, timeout=STEP_TIMEOUT
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(
            f"{shown} took more than {STEP_TIMEOUT} s\n{_output(exc.stdout, exc.stderr)}", pytrace=False
        )
    if done.returncode != 0:
        pytest.fail(
            f"{shown} exited with {done.returncode}\n{_output(done.stdout, done.stderr)}", pytrace=False
        )
    return done.stdout


def _output(stdout, stderr, limit: int = 20000) -> str:
    def text(value) -> str:
        value = value.decode(errors="replace") if isinstance(value, bytes) else (value or "")
        return value if len(value) <= limit else "…" + value[-limit:]

    return f"--- stdout\n{text(stdout)}\n--- stderr\n{text(stderr)}"


@contextmanager
def timed(step: str) -> Iterator[None]:
    """Print how long the step took (shown with the output of a failed test, or with -s)."""
    started = time.perf_counter()
    yield
    print(f"{step}: {time.perf_counter() - started:.1f} s")
