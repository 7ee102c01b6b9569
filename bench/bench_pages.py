"""Every page at cooperative scale (issue: under 150 ms server time at p95, at most 30 queries).

    python bench/bench_pages.py                                  # SQLite in bench/tmp/, 20,000 / 500,000
    MINKA_BENCH_DB=minka_pages_bench python bench/bench_pages.py --postgres
    python bench/bench_pages.py --reuse                          # walk again on the data loaded before
    python bench/bench_pages.py --members 2000 --deliveries 50000  # a quick run
    python bench/bench_pages.py --reuse --only sales:lot_list --only admin:ledger_journalentry_changelist

Load (skipped with --reuse when the scratch database has it): one login per role, the
demonstration register (``coop.demo.generate_demo``) and three seasons of deliveries with
their sales and premium fund, the premium plans approved in general assemblies, and an
extraordinary assembly convened for today — what ``quickstart`` loads, at the size asked,
without member payments (``generate_demo --no-payments``). Then what the walk needs to open
every page with a real object: an open assembly whose motion is being voted, a statement print
run and an audit pack run (queued: the benchmark does not run the workers), one issued document.

Walk: every URL pattern of the project (from the URL resolver, like tests/test_access.py), and
the admin's index, every model's change list and one change form, as every role allowed to open
it, GET only; ``--repeat`` requests each after one unmeasured warm-up. Server time is measured
in-process with Django's test client (request in, response out, session and role checks
included); queries with CaptureQueriesContext. Results are printed as Markdown tables.
"""

import json
import os
import statistics
import time
from datetime import date
from pathlib import Path

from _setup import machine, options, setup_django

TARGET_MS = 150
TARGET_QUERIES = 30
# A request slower than this is timed once, as one role: repeating it says nothing more.
SLOW_MS = 10_000


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def load_cooperative(*, members: int, deliveries: int) -> dict:
    """Load the cooperative once; returns the timed steps (kept in the scratch folder for --reuse)."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from acopio.models import Delivery
    from assemblies.demo import convene_upcoming, hold_assembly
    from config.demo import generate_seasons
    from config.management.commands.quickstart import DEMO_LOGINS, create_login
    from coop.demo import generate_demo

    record = settings.VAR_DIR / "bench_pages_load.json"
    if Delivery.objects.exists():
        steps = json.loads(record.read_text()) if record.exists() else {}
        return steps
    call_command("collectstatic", interactive=False, verbosity=0)  # pages need it when DEBUG is off
    steps = {}
    for username, role in DEMO_LOGINS:
        create_login(username, role, "bench-clave-123")  # scratch database, never a real one
    started = time.perf_counter()
    generate_demo(members=members, seed=1)
    steps["register"] = time.perf_counter() - started
    print(f"register: {members:,} members, {steps['register']:.1f} s", flush=True)
    started = time.perf_counter()
    summary = generate_seasons(deliveries=deliveries, seed=1, payments=False, approve_plan=hold_assembly)
    convene_upcoming(user=None)
    steps["seasons"] = time.perf_counter() - started
    steps["deliveries"] = summary.deliveries
    print(
        f"seasons: {summary.deliveries:,} deliveries, sales, fund and assemblies, {steps['seasons']:.1f} s",
        flush=True,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    steps["members"] = members
    steps["vendor"] = connection.vendor
    steps["loaded_on"] = date.today().isoformat()
    record.write_text(json.dumps(steps))
    return steps


SKIPPED = {
    # name: why the walk does not open it
    "logout": "POST only (signing out)",
    "set_language": "POST only (the language switch)",
    "certification:audit_pack_zip": "a file a background job made (the audit pack ZIP), served from disk",
    "certification:statement_run_zip": "a file a background job made (every statement in one ZIP)",
    "certification:statement_run_file": "a file a background job made (one printed statement)",
    "certification:statement_run_batch": "a file a background job made (a community's statements)",
    "coop:register_export_file": "a file a background job made (the register as xlsx or csv)",
}
# Documents made in the request (PDF, spreadsheet, GeoJSON): timed with fewer requests and shown apart.
DOCUMENTS = (".pdf", ".xlsx", ".geojson", ".csv", ".zip")


def url_patterns():
    """(name, pattern) of every URL outside the admin, as tests/test_access.py walks them."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, namespace=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace == "admin":
                    continue
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from walk(entry.url_patterns, ns)
            elif isinstance(entry, URLPattern):
                yield f"{namespace}{entry.name}", entry

    return list(walk(get_resolver().url_patterns))


