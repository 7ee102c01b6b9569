"""Import of the traceability sheet at cooperative scale (issue 3: 20,000 members, 40,000 plots < 30 s).

Generates the demonstration register, exports it as xlsx, empties the
register and imports the file: dry run, real import, and the same file again
(which must change nothing). Prints one markdown table row per step.
"""

import time

from _setup import arguments, machine, setup_django


def main():
    args = arguments(__doc__)
    database = setup_django(postgres=args.postgres, name="import")
    from django.db import connection

    from coop.demo import generate_demo
    from coop.models import Member, MemberStatusChange, Plot
    from coop.services import import_register
    from coop.traceability import export_register

    generate_demo(members=args.members, seed=1)
    started = time.perf_counter()
    content = export_register(fmt="xlsx")
    export_s = time.perf_counter() - started
    plots = Plot.objects.count()

    # Empty the register (history included) so the import creates everything.
    with connection.cursor() as cursor:
        for model in (Plot.history.model, Plot, MemberStatusChange, Member.history.model, Member):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608 - a model's own table

    rows = [("export xlsx", export_s)]
    for label, dry_run in (("import, dry run", True), ("import", False), ("same file again", False)):
        started = time.perf_counter()
        report = import_register(source=content, filename="bench.xlsx", dry_run=dry_run, user=None)
        rows.append((label, time.perf_counter() - started))
        assert report.ok, report.errors[:5]
    assert Member.objects.count() == args.members and Plot.objects.count() == plots
    assert report.members_created == report.plots_created == 0

    size = f"{len(content) / 1e6:.1f} MB xlsx"
    print(f"\n{database}, {args.members:,} members, {plots:,} plots, {size} ({machine()})")
    print("| step | seconds | rows/s |\n|---|---:|---:|")
    for label, seconds in rows:
        print(f"| {label} | {seconds:.1f} | {plots / seconds:,.0f} |")


if __name__ == "__main__":
    main()
