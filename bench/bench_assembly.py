"""A general assembly of 5,000 members in good standing, from convening to the minutes.

    python bench/bench_assembly.py                 # SQLite in bench/tmp/
    python bench/bench_assembly.py --postgres      # database minka_bench_assembly

Timed as the pages run them, in-process through Django's test client (server
time, no network): convening (the roll frozen), every check-in through the
registration desk's Enter-on-code POST, proxies, the live quorum page, an
electronic secret vote by everyone attending, a paper vote counted in ten
boxes, publishing (tallies recomputed and the majority decided), closing (the
minutes facts and hash kept), the minutes PDF rendered once as the background task does, its
download from the kept file, and the closed assembly's page.
"""

import time
from datetime import timedelta

from _setup import arguments, machine, setup_django, summary


def main():
    args = arguments(__doc__, members=5000)
    database = setup_django(postgres=args.postgres, name="assembly", pg_database="minka_bench_assembly")
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from assemblies import services
    from assemblies.models import Motion, Presence
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
    client = Client()
    client.force_login(board)
    from assemblies.models import RuleSet

    RuleSet.objects.create(
        name="Estatuto", valid_from=timezone.localdate() - timedelta(days=3000), max_proxies_per_holder=1
    )

    now = timezone.now()
    started = time.perf_counter()
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
    print(
        f"| convene: roll of {assembly.roll_size:,} frozen | {time.perf_counter() - started:.2f} s |",
        flush=True,
    )

    desk = reverse("assemblies:desk", args=[assembly.pk])
    present = int(assembly.roll_size * 0.8)
    samples = []
    for i in range(1, present + 1):
        started = time.perf_counter()
        response = client.post(desk, {"q": f"S-{i:05d}"})
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 302
    assert Presence.objects.count() == present
    print(f"| check-in at the desk (code + Enter), {present:,} members | {summary(samples)} |", flush=True)

    action = reverse("assemblies:desk_action", args=[assembly.pk])
    proxies = min(500, assembly.roll_size - present)
    samples = []
    for n in range(proxies):
        represented = assembly.roll.get(code=f"S-{present + 1 + n:05d}")
        started = time.perf_counter()
        client.post(
            action,
            {"action": "proxy", "entry": represented.pk, "holder": f"S-{n + 1:05d}", "letter": f"CP-{n:04d}"},
        )
        samples.append((time.perf_counter() - started) * 1000)
    print(f"| proxy at the desk, {proxies:,} | {summary(samples)} |", flush=True)

    samples = []
    for _ in range(5):
        started = time.perf_counter()
        client.get(desk, {"q": "Número 12"})
        samples.append((time.perf_counter() - started) * 1000)
    print(f'| desk search by name ("Número 12") | {summary(samples)} |', flush=True)

    live = reverse("assemblies:session_live", args=[assembly.pk])
    samples = []
    for _ in range(20):
        started = time.perf_counter()
        assert client.get(live).status_code == 200
        samples.append((time.perf_counter() - started) * 1000)
    print(f"| live quorum page (present, represented, both calls) | {summary(samples)} |", flush=True)

    started = time.perf_counter()
    services.open_session(assembly=assembly, call="first", user=board)
    print(f"| open session (quorum recorded) | {(time.perf_counter() - started) * 1000:.1f} ms |", flush=True)

    vote = services.draft_motion(
        assembly=assembly,
        kind="resolution",
        title="Afiliación a la central",
        majority="qualified",
        method="electronic",
        secret=True,
        user=board,
    )
    vote = services.open_motion(motion=vote, user=board)
    options = list(vote.options.all())
    attending = list(Presence.objects.filter(assembly=assembly).select_related("entry", "holder"))
    samples = []
    for n, presence in enumerate(attending):
        started = time.perf_counter()
        services.cast_ballot(
            motion=vote,
            voter=presence.entry,
            cast_by=presence.holder or presence.entry,
            option=options[n % 5 % 3],
            user=board,
        )
        samples.append((time.perf_counter() - started) * 1000)
    print(f"| electronic secret ballot, {len(attending):,} | {summary(samples)} |", flush=True)
    detail = reverse("assemblies:motion_detail", args=[assembly.pk, vote.number])
    samples = []
    for _ in range(5):
        started = time.perf_counter()
        client.get(detail)
        samples.append((time.perf_counter() - started) * 1000)
    print(f"| motion page during the vote | {summary(samples)} |", flush=True)
    services.close_voting(motion=vote, user=board)
    started = time.perf_counter()
    vote = services.publish_motion(motion=vote, user=board)
    print(
        f"| publish: {len(attending):,} ballots counted, qualified majority decided | "
        f"{(time.perf_counter() - started) * 1000:.1f} ms |",
        flush=True,
    )

    paper = services.draft_motion(
        assembly=assembly,
        kind="resolution",
        title="Reforma del estatuto",
        majority="qualified",
        method="paper",
        user=board,
    )
    services.open_motion(motion=paper, user=board)
    services.close_voting(motion=paper, user=board)
    per_box = len(attending) // 10
    samples = []
    for box in range(10):
        issued = per_box if box < 9 else len(attending) - 9 * per_box
        yes = issued * 7 // 10
        started = time.perf_counter()
        services.record_tally(
            motion=paper,
            box=f"Ánfora {box + 1}",
            ballots_issued=issued,
            counts={1: yes, 2: issued - yes - 2 * (issued // 20), 3: issued // 20, 4: issued // 20},
            user=board,
        )
        samples.append((time.perf_counter() - started) * 1000)
    print(
        f"| paper ballot box tally (checked against ballots issued and attendance), 10 | "
        f"{summary(samples)} |",
        flush=True,
    )
    started = time.perf_counter()
    paper = services.publish_motion(motion=paper, user=board)
    print(f"| publish: 10 boxes recomputed | {(time.perf_counter() - started) * 1000:.1f} ms |", flush=True)

    started = time.perf_counter()
    closed = services.close_assembly(assembly=assembly, user=board)
    print(
        f"| close (minutes facts and hash over {len(attending):,} attending, kept; PDF queued) | "
        f"{(time.perf_counter() - started) * 1000:.0f} ms |",
        flush=True,
    )
    from io import BytesIO

    from pypdf import PdfReader

    from assemblies.kept import build_minutes

    minutes = reverse("assemblies:minutes", args=[closed.pk])
    started = time.perf_counter()
    assert "El acta se está preparando" in client.get(minutes).content.decode()
    print(
        f"| minutes download before the PDF is ready (page that refreshes) | "
        f"{(time.perf_counter() - started) * 1000:.1f} ms |",
        flush=True,
    )
    started = time.perf_counter()
    size = build_minutes.call(closed.pk)  # what the db_worker runs after the commit
    print(
        f"| minutes PDF rendered once in the background ({size / 1e6:.1f} MB) | "
        f"{time.perf_counter() - started:.1f} s |",
        flush=True,
    )
    samples = []
    for _ in range(20):
        started = time.perf_counter()
        response = client.get(minutes)
        samples.append((time.perf_counter() - started) * 1000)
        assert response["Content-Type"] == "application/pdf"
    pages = len(PdfReader(BytesIO(response.content)).pages)
    print(
        f"| minutes download, kept PDF, {len(attending):,} attending, {pages} pages (20) | "
        f"{summary(samples)} |",
        flush=True,
    )
    page = closed.get_absolute_url()
    samples = []
    for _ in range(20):
        started = time.perf_counter()
        assert closed.minutes_hash in client.get(page).content.decode()
        samples.append((time.perf_counter() - started) * 1000)
    print(f"| closed assembly page, {len(attending):,} attending (20) | {summary(samples)} |", flush=True)
    started = time.perf_counter()
    response = client.get(reverse("assemblies:signature_sheet", args=[closed.pk]))
    pages = len(PdfReader(BytesIO(response.content)).pages)
    print(
        f"| signature sheet PDF, {closed.roll_size:,} rows, {pages} pages | "
        f"{time.perf_counter() - started:.1f} s |",
        flush=True,
    )
    verify = reverse("minutes_verify", args=[closed.verification_key])
    samples = []
    for _ in range(20):
        started = time.perf_counter()
        assert "Acta auténtica" in Client().get(verify).content.decode()
        samples.append((time.perf_counter() - started) * 1000)
    print(f"| public verification page, kept facts (20) | {summary(samples)} |", flush=True)
    started = time.perf_counter()
    assert "Acta auténtica" in Client().get(verify, {"comprobar": "1"}).content.decode()
    print(
        f"| verification «Comprobar» (hash recomputed from the records) | "
        f"{(time.perf_counter() - started) * 1000:.0f} ms |",
        flush=True,
    )
    assert Motion.objects.filter(status="published").count() == 2


if __name__ == "__main__":
    main()
