"""The season's audit pack at cooperative scale: a ZIP for a season of 500,000 deliveries in < 2 minutes.

    python bench/bench_audit_pack.py                       # SQLite in bench/tmp/
    MINKA_BENCH_DB=minka_bench_pack python bench/bench_audit_pack.py --postgres
    python bench/bench_audit_pack.py --reuse               # time the pack again on the data already built
    python bench/bench_audit_pack.py --deliveries 50000    # a quicker run

Set-up (bench/_setup.py, shared with bench_premium): the 20,000-member demo register and one season
(2025) of ~500,000 deliveries through the demo loader, a paid Fairtrade contract and its premium in
soles. Then what an auditor looks for: 200 voided deliveries (half reissued), an assembly of 200
delegates that approves the 2025 Development Plan and closes (the minutes exist), two supplier
invoices paid from it with both signatures and a cash distribution to every member with Fairtrade
kilograms. A smaller season (2026, a tenth of the deliveries) shows whether memory grows with the
deliveries.

Timed: ``manage.py audit_pack`` in a child process, as an administrator would run it (wall time and
the child's peak RSS from wait4), twice for the big season and once for the small one; then one
in-process run with the time of each part.
"""

import json
import os
import subprocess
import sys
import time
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal

from _setup import PG_NAME, ROOT, TMP, arguments, build_premium_season, machine, setup_django


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} (1 min) / {five:.2f} (5 min)"


def add_audit_material(*, season, admin, board, treasurer, small_deliveries: int) -> str:
    """Voids, a delegates' assembly approving the plan, spending and a distribution; a small 2026 season."""
    import random

    from django.utils import timezone

    from acopio.demo import _delivery_rows, _voids
    from acopio.services import record_delivery_rows
    from assemblies import services
    from assemblies.models import Delegate, RuleSet
    from coop.demo import DEMO_PREFIX
    from coop.models import Member, MemberStatus, Season
    from fund.models import PremiumCategory
    from fund.ruc import ruc_check_digit
    from fund.selectors import fund_position
    from fund.services import approve_spending, draft_budget_line, register_distribution, register_spending

    voids = _voids(random.Random(2), admin)

    decided_on = date(2026, 3, 21)

    def at(hour, minute=0):
        return timezone.make_aware(datetime(decided_on.year, decided_on.month, decided_on.day, hour, minute))

    RuleSet.objects.create(
        name="Estatuto (asamblea de delegados)",
        valid_from=date(2018, 1, 1),
        uses_delegates=True,
        created_by=admin,
    )
    delegates = Member.objects.filter(status=MemberStatus.ACTIVE).order_by("code")[:200]
    Delegate.objects.bulk_create(
        [
            Delegate(
                member=m,
                zone=m.community or "Chazuta",
                elected_on=date(2024, 1, 1),
                term_ends_on=date(2027, 12, 31),
            )
            for m in delegates
        ]
    )
    assembly = services.convene_assembly(
        kind="ordinary",
        mode="in_person",
        place="Local comunal de Chazuta",
        first_call_at=at(9),
        second_call_at=at(9, 30),
        agenda="1. Plan de Desarrollo 2025",
        cutoff_date=decided_on - timedelta(days=30),
        convened_on=decided_on - timedelta(days=20),
        user=board,
    )
    for entry in assembly.roll.all()[:150]:
        services.check_in(assembly=assembly, entry=entry, user=board)
    services.open_session(assembly=assembly, call="first", user=board, at=at(9, 10))
    soles = fund_position().unallocated_minor // 100
    plan = services.draft_motion(
        assembly=assembly,
        kind="budget",
        title="Plan de Desarrollo con la prima de la Campaña 2025",
        majority="absolute",
        method="hands",
        season=season,
        user=board,
        activities=[
            draft_budget_line(
                season=season,
                purpose=purpose,
                category=category,
                amount=amount,
                objective=purpose,
                starts_on=date(2026, 3, 21),
                ends_on=date(2026, 12, 31),
                responsible="Gerente de la cooperativa",
                beneficiaries=100,
                women=30,
                youth=20,
                user=board,
            )
            for purpose, category, amount in (
                ("Secadora solar en Curiyacu", PremiumCategory.ORGANISATION, f"{soles * 30 // 100}"),
                ("Abono orgánico para los socios", PremiumCategory.MEMBER_SERVICES, f"{soles * 20 // 100}"),
                ("Reparto en efectivo a los socios", PremiumCategory.CASH_TO_MEMBERS, f"{soles * 40 // 100}"),
            )
        ],
    )
    plan = services.open_motion(motion=plan, user=board)
    voters = plan.attending_at_open
    services.record_tally(motion=plan, counts={1: voters - 20, 2: 12, 3: 8}, user=board)
    plan = services.publish_motion(motion=plan, user=board)
    services.close_assembly(assembly=assembly, user=board, at=at(13, 20))
    dryer, compost, cash = [b.line for b in plan.budget_lines.select_related("line").order_by("id")]
    ruc = "2045117823" + ruc_check_digit("2045117823")
    for number, line, share, day in (
        ("F003-000874", dryer, Decimal("0.7"), date(2026, 5, 5)),
        ("F001-002231", compost, Decimal("0.6"), date(2026, 4, 15)),
    ):
        spending = register_spending(
            line=line,
            amount=(Decimal(line.amount_minor) * share / 100).quantize(Decimal("0.01")),
            supplier="Proveedor de prueba SAC",
            ruc=ruc,
            document=number,
            document_date=day,
            description=line.purpose,
            user=admin,
        )
        approve_spending(spending=spending, capacity="board", user=board, on=day + timedelta(days=3))
        approve_spending(spending=spending, capacity="treasurer", user=treasurer, on=day + timedelta(days=3))
    distribution = register_distribution(
        line=cash,
        season=season,
        amount=Decimal(cash.amount_minor) / 100,
        document="PLR-2025-01",
        document_date=date(2026, 6, 19),
        description="Reparto de prima por kilos de Comercio Justo",
        user=admin,
    )
    approve_spending(spending=distribution, capacity="board", user=board, on=date(2026, 6, 21))
    approve_spending(spending=distribution, capacity="treasurer", user=treasurer, on=date(2026, 6, 21))

    small = Season.objects.get(code="2026")
    members = list(
        Member.objects.filter(code__startswith=DEMO_PREFIX)
        .exclude(status__in=[MemberStatus.WITHDRAWN, MemberStatus.DECEASED])
        .prefetch_related("plots")
        .order_by("code")
    )
    rows = _delivery_rows(random.Random(3), members, [small], small_deliveries)
    report = record_delivery_rows(rows=rows, user=None, label="bench")
    assert report.ok, report.errors[:3]
    return (
        f"{voids} voids; delegates' assembly of {assembly.roll_size} closed; 2 invoices and a "
        f"distribution to {distribution.shares.count():,} members paid; 2026 season: {len(rows):,} "
        "deliveries"
    )


