"""Member statements at cooperative scale: one statement, and every statement of a season in the background.

    python bench/bench_statements.py                        # SQLite in bench/tmp/, 20,000 members
    python bench/bench_statements.py --reuse                # the data already built
    python bench/bench_statements.py --print 4000           # how many statements the background run prints
    MINKA_BENCH_DB=minka_bench_st python bench/bench_statements.py --postgres

Set-up (bench/_setup.py, shared with bench_premium and bench_audit_pack): the 20,000-member register
and one season (2025) of ~500,000 deliveries, i.e. ~25 deliveries per member, plus its premium.

Timed:
1. one statement (facts, numbering, PDF/A rendering with the CSV attached, the record), in process,
   for 60 different members: median and p95 (target < 0.3 s);
2. the background run as an administrator starts it: ``start_statement_run`` queues the season's
   members in chunks, two ``manage.py db_worker`` processes (one per core) print them; wall time
   and each worker's peak RSS (VmHWM) sampled every 5 s, so a growing worker shows up
   (target: 20,000 in < 40 min, every worker < 400 MB).
"""

import os
import shutil
import statistics
import subprocess
import sys
import time

from _setup import ROOT, build_premium_season, machine, options, setup_django


def rss_mb(pid: int, field: str = "VmHWM") -> float:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


def main():
    parser = options(__doc__, deliveries=500_000, reuse="keep the database built by an earlier run")
    parser.add_argument(
        "--print",
        dest="to_print",
        type=int,
        default=0,
        help="statements in the background run (default: every member of the season)",
    )
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    database = setup_django(postgres=args.postgres, name="statements", fresh=not args.reuse)
    from django.contrib.auth.models import User
    from django.db import connection
    from django.db.models import Count

    from certification import printing
    from certification.documents import issue
    from certification.models import StatementRun
    from certification.statements import statement_draft
    from coop.models import Member, Season

    if not Season.objects.filter(code="2025").exists():
        build_premium_season(members=args.members, deliveries=args.deliveries)
    season = Season.objects.get(code="2025")
    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser("bench", "", "x")
    print(f"{Member.objects.count():,} members, {season.deliveries.count():,} deliveries in {season.name}")

    members = list(
        Member.objects.filter(deliveries__season=season)
        .annotate(n=Count("deliveries"))
        .order_by("code")[:: max(1, args.members // 60)][:60]
    )
    issue(statement_draft(member=members[0], season=season))  # warm up fonts and templates
    samples, pages = [], []
    for member in members:
        started = time.perf_counter()
        _document, pdf = issue(statement_draft(member=member, season=season))
        samples.append((time.perf_counter() - started) * 1000)
        pages.append(pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page"))
    samples.sort()
    p95 = samples[int(len(samples) * 0.95) - 1]
    deliveries_each = statistics.median(m.n for m in members)
    print(
        f"one statement: median {statistics.median(samples):.0f} ms, p95 {p95:.0f} ms "
        f"({len(samples)} members, median {deliveries_each} deliveries each)"
    )

    # The background run, on a copy of the member list cut to --print if asked.
    if args.to_print:
        wanted = set(printing.members_to_print(season)[: args.to_print])
        original = printing.wanted_members
        printing.wanted_members = lambda s: [member for member in original(s) if member[0] in wanted]
    StatementRun.objects.all().delete()
    run = printing.start_statement_run(season=season, user=admin)
    connection.close()
    shutil.rmtree(printing.run_folder(run), ignore_errors=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    started = time.perf_counter()
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--batch",
                "--no-startup-delay",
                "--worker-id",
                f"bench-{i}",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in range(args.workers)
    ]
    trace = []
    while any(w.poll() is None for w in workers):
        time.sleep(5)
        run.refresh_from_db()
        trace.append(
            (
                time.perf_counter() - started,
                run.done,
                [round(rss_mb(w.pid, "VmRSS")) for w in workers if w.poll() is None],
            )
        )
    elapsed = time.perf_counter() - started
    run.refresh_from_db()
    peaks = [max((t[2][i] for t in trace if len(t[2]) > i), default=0) for i in range(args.workers)]
    per_second = run.done / elapsed
    print(
        f"background run: {run.done:,} of {run.total:,} statements, status {run.status}, "
        f"{elapsed:.0f} s with {args.workers} workers = {per_second:.1f}/s "
        f"(20,000 would take {20000 / per_second / 60:.1f} min); worker RSS peaks {peaks} MB"
    )
    for seconds, done, rss in trace[:: max(1, len(trace) // 12)]:
        print(f"  {seconds:6.0f} s  {done:6,} done  RSS {rss} MB")
    zip_path = printing.run_folder(run) / run.combined_file if run.combined_file else None
    if zip_path and zip_path.exists():
        print(f"ZIP {zip_path.name}: {zip_path.stat().st_size / 1e6:.0f} MB")
    print(f"database: {database}; machine: {machine()}")


if __name__ == "__main__":
    main()