def prepare_walk() -> dict:
    """Real objects for every URL argument; made once (queued runs, one issued document)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from acopio.models import Delivery, Lot
    from assemblies.models import Assembly, AssemblyStatus
    from certification import pack_runs, printing
    from certification.documents import issue
    from certification.models import AuditPackRun, IssuedDocument, StatementRun
    from certification.statements import statement_draft
    from coop.models import Season
    from fund.models import Spending
    from ledger.models import MemberMovement, MovementKind, PaymentMethod
    from ledger.services import record_movement
    from sales.models import SalesContract

    admin = get_user_model().objects.get(username="admin")
    season = Season.objects.annotate(n=Count("deliveries")).order_by("-n").first()
    # A member who delivered in every season: their page, statement and account have the most to show.
    delivery = (
        Delivery.objects.valid()
        .filter(season=season, member__deliveries__season__code="2019")
        .order_by("-date", "receipt_number")
        .select_related("member")
        .first()
    )
    if not AuditPackRun.objects.exists():
        pack_runs.start_pack_run(season=season, user=admin)  # stays queued: no worker runs here
    if not StatementRun.objects.exists():
        printing.start_statement_run(season=season, user=admin)
    movement = MemberMovement.objects.filter(member=delivery.member).first()
    if movement is None:  # the demo is loaded without payments: one, for the movement's URLs
        movement = record_movement(
            member=delivery.member,
            kind=MovementKind.PAYMENT,
            method=PaymentMethod.CASH,
            date=delivery.date,
            amount="10.00",
            document="BENCH-1",
            user=admin,
        )
    export = None
    try:
        from coop import exports
    except ImportError:  # before the register was exported in the background
        pass
    else:
        export = exports.RegisterExport.objects.order_by("pk").first()
        if export is None:
            started = time.perf_counter()
            export = exports.start_register_export(fmt="xlsx", user=admin)
            exports.build_register_export.call(export.pk)  # what a db_worker does
            print(f"register exported in the background: {time.perf_counter() - started:.1f} s", flush=True)
    if not IssuedDocument.objects.exists():
        issue(statement_draft(member=delivery.member, season=season), user=admin)
    closed = Assembly.objects.filter(status=AssemblyStatus.CLOSED).order_by("-first_call_at").first()
    convened = Assembly.objects.filter(status=AssemblyStatus.CONVENED).order_by("-first_call_at").first()
    lot = Lot.objects.filter(for_eu=True).first() or Lot.objects.order_by("code").first()
    run = StatementRun.objects.order_by("pk").first()
    return {
        "season": season,
        "member": delivery.member,
        "delivery": delivery,
        "closed": closed,
        "convened": convened,
        "values": {
            "code": delivery.member.code,
            "receipt": delivery.receipt_code,
            "size": "a6",
            "season": season.code,
            "lot": lot.code if lot else "",
            "pack": AuditPackRun.objects.order_by("pk").first().pk,
            "batch": run.batches[0]["name"],
            "number": 1,
        },
        "run": run,
        "movement": movement,
        "export": export,
        "contract": SalesContract.objects.order_by("pk").first(),
        "spending": Spending.objects.order_by("pk").first(),
        "document": IssuedDocument.objects.order_by("pk").first(),
    }


def variants(name: str, pattern, objects: dict) -> list[tuple[str, dict]]:
    """The (label, kwargs) a URL is opened with: one, or one per assembly state for the assemblies."""
    names = set(pattern.pattern.regex.groupindex)
    values = dict(objects["values"])
    module = pattern.callback.__module__
    if name == "receipt_verify":
        values["key"] = objects["delivery"].verification_key
    elif name == "minutes_verify":
        values["key"] = objects["closed"].verification_key
    elif name == "document_verify":
        values["key"] = objects["document"].verification_key
    if module == "certification.views" and "pk" in names:
        values["pk"] = objects["run"].pk
    elif module == "coop.views" and "pk" in names:
        values["pk"] = objects["export"].pk
    elif module == "ledger.views":
        values["pk"] = objects["movement"].pk
    elif module == "sales.views":
        values["pk"] = objects["contract"].pk
    elif module == "fund.views":
        values["pk"] = objects["spending"].pk
    elif module == "assemblies.views" and "pk" in names:
        found = []
        for label, assembly in (
            ("held and closed", objects["closed"]),
            ("convened today", objects["convened"]),
        ):
            if assembly is None or (label == "convened today" and name.endswith("minutes")):
                continue
            found.append((label, {k: v for k, v in {**values, "pk": assembly.pk}.items() if k in names}))
        return found
    unknown = names - set(values)
    assert not unknown, f"{pattern.pattern} takes {sorted(unknown)}: teach variants a real value"
    return [("", {k: values[k] for k in names})]


def admin_urls() -> list[tuple[str, str]]:
    """The admin's index, every model's change list and the change form of its first row."""
    from django.contrib import admin
    from django.urls import reverse

    urls = [("admin:index", reverse("admin:index"))]
    for model in sorted(admin.site._registry, key=lambda m: (m._meta.app_label, m._meta.model_name)):
        opts = model._meta
        base = f"admin:{opts.app_label}_{opts.model_name}"
        urls.append((f"{base}_changelist", reverse(f"{base}_changelist")))
        first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        if first is not None:
            urls.append((f"{base}_change", reverse(f"{base}_change", args=[first])))
    return urls


def measure(client, url: str, repeat: int) -> dict:
    """One request with its queries captured, then ``repeat`` timed ones (capturing costs time)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(url)
        first_ms = (time.perf_counter() - started) * 1000
    queries = list(captured.captured_queries)  # read now: the next request empties the log
    status = response.status_code
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    if first_ms > SLOW_MS:
        repeat = 0  # minutes of work: the first request says enough
    samples = [first_ms] if not repeat else []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        samples.append((time.perf_counter() - started) * 1000)
    return {
        "status": status,
        "queries": len(queries),
        "sql_ms": sum(float(q["time"]) for q in queries) * 1000,
        "median": statistics.median(samples),
        "p95": p95(samples),
        "samples": len(samples),
    }