# The child reports its own peak RSS (VmHWM). getrusage/wait4's ru_maxrss would not do: Linux carries the
# parent's high-water mark (this process holds the set-up's data) into a child across fork and exec.
CHILD = """
import sys, django
django.setup()
from django.core.management import call_command
if sys.argv[1:]:
    call_command("audit_pack", "--season", sys.argv[1], "-o", sys.argv[2], stdout=open("/dev/null", "w"))
else:
    import certification.audit_pack
print(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM")))
"""


def in_child(*argv: str) -> tuple[float, int]:
    """``audit_pack`` (without arguments, only Django's start) in a child process: (seconds, peak MiB)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *argv], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return time.perf_counter() - started, int(done.stdout.split()[-1]) // 1024  # kB


def main():
    args = arguments(__doc__, deliveries=500_000, reuse="keep the data of the last run; time the pack only")
    database = setup_django(
        postgres=args.postgres, name="audit_pack", fresh=not args.reuse, pg_database=PG_NAME
    )
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from acopio.models import Delivery
    from certification import audit_pack
    from coop.models import Season

    print(f"\n{database}, {machine()}\n| step | result |\n|---|---|", flush=True)
    if not args.reuse:
        call_command("collectstatic", interactive=False, verbosity=0)
        built = build_premium_season(members=args.members, deliveries=args.deliveries)
        started = time.perf_counter()
        done = add_audit_material(
            season=built["season"],
            admin=built["admin"],
            board=built["board"],
            treasurer=built["treasurer"],
            small_deliveries=args.deliveries // 10,
        )
        print(f"| {done} | {time.perf_counter() - started:.1f} s |", flush=True)

    big, small = Season.objects.get(code="2025"), Season.objects.get(code="2026")
    print(
        f"| deliveries stored: 2025 {Delivery.objects.filter(season=big).count():,}, "
        f"2026 {Delivery.objects.filter(season=small).count():,}, all {Delivery.objects.count():,} | — |"
    )
    print(f"| load average before the timed runs | {load()} |", flush=True)
    print(
        f"| child process: Django started, audit pack imported, nothing else (peak RSS) | "
        f"{in_child()[1]} MiB |",
        flush=True,
    )
    out = TMP / ("audit_pack-postgres" if args.postgres else "audit_pack")
    for run in (1, 2):
        target = out / f"paquete_2025_{run}.zip"
        seconds, rss = in_child("2025", str(target))
        print(
            f"| `audit_pack --season 2025`, run {run}: wall time, peak RSS, ZIP size | "
            f"**{seconds:.1f} s**, {rss} MiB, {target.stat().st_size / 2**20:.1f} MiB |",
            flush=True,
        )
    seconds, rss = in_child("2026", str(out / "paquete_2026.zip"))
    print(
        f"| `audit_pack --season 2026` (a tenth of the deliveries): wall time, peak RSS, ZIP size | "
        f"{seconds:.1f} s, {rss} MiB, {(out / 'paquete_2026.zip').stat().st_size / 2**20:.1f} MiB |",
        flush=True,
    )
    with zipfile.ZipFile(out / "paquete_2025_1.zip") as pack:
        listed = json.loads(pack.read("manifest.json"))["files"]
    for f in listed:
        rows = f"{f['rows']:,} rows, " if f["rows"] is not None else ""
        print(f"| &nbsp;&nbsp;{f['name']} | {rows}{f['size'] / 2**20:.2f} MiB |")

    # Each part's share of the time, in-process (the parts list is wrapped for this run only).
    timings = []

    def timed(part):
        def write(pack):
            started = time.perf_counter()
            part.write(pack)
            timings.append((part.name, time.perf_counter() - started))

        return audit_pack.Part(part.name, write)

    original = list(audit_pack.PARTS)
    audit_pack.PARTS[:] = [timed(p) for p in original]
    try:
        started = time.perf_counter()
        with open(out / "paquete_2025_parts.zip", "wb") as target:
            audit_pack.write_audit_pack(big, target, user=User.objects.get(username="gerente"))
        total = time.perf_counter() - started
    finally:
        audit_pack.PARTS[:] = original
    print(f"| in-process run, total | {total:.1f} s |")
    for name, seconds in timings:
        print(f"| &nbsp;&nbsp;part `{name}` | {seconds:.1f} s |")
    print(f"| &nbsp;&nbsp;LEEME and manifests | {total - sum(s for _, s in timings):.1f} s |")
    print(f"| load average after | {load()} |", flush=True)


if __name__ == "__main__":
    main()
