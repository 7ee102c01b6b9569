"""Ledger at cooperative scale: posting time per entry, and verify_ledger over the whole journal.

python bench/bench_ledger.py --entries 20000             # SQLite in bench/tmp/
python bench/bench_ledger.py --entries 20000 --postgres  # database minka_bench
"""

import argparse
import time
from datetime import date

from _setup import machine, setup_django, summary


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=20000)
    parser.add_argument("--postgres", action="store_true", help="run on PostgreSQL instead of SQLite")
    args = parser.parse_args()
    database = setup_django(postgres=args.postgres, name="ledger")
    from ledger.models import Account
    from ledger.services import post_entry
    from ledger.verification import verify_ledger

    cash = Account.objects.create(code="1011-CAJ", name="Caja", kind="asset", currency="PEN")
    members = [
        Account.objects.create(code=f"2101-CHZ-{n:05d}", name=f"Socio {n}", kind="liability", currency="PEN")
        for n in range(1, 201)
    ]
    timings = []
    for n in range(args.entries):
        amount = 1 + (n * 7919) % 5_000_00
        started = time.perf_counter()
        post_entry(
            date=date(2026, 3, 2),
            description="Entrega de cacao",
            source_key=f"delivery:{n}",
            lines=[(cash, amount), (members[n % len(members)], -amount)],
        )
        timings.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    check = verify_ledger()
    verify_seconds = time.perf_counter() - started
    assert check.ok, check.problems

    print(f"\n{database}, {args.entries:,} entries ({machine()})")
    print("| step | time |\n|---|---|")
    print(f"| post_entry, one entry of two lines | {summary(timings)} |")
    print(f"| verify_ledger, whole journal | {verify_seconds:.2f} s |")


if __name__ == "__main__":
    main()