def walk(args) -> list[dict]:
    import logging

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from config.management.commands.quickstart import DEMO_LOGINS
    from toolkit.roles import ADMINISTRATOR, PUBLIC

    users = {role: get_user_model().objects.get(username=username) for username, role in DEMO_LOGINS}
    clients = {}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)
    clients["anonymous"] = Client()
    objects = prepare_walk()
    logging.getLogger("django.request").setLevel(logging.ERROR)  # no line for each 405 of a POST-only URL
    todo = []
    for name, pattern in url_patterns():
        if name in SKIPPED:
            continue
        roles = pattern.callback.minka_roles
        roles = ["anonymous"] if roles == PUBLIC else sorted(roles)
        for label, kwargs in variants(name, pattern, objects):
            todo.append((name, label, reverse(name, kwargs=kwargs), roles))
    todo += [(name, "", url, [ADMINISTRATOR]) for name, url in admin_urls()]
    if args.only:
        todo = [row for row in todo if row[0] in args.only]
    results = []
    for name, label, url, roles in todo:
        document = url.endswith(DOCUMENTS)
        for role in roles:
            row = measure(clients[role], url, args.document_repeat if document else args.repeat)
            if row["status"] == 405:
                print(f"| {name} | {role} | POST only: not walked |", flush=True)
                break
            row.update(name=name, label=label, url=url, role=role, document=document)
            row["ok"] = row["p95"] < TARGET_MS and row["queries"] <= TARGET_QUERIES
            row["once"] = row["samples"] == 1 and row["p95"] > SLOW_MS
            results.append(row)
            verdict = "ok" if row["ok"] else "OVER"
            print(
                f"| {name}{f' ({label})' if label else ''} | {role} | {row['status']} | {row['median']:.1f} "
                f"| {row['p95']:.1f} | {row['queries']} | {row['sql_ms']:.1f} | {verdict} |",
                flush=True,
            )
            if row["once"]:
                break
    return results


