"""verify_ledger on the demonstration cooperative: the journal alone (what it checked before the row
chains) and the journal plus every append-only table's row chain (toolkit.row_chain).

python bench/bench_verify.py                         # SQLite in bench/tmp/verify/
python bench/bench_verify.py --postgres              # database minka_bench
python bench/bench_verify.py --reuse                 # the demo already loaded by an earlier run

The demo is loaded as ``quickstart --no-serve`` loads it (360 members by default, three seasons,
the premium plans approved by assemblies). Each timing is the median of five runs.
"""

import os
import statistics
import time

from _setup import machine, options, setup_django


def main():
    parser = options(__doc__, members=360, reuse="keep the demo of an earlier run")
    args = parser.parse_args()
    database = setup_django(postgres=args.postgres, name="verify", fresh=not args.reuse)
    from django.core.management import call_command

    from ledger.verification import RECORD_CHECKS, _one_snapshot, _verify, verify_ledger
    from toolkit.row_chain import chained_models

    if not args.reuse:
        started = time.perf_counter()
        call_command("quickstart", "--no-serve", "--members", str(args.members), verbosity=0)
        print(f"demo loaded in {time.perf_counter() - started:.0f} s", flush=True)

    def journal_only():
        with _one_snapshot():
            return _verify()

    def timed(action) -> tuple[float, object]:
        samples, result = [], None
        for _ in range(5):
            started = time.perf_counter()
            result = action()
            samples.append(time.perf_counter() - started)
        return statistics.median(samples), result

    journal_seconds, journal = timed(journal_only)
    assert journal.ok, journal.message
    full_seconds, full = timed(verify_ledger)
    assert full.ok, full.message
    with open(os.devnull, "w") as devnull:
        command_seconds, _ = timed(lambda: call_command("verify_ledger", stdout=devnull))

    print(f"\n{database}, demo of {args.members} members ({machine()})")
    print("| what verify_ledger walks | rows | time (median of 5) |\n|---|---:|---:|")
    print(f"| journal only (before the row chains) | {journal.entries:,} entries | {journal_seconds:.2f} s |")
    print(
        f"| journal + {len(full.chain_heads)} append-only tables | {full.entries:,} entries + "
        f"{full.rows:,} rows | {full_seconds:.2f} s |"
    )
    print(f"| `manage.py verify_ledger` (the command) | | {command_seconds:.2f} s |")
    print("\n| table | rows |\n|---|---:|")
    for model in chained_models():
        print(f"| {model._meta.db_table} | {full.chain_heads[model._meta.db_table][0]:,} |")

    # The record checks verify_ledger runs after the chains (fund, sales, assemblies, certification):
    # each one alone, in its own snapshot.
    print("\n| record check | rows it reads | time (median of 5) |\n|---|---|---:|")
    for check in RECORD_CHECKS:

        def one(check=check):
            with _one_snapshot():
                return check()

        seconds, problem = timed(one)
        assert problem is None, problem
        print(f"| {check.__module__}.{check.__name__} | {_reads(check)} | {seconds * 1000:.0f} ms |")


READS = {
    "check_authorized_lines": ("fund.BudgetLine",),
    "check_paid_spending": ("fund.Spending",),
    "check_published_motions": ("assemblies.Motion", "assemblies.MotionOption"),
    "check_kept_minutes": ("assemblies.KeptMinutes",),
    "check_presences": ("assemblies.Presence", "assemblies.AttendanceEvent"),
    "check_ballot_counters": ("assemblies.BallotCounter", "assemblies.BallotCast"),
    "check_sales_contracts": ("sales.SalesContract",),
    "check_issued_documents": ("certification.IssuedDocument",),
}


def _reads(check) -> str:
    from django.apps import apps

    from toolkit.models import RowSeal

    counts = [
        f"{apps.get_model(label)._base_manager.count():,} {label}" for label in READS.get(check.__name__, ())
    ]
    sealed = [apps.get_model(label)._meta.db_table for label in READS.get(check.__name__, ())]
    seals = RowSeal.objects.filter(table__in=sealed).count()
    return ", ".join(counts + ([f"{seals:,} seals"] if seals else []))


if __name__ == "__main__":
    main()
