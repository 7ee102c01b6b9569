"""The home page of every role on the demonstration cooperative (issue: the administrator's under 150 ms).

    python bench/home.py                                   # SQLite in bench/tmp/, what quickstart loads
    MINKA_BENCH_DB=minka_home_bench python bench/home.py --postgres
    python bench/home.py --reuse                           # measure again on the data loaded before
    python bench/home.py --members 20000 --deliveries 500000   # at cooperative scale

Load (skipped with --reuse when the scratch database has it): what ``quickstart`` loads — one login
per role, the demonstration register (``coop.demo.generate_demo``), three seasons of deliveries
with their sales, payments and premium fund, the plans approved in general assemblies and an
assembly convened for today. Then ``/`` as each role (and as one person holding every role),
``--repeat`` times after one unmeasured warm-up: server time in-process with Django's test client
(session and role checks included), this process's CPU time beside it (on SQLite the queries too;
it tells the page's own cost on a machine busy with other work), queries with CaptureQueriesContext.
Printed as Markdown.
"""

import os
import statistics
import time

from _setup import machine, options, setup_django

TARGET_MS = 150


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def load(*, members: int, deliveries: int | None) -> None:
    from django.core.management import call_command

    from acopio.models import Delivery
    from assemblies.demo import convene_upcoming, hold_assembly
    from config.demo import generate_seasons
    from config.management.commands.quickstart import DEMO_LOGINS, create_login
    from coop.demo import generate_demo

    if Delivery.objects.exists():
        return
    call_command("collectstatic", interactive=False, verbosity=0)
    for username, role in DEMO_LOGINS:
        create_login(username, role, "bench-clave-123")  # scratch database, never a real one
    started = time.perf_counter()
    generate_demo(members=members, seed=1)
    summary = generate_seasons(deliveries=deliveries, seed=1, approve_plan=hold_assembly)
    convene_upcoming(user=None)
    took = time.perf_counter() - started
    print(f"loaded {members:,} members, {summary.deliveries:,} deliveries in {took:.1f} s", flush=True)


def main() -> None:
    parser = options(
        __doc__.splitlines()[0], members=360, deliveries=0, reuse="measure the data loaded before"
    )
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    database = setup_django(postgres=args.postgres, name="home", fresh=not args.reuse)
    load(members=args.members, deliveries=args.deliveries or None)

    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from acopio.models import Delivery
    from config.management.commands.quickstart import DEMO_LOGINS
    from toolkit.roles import ALL_ROLES

    everyone, _new = User.objects.get_or_create(username="bench_todos")
    everyone.groups.set(Group.objects.filter(name__in=ALL_ROLES))
    users = [(role, User.objects.get(username=username)) for username, role in DEMO_LOGINS]
    users.append(("todos los roles", everyone))

    load_average = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\n{database}, {machine()}, load average {load_average}; {Delivery.objects.count():,} deliveries;"
        f" {args.repeat} requests each\n"
    )
    print("| role | median ms | p95 ms | CPU ms (median) | queries | target |")
    print("|---|---:|---:|---:|---:|---|")
    for role, user in users:
        client = Client()
        client.force_login(user)
        assert client.get("/").status_code == 200  # warm-up: templates, session, caches
        samples, cpu = [], []
        for _ in range(args.repeat):
            started, cpu_started = time.perf_counter(), time.process_time()
            with CaptureQueriesContext(connection) as queries:
                response = client.get("/")
            samples.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
            assert response.status_code == 200
        ok = "pass" if p95(samples) < TARGET_MS else "over"
        print(
            f"| {role} | {statistics.median(samples):.1f} | {p95(samples):.1f} "
            f"| {statistics.median(cpu):.1f} | {len(queries)} | {ok} |"
        )


if __name__ == "__main__":
    main()
