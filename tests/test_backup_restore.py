"""manage.py backup and restore, as an operator runs them: the demo cooperative backed up, restored into
a new database, and the restored books and tables the same; a changed file, a database in use and a
sidecar that does not match are refused; old backups are pruned by the rule, never the new one.

Every step runs manage.py in a subprocess on scratch databases of the suite's engine (DATABASE_URL): SQLite
files in a temporary directory, or new PostgreSQL databases on the same server, dropped at the end.
"""

import datetime
import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import pytest

from config.backup import BackupError, Retention, backup_date, pg_tool, prune, to_prune

ROOT = Path(__file__).resolve().parent.parent
DEMO_MEMBERS = 12
STEP_TIMEOUT = 300


@dataclass
class Scratch:
    url: str
    connect: Callable[[], object]


def _engine() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return dj_database_url.parse(url)["ENGINE"] if url else "django.db.backends.sqlite3"


@contextmanager
def scratch_database(tmp: Path, label: str) -> Iterator[Scratch]:
    if _engine() == "django.db.backends.sqlite3":
        path = tmp / f"{label}.sqlite3"
        yield Scratch(f"sqlite:///{path}", lambda: sqlite3.connect(path))
        return
    import psycopg
    from psycopg import sql

    name = f"minka_backup_{label}_{secrets.token_hex(4)}"
    server = urlsplit(os.environ["DATABASE_URL"])._replace(scheme="postgresql")
    url = server._replace(path=f"/{name}").geturl()
    maintenance = server._replace(path="/postgres").geturl()
    with closing(psycopg.connect(maintenance, autocommit=True)) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield Scratch(url, lambda: psycopg.connect(url))
    finally:
        with closing(psycopg.connect(maintenance, autocommit=True)) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def row_counts(db: Scratch) -> dict[str, int]:
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
        counts = {}
        for (table,) in sorted(cursor.fetchall()):
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 (a name from the catalog)
            counts[table] = cursor.fetchone()[0]
    return counts


def chain_head(db: Scratch) -> tuple[int, str]:
    """The last journal entry's number and hash, read from the entries themselves."""
    with closing(db.connect()) as connection:
        cursor = connection.cursor()
        cursor.execute("SELECT number, hash FROM ledger_journalentry ORDER BY number DESC LIMIT 1")
        number, digest = cursor.fetchone()
    return int(number), digest


def manage(db: Scratch, var_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env.update(
        DATABASE_URL=db.url,
        MINKA_VAR_DIR=str(var_dir),
        MINKA_ENV="development",
        MINKA_TASKS="database",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT,
    )
    if check and done.returncode != 0:
        pytest.fail(
            f"manage.py {' '.join(args)} exited with {done.returncode}\n"
            f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}",
            pytrace=False,
        )
    return done


@dataclass
class Backup:
    db: Scratch
    path: Path
    sidecar: dict
    counts: dict[str, int]
    head: tuple[int, str]
    var_dir: Path
    tmp: Path


@pytest.fixture(scope="module")
def backup(tmp_path_factory) -> Iterator[Backup]:
    """The demo cooperative loaded into a scratch database and backed up once for the module."""
    tmp = tmp_path_factory.mktemp("backup")
    var_dir = tmp / "var"
    with scratch_database(tmp, "source") as db:
        manage(db, var_dir, "quickstart", "--no-serve", "--members", str(DEMO_MEMBERS))
        done = manage(db, var_dir, "backup", "-o", str(tmp / "copias"))
        files = [p for p in (tmp / "copias").iterdir() if not p.name.endswith(".json")]
        assert len(files) == 1, files
        path = files[0]
        assert str(path) in done.stdout and "Copia escrita" in done.stdout
        sidecar = json.loads((path.parent / (path.name + ".json")).read_text())
        yield Backup(db, path, sidecar, row_counts(db), chain_head(db), var_dir, tmp)


@pytest.fixture
def empty_database(backup, request) -> Iterator[Scratch]:
    with scratch_database(backup.tmp, f"target{secrets.token_hex(3)}") as db:
        yield db


def test_the_sidecar_describes_the_backup_file(backup):
    side = backup.sidecar
    assert side["file"] == backup.path.name and backup_date(backup.path.name) is not None
    assert side["sha256"] == hashlib.sha256(backup.path.read_bytes()).hexdigest()
    assert side["bytes"] == backup.path.stat().st_size
    assert side["engine"] == ("sqlite" if _engine().endswith("sqlite3") else "postgresql")
    assert side["ledger"] == {"last_number": backup.head[0], "last_hash": backup.head[1]}
    assert backup.head[0] > 100  # the demo's three seasons are in the books
    assert side["tables"] == backup.counts
    assert side["minka_version"].startswith("0.1.0") and datetime.datetime.fromisoformat(side["created_at"])
    assert not [p for p in backup.path.parent.iterdir() if p.name.endswith(".part")]


def test_restore_into_an_empty_database_gives_the_same_books_and_rows(backup, empty_database):
    done = manage(empty_database, backup.var_dir, "restore", str(backup.path))
    assert "Restauración terminada" in done.stdout
    assert f"asiento {backup.head[0]}" in done.stdout
    verified = manage(empty_database, backup.var_dir, "verify_ledger")
    assert "cadena íntegra" in verified.stdout
    assert chain_head(empty_database) == backup.head
    assert row_counts(empty_database) == backup.counts


