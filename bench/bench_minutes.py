"""The kept minutes of an assembly with 4,500 attending: closing, the background render, the download,
the closed assembly's page and the verification page (issue 19).

    python bench/bench_minutes.py                 # SQLite in bench/tmp/
    python bench/bench_minutes.py --postgres      # database minka_bench_minutes

The assembly is set up through the services (no timing of the desk: bench_assembly.py does that):
5,000 members on the roll, 4,000 checked in, 500 represented, a motion voted by show of hands and
published. Pages are timed in-process through Django's test client (server time, no network).
"""

import time
from datetime import timedelta

from _setup import arguments, machine, setup_django, summary


def timed(client, url, times, expect, **params):
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        response = client.get(url, params)
        samples.append((time.perf_counter() - started) * 1000)
        assert expect(response), response.status_code
    return samples


def main():
    args = arguments(__doc__, members=5000)
    database = setup_django(postgres=args.postgres, name="minutes", pg_database="minka_bench_minutes")
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from assemblies import services
    from assemblies.kept import build_minutes
    from assemblies.models import RuleSet
    from coop.models import Member, member_search_text

    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"\n{database}, {machine()}\n| step | result |\n|---|---|", flush=True)
    Member.objects.bulk_create(
        [
            Member(
                code=f"S-{i:05d}",
                dni=f"{40000000 + i:08d}",
                name=f"Socia Número {i} Tapullima Sangama",
                community=f"Comunidad {i % 40}",
                join_date=timezone.localdate() - timedelta(days=800),
                search_text=member_search_text(
                    code=f"S-{i:05d}", dni=f"{40000000 + i:08d}", name=f"Socia Número {i} Tapullima Sangama"
                ),
            )
            for i in range(1, args.members + 1)
        ],
        batch_size=2000,
    )
    board = User.objects.create_user("presidenta", password="x")  # noqa: S106 - scratch database
    board.groups.add(Group.objects.get(name="consejo_administracion"))
    RuleSet.objects.create(
        name="Estatuto", valid_from=timezone.localdate() - timedelta(days=3000), max_proxies_per_holder=1
    )
    now = timezone.now()
    assembly = services.convene_assembly(
        kind="ordinary",
        mode="in_person",
        place="Coliseo municipal",
        first_call_at=now - timedelta(hours=2),
        second_call_at=now - timedelta(hours=1),
        agenda="1. Plan de la prima",
        cutoff_date=timezone.localdate() - timedelta(days=10),
        convened_on=timezone.localdate() - timedelta(days=5),
        user=board,
    )
    roll = list(assembly.roll.order_by("position"))
    present = int(len(roll) * 0.8)
    started = time.perf_counter()
    for entry in roll[:present]:
        services.check_in(assembly=assembly, entry=entry, user=board)
    for n, entry in enumerate(roll[present : present + 500]):
        services.register_proxy(
            assembly=assembly, represented=entry, holder=roll[n], letter=f"CP-{n:04d}", user=board
        )
    print(
        f"| setup: {present:,} check-ins and 500 proxies (services) | {time.perf_counter() - started:.0f} s |"
    )
    services.open_session(assembly=assembly, call="first", user=board)
    motion = services.draft_motion(
        assembly=assembly,
        kind="resolution",
        title="Memoria 2025",
        majority="absolute",
        method="hands",
        user=board,
    )
    services.open_motion(motion=motion, user=board)
    services.record_tally(motion=motion, counts={1: 4000, 2: 300, 3: 200}, user=board)
    services.publish_motion(motion=motion, user=board)

    started = time.perf_counter()
    closed = services.close_assembly(assembly=assembly, user=board)
    print(
        f"| close (facts and hash over 4,500 attending, kept; PDF queued) | "
        f"{(time.perf_counter() - started) * 1000:.0f} ms |"
    )
    client = Client()
    client.force_login(board)
    minutes = reverse("assemblies:minutes", args=[closed.pk])
    preparing = timed(client, minutes, 5, lambda r: "El acta se está preparando" in r.content.decode())
    print(f"| minutes download before the PDF is ready (page that refreshes, 5) | {summary(preparing)} |")
    started = time.perf_counter()
    size = build_minutes.call(closed.pk)  # what the db_worker runs after the commit
    print(
        f"| minutes PDF rendered once in the background ({size / 1e6:.1f} MB) | "
        f"{time.perf_counter() - started:.1f} s |"
    )
    samples = timed(client, minutes, 20, lambda r: r["Content-Type"] == "application/pdf")
    print(f"| minutes download, kept PDF (20) | {summary(samples)} |")
    samples = timed(
        client, closed.get_absolute_url(), 20, lambda r: closed.minutes_hash in r.content.decode()
    )
    print(f"| closed assembly page, 4,500 attending (20) | {summary(samples)} |")
    verify = reverse("minutes_verify", args=[closed.verification_key])
    samples = timed(Client(), verify, 20, lambda r: "Acta auténtica" in r.content.decode())
    print(f"| public verification page, kept facts (20) | {summary(samples)} |")
    samples = timed(Client(), verify, 3, lambda r: "Acta auténtica" in r.content.decode(), comprobar="1")
    print(f"| verification «Comprobar» (recomputed from the records, 3) | {summary(samples)} |", flush=True)


if __name__ == "__main__":
    main()
