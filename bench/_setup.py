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


def options(
    description: str, *, members: int = 20000, deliveries: int | None = None, reuse: str | None = None
) -> argparse.ArgumentParser:
    """The options the benchmarks share (scale, database, reusing the data); each may add its own."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--members", type=int, default=members)
    if deliveries is not None:
        parser.add_argument("--deliveries", type=int, default=deliveries)
    parser.add_argument("--postgres", action="store_true", help="run on PostgreSQL instead of SQLite")
    if reuse is not None:
        parser.add_argument("--reuse", action="store_true", help=reuse)
    return parser


def arguments(description: str, **defaults) -> argparse.Namespace:
    return options(description, **defaults).parse_args()


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
        exists = subprocess.run(
            [*psql, f"SELECT 1 FROM pg_database WHERE datname = '{pg_database}'"],  # noqa: S608
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
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


def build_premium_season(*, members: int, deliveries: int, out=print) -> dict:
    """The 2025 season at scale, up to the premium sold for soles (bench_premium, bench_audit_pack).

    The ``members``-member demo register; one season of ``deliveries`` through the demo loader (the
    import's checks, posted in bulk); exchange rates; an administrator, a board member and a treasurer;
    a Fairtrade contract for 80 % of the season's Fairtrade cocoa, invoiced and paid; its premium sold
    for soles. Prints the timed steps as table rows through ``out``. Call after ``setup_django``.
    """
    import random
    import time
    from datetime import date
    from decimal import Decimal

    from django.contrib.auth.models import Group, User

    from acopio.demo import _delivery_rows, _seasons_centres_prices
    from acopio.services import record_delivery_rows
    from coop.demo import DEMO_PREFIX, generate_demo
    from coop.models import Member, MemberStatus, Season
    from fund.selectors import fund_position
    from fund.services import convert_premium
    from sales.demo import exchange_rates as _exchange_rates
    from sales.selectors import mass_balance
    from sales.services import invoice_contract, receive_payment, record_contract

    started = time.perf_counter()
    generate_demo(members=members, seed=1)
    out(f"| register: {members:,} members | {time.perf_counter() - started:.1f} s |", flush=True)

    _seasons_centres_prices()
    season = Season.objects.get(code="2025")
    active = list(
        Member.objects.filter(code__startswith=DEMO_PREFIX)
        .exclude(status__in=[MemberStatus.WITHDRAWN, MemberStatus.DECEASED])
        .prefetch_related("plots")
        .order_by("code")
    )
    started = time.perf_counter()
    rows = _delivery_rows(random.Random(1), active, [season], deliveries)
    report = record_delivery_rows(rows=rows, user=None, label="bench")
    assert report.ok, report.errors[:3]
    out(
        f"| one season of deliveries: {len(rows):,} through the demo loader | "
        f"{time.perf_counter() - started:.1f} s |",
        flush=True,
    )
    del rows, active

    _exchange_rates(date(2025, 1, 1), date(2025, 12, 31))
    admin = User.objects.create_user("gerente")
    admin.groups.add(Group.objects.get(name="administrador"))
    board, treasurer = User.objects.create_user("consejo"), User.objects.create_user("tesorero")
    board.groups.add(Group.objects.get(name="consejo_administracion"))
    treasurer.groups.add(Group.objects.get(name="tesorero"))
    fairtrade_kg = next(line.bought_kg for line in mass_balance(season) if line.product == "Comercio Justo")
    tonnes = (fairtrade_kg * Decimal("0.8") / 1000).quantize(Decimal("0.001"))
    sale = record_contract(
        number="CV-B-1",
        buyer="Comprador",
        signed_on=date(2025, 9, 1),
        terms="ft",
        tonnes=tonnes,
        contract_price=Decimal("7900"),
        season=season,
        user=admin,
    )
    invoice_contract(contract=sale, invoice_number="F-B-1", on=date(2025, 9, 5), user=admin)
    receive_payment(
        contract=sale,
        amount=Decimal(sale.value_cents + sale.premium_cents) / 100,
        reference="OP-B-1",
        on=date(2025, 10, 1),
        user=admin,
    )
    usd = Decimal(fund_position().usd_cents) / 100
    convert_premium(usd=usd, rate="3.7000", on=date(2025, 10, 2), document="CAMB-B-1", user=admin)
    return {
        "season": season,
        "admin": admin,
        "board": board,
        "treasurer": treasurer,
        "sale": sale,
        "tonnes": tonnes,
    }