def markdown(results: list[dict]) -> str:
    """A table per page: role, median, p95, queries, pass/fail; pages first, then documents."""
    lines = []
    for documents in (False, True):
        lines.append("\n## Documents made in the request\n" if documents else "\n## Pages\n")
        seen = []
        for row in results:
            key = (row["name"], row["label"])
            if row["document"] == documents and key not in seen:
                seen.append(key)
        for name, label in seen:
            rows = [r for r in results if (r["name"], r["label"]) == (name, label)]
            lines.append(f"### {name}{f' ({label})' if label else ''} — `{rows[0]['url']}`\n")
            if rows[0]["once"]:
                lines.append(f"Timed once, as {rows[0]['role']} only: over {SLOW_MS // 1000} s a request.\n")
            lines.append("| role | status | median ms | p95 ms | queries | SQL ms | target |")
            lines.append("|---|---:|---:|---:|---:|---:|---|")
            for r in rows:
                lines.append(
                    f"| {r['role']} | {r['status']} | {r['median']:.1f} | {r['p95']:.1f} | {r['queries']} "
                    f"| {r['sql_ms']:.1f} | {'pass' if r['ok'] else '**fail**'} |"
                )
            lines.append("")
    return "\n".join(lines)


def main():
    parser = options(
        __doc__,
        deliveries=500_000,
        reuse="walk the cooperative an earlier run loaded instead of loading it again",
    )
    parser.add_argument("--repeat", type=int, default=15, help="timed requests per page and role")
    parser.add_argument(
        "--document-repeat", type=int, default=3, help="timed requests per document made in the request"
    )
    parser.add_argument("--only", action="append", default=[], help="walk only these URL names (repeatable)")
    parser.add_argument("--load-only", action="store_true", help="load the cooperative and stop")
    parser.add_argument("--scratch", default="pages", help="scratch folder under bench/tmp/ (SQLite)")
    parser.add_argument("--json", help="also write every measurement to this file")
    parser.add_argument("--markdown", help="also write the tables to this file")
    args = parser.parse_args()
    database = setup_django(postgres=args.postgres, name=args.scratch, fresh=not args.reuse)
    steps = load_cooperative(members=args.members, deliveries=args.deliveries)
    print(f"\n{database}, {machine()}, load: {steps}", flush=True)
    if args.load_only:
        return
    from acopio.models import Delivery
    from coop.models import Member

    print(f"{Member.objects.count():,} members, {Delivery.objects.count():,} deliveries", flush=True)
    print("| page | role | status | median ms | p95 ms | queries | SQL ms | target |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    print(f"load average before the walk: {os.getloadavg()}", flush=True)
    started = time.perf_counter()
    results = walk(args)
    print(f"walk: {time.perf_counter() - started:.0f} s; load average after: {os.getloadavg()}", flush=True)
    over = [r for r in results if not r["ok"]]
    print(f"\n{len(results)} page × role measured, {len(over)} over target", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    if args.markdown:
        Path(args.markdown).write_text(markdown(results))


if __name__ == "__main__":
    main()
