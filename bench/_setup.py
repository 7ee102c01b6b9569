"""Shared set-up for the benchmarks: a scratch database, never the real one.

    python bench/bench_import.py                       # SQLite in bench/tmp/
    python bench/bench_import.py --postgres            # database minka_bench on 127.0.0.1
"""

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TMP = ROOT / "bench" / "tmp"
# MINKA_BENCH_DB names another scratch database, so two checkouts can benchmark on one server.
PG_NAME = os.environ.get("MINKA_BENCH_DB", "minka_bench")
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_NAME}"


def arguments(description: str, **defaults) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--members", type=int, default=defaults.get("members", 20000))
    parser.add_argument("--postgres", action="store_true", help="run on PostgreSQL instead of SQLite")
    return parser.parse_args()


def setup_django(*, postgres: bool, name: str, fresh: bool = True, pg_database: str = PG_NAME) -> str:
    """Point Django at a scratch database (emptied unless ``fresh`` is off) and migrate it.

    Returns the database label.
    """
    # Separate folders, so a PostgreSQL run never empties the SQLite database of an earlier run.
    var = TMP / (f"{name}-postgres" if postgres else name)
    if fresh:
        shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True, exist_ok=True)
    os.environ["MINKA_VAR_DIR"] = str(var)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if postgres:
        os.environ["DATABASE_URL"] = PG_URL.rsplit("/", 1)[0] + f"/{pg_database}"
        psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qAtc"]
        exists = subprocess.run([*psql, f"SELECT 1 FROM pg_database WHERE datname = '{pg_database}'"],  # noqa: S608
                                check=True, capture_output=True, text=True).stdout.strip()
        if fresh and exists:
            subprocess.run([*psql, f"DROP DATABASE {pg_database} WITH (FORCE)"], check=True)
        if fresh or not exists:
            subprocess.run([*psql, f"CREATE DATABASE {pg_database}"], check=True)
    else:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return "PostgreSQL 15" if postgres else "SQLite"


def machine() -> str:
    cpus = os.cpu_count()
    return f"{platform.python_implementation()} {platform.python_version()}, {cpus} cores"


def summary(samples_ms: list[float]) -> str:
    ordered = sorted(samples_ms)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return f"median {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms"