def test_restore_into_a_migrated_database_works_and_a_second_restore_is_refused(backup, empty_database):
    manage(empty_database, backup.var_dir, "migrate", "--no-input")
    manage(empty_database, backup.var_dir, "restore", str(backup.path))
    assert row_counts(empty_database) == backup.counts

    again = manage(empty_database, backup.var_dir, "restore", str(backup.path), check=False)
    assert again.returncode == 1
    assert "La base de datos de destino no está vacía" in again.stderr
    assert row_counts(empty_database) == backup.counts  # nothing added twice


def test_a_backup_with_one_byte_changed_is_refused_before_anything_is_written(backup, empty_database):
    tampered = backup.tmp / "alterada" / backup.path.name
    tampered.parent.mkdir(exist_ok=True)
    shutil.copy(backup.path, tampered)
    shutil.copy(
        backup.path.with_name(backup.path.name + ".json"), tampered.with_name(tampered.name + ".json")
    )
    content = bytearray(tampered.read_bytes())
    content[len(content) // 2] ^= 0x01
    tampered.write_bytes(bytes(content))

    done = manage(empty_database, backup.var_dir, "restore", str(tampered), check=False)
    assert done.returncode == 1
    assert "SHA-256" in done.stderr and "No se restauró nada" in done.stderr
    assert not any(row_counts(empty_database).values())


def test_a_restore_that_does_not_match_its_sidecar_names_the_first_difference(backup, empty_database):
    copy = backup.tmp / "descripcion" / backup.path.name
    copy.parent.mkdir(exist_ok=True)
    shutil.copy(backup.path, copy)
    sidecar = dict(backup.sidecar, tables=dict(backup.sidecar["tables"]))
    sidecar["tables"]["coop_member"] += 1
    copy.with_name(copy.name + ".json").write_text(json.dumps(sidecar))

    done = manage(empty_database, backup.var_dir, "restore", str(copy), check=False)
    assert done.returncode == 1
    members = backup.counts["coop_member"]
    assert f"La tabla coop_member tiene {members} filas y la copia decía {members + 1}" in done.stderr
    assert "Restauración terminada" not in done.stdout


def test_a_backup_without_its_sidecar_is_refused(backup, empty_database):
    alone = backup.tmp / "sola" / backup.path.name
    alone.parent.mkdir(exist_ok=True)
    shutil.copy(backup.path, alone)
    done = manage(empty_database, backup.var_dir, "restore", str(alone), check=False)
    assert done.returncode == 1 and "Falta" in done.stderr and ".json" in done.stderr


# Retention, on names alone and on a directory


def names(*stamps: str) -> list[str]:
    return [f"minka-{stamp}.sqlite3" for stamp in stamps]


def test_keep_n_keeps_the_newest_n():
    backups = names("20261201-020000", "20261202-020000", "20261203-020000", "20261204-020000")
    assert to_prune(backups, Retention(last=2)) == names("20261202-020000", "20261201-020000")


def test_daily_weekly_monthly_keep_the_newest_of_each_period():
    # One backup a night at 02:00 from 1 September to 3 December 2026, and a second one on 3 December.
    start = datetime.datetime(2026, 9, 1, 2)
    nightly = [f"minka-{start + datetime.timedelta(days=d):%Y%m%d-%H%M%S}.dump" for d in range(94)]
    backups = [*nightly, "minka-20261203-150000.dump"]
    pruned = to_prune(backups, Retention(daily=7, weekly=4, monthly=12))
    kept = sorted(set(backups) - set(pruned))
    assert kept == [
        "minka-20260930-020000.dump",  # September's newest
        "minka-20261031-020000.dump",  # October's newest
        "minka-20261115-020000.dump",  # newest of ISO week 46 (Sunday)
        "minka-20261122-020000.dump",  # week 47
        "minka-20261127-020000.dump",  # 7 daily: 27 November to 3 December
        "minka-20261128-020000.dump",
        "minka-20261129-020000.dump",  # also week 48's newest
        "minka-20261130-020000.dump",  # also November's newest
        "minka-20261201-020000.dump",
        "minka-20261202-020000.dump",
        "minka-20261203-150000.dump",  # 3 December's newest; also week 49's and December's
    ]
    assert "minka-20261203-020000.dump" in pruned  # the older of the day's two


def test_the_backup_just_made_is_never_pruned_and_other_files_are_left_alone(tmp_path):
    for name in [*names("20261201-020000", "20261202-020000", "20261203-020000"), "notas.txt"]:
        (tmp_path / name).write_text("x")
        (tmp_path / (name + ".json")).write_text("{}")
    just_made = tmp_path / "minka-20261201-020000.sqlite3"  # a clock set back: the oldest by its name
    pruned = prune(tmp_path, Retention(last=1), protect=just_made)
    assert [p.name for p in pruned] == ["minka-20261202-020000.sqlite3"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "minka-20261201-020000.sqlite3",
        "minka-20261201-020000.sqlite3.json",
        "minka-20261203-020000.sqlite3",
        "minka-20261203-020000.sqlite3.json",
        "notas.txt",
        "notas.txt.json",
    ]


def test_a_pg_dump_older_than_the_server_is_refused_naming_the_package_to_install():
    if shutil.which("pg_dump") is None:
        pytest.fail("pg_dump is not installed: bash scripts/install-system-packages.sh", pytrace=False)
    with pytest.raises(BackupError, match="instale postgresql-client-99"):
        pg_tool("pg_dump", 99)
