"""The delivery writer at a smaller scale, for before/after comparisons on a shared machine.

    python bench/bench_writer.py                       # SQLite in bench/tmp/writer
    python bench/bench_writer.py --postgres            # MINKA_BENCH_DB (default minka_bench)
    python bench/bench_writer.py --reuse               # time again on the database a run left

Fills once (the demo register of --members members and --deliveries demo deliveries), then
times 1,000 ``record_delivery`` calls one by one (what the clerk's page calls) and
``import_deliveries(dry_run=True)`` of a fresh --rows-row csv (every check and write, then
rolled back, so repeated runs see the same database). Prints rates and CPU time.
"""

import csv
import io
import random
import time
import uuid

from _setup import machine, options, setup_django, summary


def main():
    parser = options(__doc__, members=5000, deliveries=30_000, reuse="keep the scratch database")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--posts", type=int, default=1000)
    args = parser.parse_args()
    database = setup_django(postgres=args.postgres, name="writer", fresh=not args.reuse)
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from acopio.delivery_import import COLUMNS

    try:
        from acopio.services import import_deliveries
    except ImportError:  # before the delivery writer was one (commit 6a2e6bb)
        from acopio.delivery_import import import_deliveries
    from acopio.demo import _row
    from acopio.models import CollectionCentre, Delivery
    from acopio.services import record_delivery
    from config.demo import generate_seasons
    from coop.demo import generate_demo
    from coop.models import Member, Season
    from ledger.verification import verify_ledger

    print(f"\n{database}, {machine()}\n| step | result |\n|---|---|", flush=True)
    if not Delivery.objects.exists():
        generate_demo(members=args.members, seed=1)
        generate_seasons(deliveries=args.deliveries, seed=1, payments=False)
    print(f"| stored | {Delivery.objects.count():,} deliveries |", flush=True)

    season = Season.objects.get(code="2026")
    rng = random.Random(7)
    members = list(Member.objects.filter(status="active").prefetch_related("plots")[:3000])
    members = [m for m in members if any((p.cocoa_producing_ha or 0) > 0 for p in m.plots.all())]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([header for header, _ in COLUMNS.values()])
    run = uuid.uuid4().hex[:8]
    for n in range(args.rows):
        member = rng.choice(members)
        row = _row(
            rng,
            member,
            rng.choice(list(member.plots.all())),
            season,
            season.ends_on.replace(month=10, day=31),
            30,
        )
        writer.writerow(
            [
                f"W{run}-{n:07d}",
                row["centre"],
                row["date"].strftime("%d/%m/%Y"),
                row["member_code"],
                "",
                row["plot"],
                row["form"],
                row["grade"],
                row["gross_kg"].replace(".", ","),
                row["tare_kg"].replace(".", ","),
                row["moisture_pct"].replace(".", ","),
            ]
        )
    source = buffer.getvalue().encode()

    clerk, created = User.objects.get_or_create(username="acopiador_bench")
    if created:
        clerk.groups.add(Group.objects.get(name="acopiador"))
    centre = CollectionCentre.objects.get(code="C01")
    day = Delivery.objects.order_by("-date").values_list("date", flat=True).first()

    def post(member):
        return record_delivery(
            member=member,
            plot=None,
            centre=centre,
            date=day,
            form="dry",
            grade="g1",
            gross_kg="45.5",
            tare_kg="0.5",
            moisture_pct="7.2",
            user=clerk,
            submission_token=uuid.uuid4(),
        )

    timings = []
    wall, cpu = time.perf_counter(), time.process_time()
    for n in range(args.posts):
        started = time.perf_counter()
        post(members[n % len(members)])
        timings.append((time.perf_counter() - started) * 1000)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"| record_delivery one by one ({args.posts:,}) | {args.posts / wall:,.0f}/s "
        f"(CPU only {args.posts / cpu:,.0f}/s); {summary(timings)} |",
        flush=True,
    )
    with CaptureQueriesContext(connection) as statements:
        post(members[0])
    print(f"| SQL statements per record_delivery | {len(statements)} |", flush=True)

    wall, cpu = time.perf_counter(), time.process_time()
    report = import_deliveries(source=source, filename="balanza.csv", user=clerk, dry_run=True)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert report.ok and report.created == args.rows, report.errors[:5]
    print(f"| import_deliveries dry run, {args.rows:,} rows | {wall:.1f} s (CPU {cpu:.1f} s) |", flush=True)
    check = verify_ledger()
    assert check.ok, check.problems
    print(f"| verify_ledger over {check.entries:,} entries | ok |", flush=True)


if __name__ == "__main__":
    main()
