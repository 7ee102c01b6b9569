"""Backups and restores of the whole database, each checked against what it claims to hold.

A backup is one file, ``minka-AAAAMMDD-HHMMSS.sqlite3`` (SQLite's online backup API) or ``.dump``
(``pg_dump --format=custom``), written under a temporary name and renamed, and beside it
``<file>.json``: the file's SHA-256, the ledger's chain head, the rows of every table, Minka's
version and the date. Chain head and counts are read from the very state the file holds: on SQLite
from the copy itself, on PostgreSQL inside the transaction whose snapshot pg_dump dumps.

A restore refuses a file whose SHA-256 is not its sidecar's and a database that already holds data,
migrates a backup older than the code, runs verify_ledger and compares chain head and counts with
the sidecar; the first difference is the error.
"""

import datetime
import hashlib
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from toolkit.files import written_whole


@contextmanager
def _temporary_beside(path: Path) -> Iterator[Path]:
    """A name beside ``path`` for a tool (sqlite3, pg_dump) to write, flushed to disk and renamed to
    ``path`` when the block ends well, removed when it fails: the backup is whole or absent."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        yield temporary
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


SIDECAR_FORMAT = 1
BACKUP_NAME = re.compile(r"^minka-(\d{8})-(\d{6})\.(sqlite3|dump)$")
CHUNK = 1024 * 1024

# Tables `migrate` fills on an empty database (Django's bookkeeping, the roles' groups and their
# permissions, Fairtrade's published terms loaded by sales 0003, the row chains' heads written by
# each app's row-chain migration). A database holding rows only in
# these is empty for a restore; tests/test_backup_restore.py checks the list against a fresh migrate.
MIGRATE_FILLS = frozenset(
    {
        "django_migrations",
        "django_content_type",
        "auth_permission",
        "auth_group",
        "auth_group_permissions",
        "ledger_fairtradeterms",
        "toolkit_chainhead",
    }
)
# Tables a migration may add rows to: after migrating an older backup they may hold more rows than
# the sidecar says, never fewer.
MIGRATIONS_MAY_GROW = MIGRATE_FILLS


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the person who ran it."""


# --- What a database holds -------------------------------------------------------------------------


@dataclass
class Contents:
    tables: dict[str, int]
    last_number: int
    last_hash: str

    def as_json(self) -> dict:
        return {
            "ledger": {"last_number": self.last_number, "last_hash": self.last_hash},
            "tables": self.tables,
        }


def _table_names(cursor, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
        )
    else:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
    return sorted(row[0] for row in cursor.fetchall())


def _contents(cursor, vendor: str) -> Contents:
    tables = {}
    for table in _table_names(cursor, vendor):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 (a name from the catalog)
        tables[table] = cursor.fetchone()[0]
    last_number, last_hash = 0, ""
    if "ledger_entrycounter" in tables:
        cursor.execute("SELECT last_number, last_hash FROM ledger_entrycounter WHERE id = 1")
        row = cursor.fetchone()
        if row:
            last_number, last_hash = int(row[0]), row[1] or ""
    return Contents(tables=tables, last_number=last_number, last_hash=last_hash)


def current_contents() -> Contents:
    """What the configured database holds now, read in one transaction."""
    with transaction.atomic(), connection.cursor() as cursor:
        return _contents(cursor, connection.vendor)


def tables_with_data() -> dict[str, int]:
    """Tables of the configured database holding rows beyond what `migrate` puts there."""
    with connection.cursor() as cursor:
        tables = _table_names(cursor, connection.vendor)
        found = {}
        for table in tables:
            if table in MIGRATE_FILLS:
                continue
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 (a name from the catalog)
            if rows := cursor.fetchone()[0]:
                found[table] = rows
    return found


