"""The inclusion page (participation by sex and age band) for a season of 20,000 members and 500,000
deliveries: target under 300 ms.

    python bench/bench_inclusion.py                       # SQLite in bench/tmp/inclusion/
    MINKA_BENCH_DB=minka_inclusion_bench python bench/bench_inclusion.py --postgres
    python bench/bench_inclusion.py --reuse               # measure again on the data loaded before
    python bench/bench_inclusion.py --reuse --season 2026 # on a demo scaled by bench/inclusion_amplify.py

Load (skipped with --reuse): ``build_premium_season`` (the 20,000-member demo register, one season of
deliveries through the demo loader, a Fairtrade sale whose premium is sold for soles); the whole
premium distributed in cash to the members who delivered Fairtrade cocoa (two signatures); a general
assembly in the season with the roll frozen from the register, 80 % of it checked in at the desk
(``assemblies.services.check_in``), 500 proxies, and the session opened. Then the timed parts:
``inclusion_report`` for the season (with the previous season beside it, as the page shows it), the
page itself as the certifier, a member list behind a figure, and the xlsx export.
"""

import statistics
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from _setup import build_premium_season, machine, options, setup_django, summary

TARGET_MS = 300


def timed(fn, repeat: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of each run (on SQLite the CPU time includes the queries)."""
    samples, cpu = [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    return samples, cpu


def load(*, members: int, deliveries: int) -> None:
    from django.core.management import call_command
    from django.utils import timezone

    from assemblies import services as assembly_services
    from assemblies.models import RuleSet
    from fund.models import PremiumCategory
    from fund.selectors import fund_position
    from fund.services import (
        approve_spending,
        authorize_budget_lines,
        draft_budget_line,
        register_distribution,
    )

    call_command("collectstatic", interactive=False, verbosity=0)
    built = build_premium_season(members=members, deliveries=deliveries)
    season, admin, board, treasurer = built["season"], built["admin"], built["board"], built["treasurer"]
    started = time.perf_counter()
    line = draft_budget_line(
        season=season,
        purpose="Reparto en efectivo",
        user=admin,
        category=PremiumCategory.CASH_TO_MEMBERS,
        amount=Decimal(fund_position().unallocated_minor // 100),
        objective="Complementar el ingreso de las familias socias",
        starts_on=date(2025, 10, 1),
        ends_on=date(2025, 12, 31),
        responsible="Tesorera del consejo de administración",
        beneficiaries=1,
        women=0,
        youth=0,
    )
    authorize_budget_lines(
        lines=[line], decision="Asamblea de prueba, acuerdo 1", user=admin, decided_on=date(2025, 10, 5)
    )
    spending = register_distribution(
        line=line,
        season=season,
        amount=Decimal(line.amount_minor) / 100,
        document="PLR-B-1",
        document_date=date(2025, 10, 20),
        description="Reparto de prima",
        user=admin,
    )
    approve_spending(spending=spending, capacity="board", user=board, on=date(2025, 10, 21))
    approve_spending(spending=spending, capacity="treasurer", user=treasurer, on=date(2025, 10, 21))
    print(f"| distribution to {spending.shares.count():,} members | {time.perf_counter() - started:.1f} s |")

    RuleSet.objects.create(name="Estatuto", valid_from=date(2015, 1, 1), max_proxies_per_holder=1)
    tz = timezone.get_current_timezone()
    first_call = datetime(2025, 11, 15, 9, 0, tzinfo=tz)
    started = time.perf_counter()
    assembly = assembly_services.convene_assembly(
        kind="ordinary",
        mode="in_person",
        place="Coliseo",
        first_call_at=first_call,
        second_call_at=first_call + timedelta(hours=1),
        agenda="1. Informe",
        cutoff_date=date(2025, 11, 1),
        convened_on=date(2025, 10, 30),
        user=board,
    )
    roll = list(assembly.roll.order_by("position"))
    present = int(len(roll) * 0.8)
    for entry in roll[:present]:
        assembly_services.check_in(assembly=assembly, entry=entry, user=board)
    for n, entry in enumerate(roll[present : present + 500]):
        assembly_services.register_proxy(
            assembly=assembly, represented=entry, holder=roll[n], letter=f"CP-{n:04d}", user=board
        )
    assembly_services.open_session(assembly=assembly, call="first", user=board, at=first_call)
    print(
        f"| assembly: roll of {len(roll):,}, {present:,} present, 500 proxies | "
        f"{time.perf_counter() - started:.1f} s |",
        flush=True,
    )


def main() -> None:
    parser = options(__doc__.splitlines()[0], deliveries=500_000, reuse="measure the data loaded before")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--season", default="2025", help="the season measured (2026 on an amplified demo)")
    args = parser.parse_args()
    database = setup_django(postgres=args.postgres, name="inclusion", fresh=not args.reuse)
    from acopio.models import Delivery

    if not Delivery.objects.exists():
        print("| step | result |\n|---|---|")
        load(members=args.members, deliveries=args.deliveries)
    from assemblies.models import Assembly, Presence

    # A load stopped during the check-ins (a machine too busy to finish them): the session is opened
    # as it stands, so the attendance figures read the roll and the presences there are.
    for waiting in Assembly.objects.filter(opened_at__isnull=True):
        Assembly.objects.filter(pk=waiting.pk).update(opened_at=waiting.first_call_at, status="in_session")

    import os
    import tempfile

    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from certification.inclusion import Band, age_bands, inclusion_report, members_behind, season_period
    from coop.models import Member, Season

    season = Season.objects.get(code=args.season)
    period = season_period(season)
    certifier, _new = User.objects.get_or_create(username="bench_certificador")
    certifier.groups.add(Group.objects.get(name="certificador"))
    load_average = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\n{database}, {machine()}, load average {load_average}; {Member.objects.count():,} members, "
        f"{Delivery.objects.count():,} deliveries, {Presence.objects.count():,} attending an assembly; "
        f"{args.repeat} runs each after one warm-up\n"
    )
    print("| step | wall: median / p95 / max | CPU ms (median) | queries | target |\n|---|---|---:|---:|---|")

    def row(label, fn, target=None):
        fn()
        with CaptureQueriesContext(connection) as queries:
            fn()
        samples, cpu = timed(fn, args.repeat)
        p95 = sorted(samples)[max(0, round(0.95 * len(samples)) - 1)]
        cpu_median = statistics.median(cpu)
        verdict = ""
        if target is not None:
            cpu_verdict = "pass" if cpu_median < target else "over"
            verdict = "pass" if p95 < target else f"over (CPU {cpu_verdict})"
        print(f"| {label} | {summary(samples)} | {cpu_median:.1f} | {len(queries)} | {verdict} |", flush=True)

    row(
        "figures of the season (`inclusion_report`, no comparison)",
        lambda: inclusion_report(period, compare=False),
    )
    row("figures with the previous season beside them", lambda: inclusion_report(period), TARGET_MS)
    client = Client()
    client.force_login(certifier)
    url = reverse("certification:inclusion") + f"?campana={season.code}"
    row("the page, GET as the certifier (figures, charts)", lambda: client.get(url), TARGET_MS)
    bands = age_bands()
    row(
        "members behind «kilos, women under 30», first page of 50",
        lambda: list(members_behind(period, "kg_secos", sex="F", band=0, bands=bands)[:50]),
    )
    row(
        "the member list page (women, kilos)",
        lambda: client.get(
            reverse("certification:inclusion_members") + f"?campana={season.code}&cifra=kg_secos&sexo=F"
        ),
    )
    folder = tempfile.mkdtemp()
    row(
        "`export_inclusion` to xlsx",
        lambda: call_command(
            "export_inclusion",
            season=season.code,
            output=Path(folder) / "i.xlsx",
            stdout=open(os.devnull, "w"),
        ),
    )
    assert isinstance(bands[0], Band)


if __name__ == "__main__":
    main()
