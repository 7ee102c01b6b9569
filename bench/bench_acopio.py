"""Collection at cooperative scale: demo load, a 100,000-row import, one-by-one posting, the clerk's page.

    python bench/bench_acopio.py                         # SQLite in bench/tmp/, 500,000 deliveries
    python bench/bench_acopio.py --postgres              # database minka_bench
    python bench/bench_acopio.py --deliveries 50000      # a quicker run
    python bench/bench_acopio.py --reuse --only-posting  # time only the one-by-one posting again,
                                                         # on the database an earlier run left

Steps: the 20,000-member demo register; (deliveries - 100,000) deliveries
through the demo loader (the import's checks, in bulk); then a 100,000-row
csv through import_deliveries, as a cooperative would; then 1,000
deliveries one by one through record_delivery (what the clerk's page calls);
then 2 and 3 clerks posting at once from separate processes; then the clerk's
page itself (GET, the htmx price preview, and saving) over the test client
with every delivery stored.
"""

import csv
import io
import random
import time
import uuid

from _setup import machine, options, setup_django, summary


class Results(list):
    """Printed as each step ends, so a long run shows its progress and keeps what it measured."""

    def append(self, row):
        super().append(row)
        print(f"| {row[0]} | {row[1]} |", flush=True)


def main():
    parser = options(
        __doc__,
        deliveries=500_000,
        reuse="keep the scratch database an earlier run filled instead of loading it again",
    )
    parser.add_argument(
        "--only-posting",
        action="store_true",
        help="time only record_delivery one by one (for iterating on the posting path)",
    )
    args = parser.parse_args()
    database = setup_django(postgres=args.postgres, name="acopio", fresh=not args.reuse)
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from acopio.delivery_import import COLUMNS
    from acopio.demo import _row
    from acopio.models import CollectionCentre, Delivery
    from acopio.services import import_deliveries, record_delivery
    from config.demo import generate_seasons
    from coop.demo import generate_demo
    from coop.models import Member, Season
    from ledger.verification import verify_ledger

    call_command("collectstatic", interactive=False, verbosity=0)  # pages need it when DEBUG is off
    print(f"\n{database}, {machine()}\n| step | result |\n|---|---|", flush=True)
    results = Results()
    loaded = Delivery.objects.exists()
    if loaded:
        results.append(("reused the stored data", f"{Delivery.objects.count():,} deliveries"))
    else:
        started = time.perf_counter()
        generate_demo(members=args.members, seed=1)
        results.append((f"register: {args.members:,} members", f"{time.perf_counter() - started:.1f} s"))

    imported = min(100_000, args.deliveries // 5)
    if not loaded:
        started = time.perf_counter()
        demo = generate_seasons(deliveries=args.deliveries - imported, seed=1, payments=False)
        seconds = time.perf_counter() - started
        results.append(
            (
                f"demo loader: {demo.deliveries:,} deliveries (checked, priced, numbered, posted)",
                f"{seconds:.1f} s ({demo.deliveries / seconds:,.0f}/s)",
            )
        )

    season = Season.objects.get(code="2026")
    rng = random.Random(7)
    members = list(Member.objects.filter(status="active").prefetch_related("plots")[:5000])
    members = [m for m in members if any((p.cocoa_producing_ha or 0) > 0 for p in m.plots.all())]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([header for header, _ in COLUMNS.values()])
    for n in range(imported):
        member = rng.choice(members)
        row = _row(
            rng,
            member,
            rng.choice([p for p in member.plots.all()]),
            season,
            season.ends_on.replace(month=10, day=31),
            rng.uniform(20, 60),
        )
        writer.writerow(
            [
                f"BAL-{n:07d}",
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
    if not loaded:
        started = time.perf_counter()
        report = import_deliveries(source=source, filename="balanza.csv", user=None)
        seconds = time.perf_counter() - started
        assert report.ok and report.created == imported, report.errors[:5]
        results.append(
            (
                f"import_deliveries: {imported:,}-row csv ({len(source) / 1e6:.1f} MB)",
                f"{seconds:.1f} s ({imported / seconds:,.0f}/s)",
            )
        )
    if not args.only_posting:
        started = time.perf_counter()
        again = import_deliveries(source=source, filename="balanza.csv", user=None)
        assert again.ok and again.unchanged == imported
        results.append(("the same file again (nothing changes)", f"{time.perf_counter() - started:.1f} s"))

    clerk, created = User.objects.get_or_create(username="acopiador_bench")
    if created:
        clerk.set_password("x")
        clerk.save()
        clerk.groups.add(Group.objects.get(name="acopiador"))
    centre = CollectionCentre.objects.get(code="C01")
    day = Delivery.objects.order_by("-date").values_list("date", flat=True).first()
    timings = []
    loop_started = time.perf_counter()
    for n in range(1000):
        member = members[n % len(members)]
        started = time.perf_counter()
        record_delivery(
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
        timings.append((time.perf_counter() - started) * 1000)
    rate = 1000 / (time.perf_counter() - loop_started)
    results.append(
        (
            f"record_delivery one by one (1,000), {Delivery.objects.count():,} deliveries stored",
            f"{rate:,.0f}/s; {summary(timings)}",
        )
    )
    with CaptureQueriesContext(connection) as statements:
        record_delivery(
            member=members[0],
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
    results.append(("SQL statements per record_delivery", f"{len(statements)}"))
    if args.only_posting:
        check = verify_ledger()  # the entries just posted one by one keep the chain intact
        assert check.ok, check.problems
        results.append((f"verify_ledger over {check.entries:,} entries", "ok"))
        return

    for workers in (2, 3):
        rate = parallel_clerks(workers, [m.pk for m in members], day)
        results.append(
            (
                f"{workers} clerks at {workers} centres in parallel, {PER_CLERK} each",
                f"{rate:,.0f}/s together",
            )
        )

    total = Delivery.objects.count()
    client = Client()
    client.force_login(clerk)
    page_url, quote_url = reverse("acopio:delivery_new"), reverse("acopio:delivery_quote")
    get_ms, quote_ms, save_ms = [], [], []
    for n in range(100):
        member = members[(n * 37) % len(members)]
        form = {
            "centre": centre.pk,
            "date": day.isoformat(),
            "member": member.dni,
            "plot": "",
            "form": "dry",
            "grade": "g1",
            "gross_kg": "52,3",
            "tare_kg": "0,5",
            "moisture_pct": "7,1",
            "token": str(uuid.uuid4()),
        }
        for url, data, sink in (
            (page_url, None, get_ms),
            (quote_url, form, quote_ms),
            (page_url, form, save_ms),
        ):
            started = time.perf_counter()
            response = client.post(url, data) if data else client.get(url)
            sink.append((time.perf_counter() - started) * 1000)
            assert response.status_code in (200, 302), (url, response.status_code)
    results.append((f"clerk page GET, {total:,} deliveries stored", summary(get_ms)))
    results.append(("price preview (htmx POST)", summary(quote_ms)))
    results.append(("save and redirect to the receipt (POST)", summary(save_ms)))
    list_ms = []
    for query in ("", "?campana=2026", "?estado=void", f"?q={members[0].dni}", "?page=200"):
        for _ in range(5):
            started = time.perf_counter()
            assert client.get(reverse("acopio:delivery_list") + query).status_code == 200
            list_ms.append((time.perf_counter() - started) * 1000)
    results.append(("delivery list: first page, season, voids, a member, page 200", summary(list_ms)))
    started = time.perf_counter()
    check = verify_ledger()
    assert check.ok, check.problems
    results.append(
        (f"verify_ledger over {check.entries:,} entries", f"{time.perf_counter() - started:.1f} s")
    )


def parallel_clerks(workers: int, member_ids: list[int], day) -> float:
    """Deliveries per second when several clerks post at once, one process each (as gunicorn workers)."""
    import multiprocessing

    from django.db import connections

    connections.close_all()  # each forked process opens its own connection
    context = multiprocessing.get_context("fork")
    barrier, done = context.Barrier(workers + 1), context.Queue()
    processes = [
        context.Process(target=_clerk, args=(n, member_ids, day, barrier, done)) for n in range(workers)
    ]
    for process in processes:
        process.start()
    barrier.wait()
    started = time.perf_counter()
    for _ in processes:
        done.get()
    seconds = time.perf_counter() - started
    for process in processes:
        process.join()
    return workers * PER_CLERK / seconds


PER_CLERK = 300


def _clerk(n: int, member_ids: list[int], day, barrier, done) -> None:
    from acopio.models import CollectionCentre
    from acopio.services import record_delivery
    from coop.models import Member

    centre = CollectionCentre.objects.order_by("code")[n % 3]
    members = list(Member.objects.filter(pk__in=member_ids[n * 100 : (n + 1) * 100]))
    barrier.wait()
    for i in range(PER_CLERK):
        record_delivery(
            member=members[i % len(members)],
            plot=None,
            centre=centre,
            date=day,
            form="dry",
            grade="g1",
            gross_kg="45.5",
            tare_kg="0.5",
            moisture_pct="7.2",
            user=None,
            submission_token=uuid.uuid4(),
        )
    done.put(n)


if __name__ == "__main__":
    main()