# --- Files -----------------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def minka_version() -> str:
    """`git describe` of the running code when it is a clone, else the release number."""
    try:
        done = subprocess.run(
            ["git", "-C", str(settings.BASE_DIR), "describe", "--tags", "--always", "--dirty"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        done = None
    described = done.stdout.strip() if done is not None and done.returncode == 0 else ""
    return f"{settings.MINKA_VERSION} ({described})" if described else settings.MINKA_VERSION


# --- PostgreSQL tools ------------------------------------------------------------------------------


def _pg_environment() -> dict[str, str]:
    """libpq's variables for the configured database: the password never appears on a command line."""
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for variable, value in (
        ("PGHOST", db.get("HOST")),
        ("PGPORT", db.get("PORT")),
        ("PGUSER", db.get("USER")),
        ("PGPASSWORD", db.get("PASSWORD")),
        ("PGDATABASE", db.get("NAME")),
        ("PGSSLMODE", (db.get("OPTIONS") or {}).get("sslmode")),
    ):
        if value:
            env[variable] = str(value)
    return env


def _server_major() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def pg_tool(name: str, server_major: int) -> str:
    """The pg_dump or pg_restore to use: Debian's one for the server's major version if installed,
    else the one on PATH, refused when it is older than the server (it would fail or lose data)."""
    candidates = [Path(f"/usr/lib/postgresql/{server_major}/bin/{name}")]
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    tool = next((str(path) for path in candidates if path.exists()), None)
    if tool is None:
        raise BackupError(
            _(
                "No se encontró %(tool)s: instale postgresql-client-%(major)s "
                "(scripts/install-system-packages.sh)."
            )
            % {"tool": name, "major": server_major}
        )
    done = subprocess.run([tool, "--version"], capture_output=True, text=True, timeout=30)
    match = re.search(r"(\d+)(?:\.\d+)*", done.stdout)
    tool_major = int(match.group(1)) if match else 0
    if tool_major < server_major:
        raise BackupError(
            _(
                "%(tool)s es de PostgreSQL %(tool_major)s y el servidor es PostgreSQL %(server_major)s: "
                "instale postgresql-client-%(server_major)s (o ponga su carpeta bin en PATH)."
            )
            % {"tool": tool, "tool_major": tool_major, "server_major": server_major}
        )
    return tool


def _run_tool(command: list[str], *, what: str) -> None:
    done = subprocess.run(command, env=_pg_environment(), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(
            _("%(what)s falló (código %(code)s): %(error)s")
            % {"what": what, "code": done.returncode, "error": done.stderr.strip()[-2000:]}
        )


# --- Backup ----------------------------------------------------------------------------------------


@dataclass
class BackupMade:
    path: Path
    sidecar: dict
    pruned: list[Path]


def backup_name(when: datetime.datetime, vendor: str) -> str:
    extension = "sqlite3" if vendor == "sqlite" else "dump"
    return f"minka-{when:%Y%m%d-%H%M%S}.{extension}"


def make_backup(*, directory: Path, retention: "Retention | None" = None) -> BackupMade:
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(
            _("No se pudo crear la carpeta %(dir)s: %(error)s") % {"dir": directory, "error": error}
        ) from error
    now = timezone.localtime()
    path = directory / backup_name(now, connection.vendor)
    if path.exists():
        raise BackupError(_("Ya existe %(file)s: espere un segundo y vuelva a intentarlo.") % {"file": path})
    if connection.vendor == "sqlite":
        contents, server = _backup_sqlite(path), None
    elif connection.vendor == "postgresql":
        contents, server = _backup_postgresql(path)
    else:
        raise BackupError(_("Solo se pueden copiar bases SQLite y PostgreSQL."))
    sidecar = {
        "format": SIDECAR_FORMAT,
        "file": path.name,
        "engine": connection.vendor,
        "sha256": sha256_of(path),
        "bytes": path.stat().st_size,
        "created_at": now.isoformat(timespec="seconds"),
        "minka_version": minka_version(),
        "postgresql_server": server,
        **contents.as_json(),
    }
    text = json.dumps(sidecar, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    with written_whole(sidecar_path(path), durable=True) as handle:
        handle.write(text.encode())
    pruned = prune(directory, retention, protect=path) if retention else []
    return BackupMade(path=path, sidecar=sidecar, pruned=pruned)


def _backup_sqlite(path: Path) -> Contents:
    """The online backup API copies a consistent state even while clerks write; the counts are read
    from the copy, so they are the copy's."""
    source_name = Path(settings.DATABASES["default"]["NAME"])
    if not source_name.is_file():
        raise BackupError(_("No existe la base de datos %(file)s.") % {"file": source_name})
    with _temporary_beside(path) as temporary:
        with closing(sqlite3.connect(source_name)) as source:
            with closing(sqlite3.connect(temporary)) as copy:
                source.backup(copy)
                copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        with closing(sqlite3.connect(_read_only(temporary), uri=True)) as copy:
            contents = _contents(copy.cursor(), "sqlite")
    return contents


def _backup_postgresql(path: Path) -> tuple[Contents, str]:
    """pg_dump dumps the snapshot of a transaction kept open meanwhile, in which the counts are read."""
    server_major = _server_major()
    tool = pg_tool("pg_dump", server_major)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot, server = cursor.fetchone()
        contents = _contents(cursor, "postgresql")
        with _temporary_beside(path) as temporary:
            _run_tool(
                [tool, "--format=custom", f"--snapshot={snapshot}", f"--file={temporary}"],
                what="pg_dump",
            )
    return contents, server


# --- Retention -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Retention:
    """Keep the newest ``last``, and the newest backup of each of the last ``daily`` days, ``weekly``
    ISO weeks and ``monthly`` months that have one; the rest is deleted."""

    last: int = 0
    daily: int = 0
    weekly: int = 0
    monthly: int = 0

    def __bool__(self) -> bool:
        return any((self.last, self.daily, self.weekly, self.monthly))


def backup_date(name: str) -> datetime.datetime | None:
    match = BACKUP_NAME.match(name)
    if not match:
        return None
    try:
        return datetime.datetime.strptime(match.group(1) + match.group(2), "%Y%m%d%H%M%S")
    except ValueError:
        return None


def to_prune(names: Iterable[str], retention: Retention, *, protect: str | None = None) -> list[str]:
    """The backup names the rule does not keep, newest first. Names that are not Minka backups are
    never listed; ``protect`` (the backup just made) never is."""
    dated = sorted(((when, name) for name in names if (when := backup_date(name)) is not None), reverse=True)
    keep = {name for _, name in dated[: retention.last]}
    buckets: list[tuple[int, Callable[[datetime.datetime], object]]] = [
        (retention.daily, lambda when: when.date()),
        (retention.weekly, lambda when: when.isocalendar()[:2]),
        (retention.monthly, lambda when: (when.year, when.month)),
    ]
    for count, bucket in buckets:
        seen: set = set()
        for when, name in dated:
            key = bucket(when)
            if key in seen:
                continue
            if len(seen) >= count:
                break
            seen.add(key)
            keep.add(name)
    if protect:
        keep.add(protect)
    return [name for _, name in dated if name not in keep]


def prune(directory: Path, retention: Retention, *, protect: Path) -> list[Path]:
    pruned = []
    for name in to_prune((p.name for p in directory.iterdir()), retention, protect=protect.name):
        path = directory / name
        path.unlink(missing_ok=True)
        sidecar_path(path).unlink(missing_ok=True)
        pruned.append(path)
    return pruned


# --- Restore ---------------------------------------------------------------------------------------


@dataclass
class Restored:
    migrated: bool
    verified: str
    last_number: int


def read_sidecar(path: Path) -> dict:
    side = sidecar_path(path)
    try:
        sidecar = json.loads(side.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise BackupError(
            _("Falta %(sidecar)s junto a la copia: sin él no se puede comprobar la copia.")
            % {"sidecar": side}
        ) from error
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise BackupError(
            _("No se pudo leer %(sidecar)s: %(error)s") % {"sidecar": side, "error": error}
        ) from error
    if not isinstance(sidecar, dict) or sidecar.get("format") != SIDECAR_FORMAT:
        raise BackupError(_("%(sidecar)s no es la descripción de una copia de Minka.") % {"sidecar": side})
    return sidecar


def check_file(path: Path, sidecar: dict) -> None:
    if not path.is_file():
        raise BackupError(_("No existe la copia %(file)s.") % {"file": path})
    actual = sha256_of(path)
    if actual != sidecar.get("sha256"):
        raise BackupError(
            _(
                "La copia %(file)s no es la que se escribió: su SHA-256 es %(actual)s y su descripción "
                "dice %(expected)s. No se restauró nada."
            )
            % {"file": path, "actual": actual, "expected": sidecar.get("sha256")}
        )


def restore_backup(*, path: Path, checkpoint: str | None = None, run_command: Callable) -> Restored:
    """Restore ``path`` into the configured database, then prove it holds what the sidecar says.
    ``run_command`` is call_command, with the caller's output streams."""
    path = Path(path)
    sidecar = read_sidecar(path)
    check_file(path, sidecar)
    if sidecar.get("engine") != connection.vendor:
        raise BackupError(
            _("La copia es de una base %(backup)s y la base configurada es %(target)s.")
            % {"backup": sidecar.get("engine"), "target": connection.vendor}
        )
    if data := tables_with_data():
        largest = sorted(data.items(), key=lambda item: (-item[1], item[0]))[:3]
        raise BackupError(
            ngettext(
                "La base de datos de destino no está vacía: %(count)s tabla tiene filas (%(tables)s). "
                "Solo se restaura en una base nueva o recién migrada, para no mezclar ni borrar datos.",
                "La base de datos de destino no está vacía: %(count)s tablas tienen filas (%(tables)s…). "
                "Solo se restaura en una base nueva o recién migrada, para no mezclar ni borrar datos.",
                len(data),
            )
            % {"count": len(data), "tables": ", ".join(f"{table}: {rows}" for table, rows in largest)}
        )
    if connection.vendor == "sqlite":
        _restore_sqlite(path)
    else:
        _restore_postgresql(path)
    connection.close()
    migrated = _migrate_if_older(run_command)
    out = StringIO()
    arguments = ["--checkpoint", checkpoint] if checkpoint else []
    run_command("verify_ledger", *arguments, stdout=out)
    after = current_contents()
    if problem := first_difference(sidecar, after, migrated=migrated):
        raise BackupError(problem)
    return Restored(migrated=migrated, verified=out.getvalue().strip(), last_number=after.last_number)


def _read_only(path: Path) -> str:
    """An SQLite URI opening ``path`` read-only, whatever characters its name holds."""
    return f"{Path(path).resolve().as_uri()}?mode=ro"


def _restore_sqlite(path: Path) -> None:
    target = settings.DATABASES["default"]["NAME"]
    if str(target) in ("", ":memory:"):
        raise BackupError(_("La base SQLite configurada no es un archivo."))
    connection.close()
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(_read_only(path), uri=True)) as source:
        with closing(sqlite3.connect(target)) as destination:
            source.backup(destination)
            destination.execute("PRAGMA journal_mode=WAL")


def _restore_postgresql(path: Path) -> None:
    """Tables a migrate left (checked empty) are dropped first; pg_restore then recreates everything
    in one transaction, so a failed restore leaves nothing half restored."""
    tool = pg_tool("pg_restore", _server_major())
    with transaction.atomic(), connection.cursor() as cursor:
        for table in _table_names(cursor, "postgresql"):
            cursor.execute(f'DROP TABLE IF EXISTS "{table}" CASCADE')
    connection.close()
    database = settings.DATABASES["default"]["NAME"]
    _run_tool(
        [
            tool,
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--clean",
            "--if-exists",
            f"--dbname={database}",
            str(path),
        ],
        what="pg_restore",
    )


def _migrate_if_older(run_command: Callable) -> bool:
    executor = MigrationExecutor(connection)
    unknown = set(executor.loader.applied_migrations) - set(executor.loader.graph.nodes)
    if unknown:
        app, name = sorted(unknown)[0]
        raise BackupError(
            _(
                "La copia viene de una versión de Minka más nueva que esta (migración %(migration)s "
                "desconocida): actualice Minka y vuelva a restaurar en una base vacía."
            )
            % {"migration": f"{app}.{name}"}
        )
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return False
    run_command("migrate", interactive=False, verbosity=0)
    connection.close()
    return True


def first_difference(sidecar: dict, after: Contents, *, migrated: bool) -> str:
    """The first way the restored database differs from the sidecar, or ""."""
    ledger = sidecar.get("ledger") or {}
    if ledger.get("last_number") != after.last_number or ledger.get("last_hash") != after.last_hash:
        return _(
            "El libro mayor restaurado termina en el asiento %(number)s (hash %(hash)s) y la copia "
            "decía %(expected_number)s (hash %(expected_hash)s)."
        ) % {
            "number": after.last_number,
            "hash": after.last_hash[:16],
            "expected_number": ledger.get("last_number"),
            "expected_hash": str(ledger.get("last_hash"))[:16],
        }
    for table, expected in sorted((sidecar.get("tables") or {}).items()):
        rows = after.tables.get(table)
        if rows is None:
            return _("Falta la tabla %(table)s, que la copia tenía con %(rows)s filas.") % {
                "table": table,
                "rows": expected,
            }
        grown_by_migration = migrated and table in MIGRATIONS_MAY_GROW and rows > expected
        if rows != expected and not grown_by_migration:
            return _("La tabla %(table)s tiene %(rows)s filas y la copia decía %(expected)s.") % {
                "table": table,
                "rows": rows,
                "expected": expected,
            }
    return ""
