# ruff: noqa  -- a scratch-database helper of long SQL statements, run by hand
"""Scale the demonstration database up for bench_inclusion when the full load cannot finish: in SQL,
360 members copied 56 times (20,160), their plots, the 2026 season's 2,535 deliveries copied 197
times over the member copies (about 500,000) and the 2026 assembly's roll, attendance events and
presences for each copy. Read-only figures only: nothing is posted to the ledger for the copies.
SQLite or PostgreSQL (whichever the settings point at); the copied rows of chained tables carry no
chain link (verify_ledger would name them: a scratch database only).

    MINKA_VAR_DIR=/tmp/big python manage.py shell < bench/inclusion_amplify.py   # a copy of a demo database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minka_inclusion_bench python manage.py shell < bench/inclusion_amplify.py
"""

import time

from django.db import connection, transaction

from assemblies.models import Assembly
from coop.models import Season

t = time.perf_counter()
PG = connection.vendor == "postgresql"
CHAIN = ("chain_number", "chain_hash")


def cols(table, skip=()):
    with connection.cursor() as c:
        if PG:
            c.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s", [table])
            names = [r[0] for r in c.fetchall()]
        else:
            c.execute(f"PRAGMA table_info({table})")
            names = [r[1] for r in c.fetchall()]
    return [x for x in names if x not in skip and x not in CHAIN]


def chained(table):
    """Extra column list and values for the chain columns a table has (empty link)."""
    with connection.cursor() as c:
        if PG:
            c.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s", [table])
            names = {r[0] for r in c.fetchall()}
        else:
            c.execute(f"PRAGMA table_info({table})")
            names = {r[1] for r in c.fetchall()}
    if "chain_hash" not in names:
        return "", ""
    return ", chain_number, chain_hash", ", NULL, ''"


def pad8(expr):
    return f"lpad(CAST({expr} AS TEXT), 8, '0')" if PG else f"printf('%08d', {expr})"


def pad6(expr):
    return f"lpad(CAST({expr} AS TEXT), 6, '0')" if PG else f"printf('%06d', {expr})"


K = 56  # member copies: 360 × 56 = 20,160
SEASON = Season.objects.get(code="2026").pk
ASSEMBLY = Assembly.objects.filter(opened_at__isnull=False).order_by("-first_call_at").first().pk
with transaction.atomic(), connection.cursor() as c:
    c.execute("CREATE TEMP TABLE n(k INTEGER PRIMARY KEY)")
    if PG:
        c.execute("INSERT INTO n SELECT generate_series(1, 300)")
    else:
        c.execute(
            "WITH RECURSIVE s(k) AS (SELECT 1 UNION ALL SELECT k+1 FROM s WHERE k < 300) INSERT INTO n SELECT k FROM s"
        )
    mc = cols("coop_member", ("id", "code", "dni", "search_text"))
    c.execute(
        f"INSERT INTO coop_member (id, code, dni, search_text, {', '.join(mc)}) SELECT m.id + n.k*100000, m.code || '-' || n.k, {pad8('50000000 + n.k*1000 + m.id')}, m.search_text || ' ' || n.k, {', '.join('m.' + x for x in mc)} FROM coop_member m, n WHERE n.k < {K} AND m.id < 100000"
    )
    pc = cols("coop_plot", ("id", "code", "member_id"))
    c.execute(
        f"INSERT INTO coop_plot (code, member_id, {', '.join(pc)}) SELECT p.code || '-' || n.k, p.member_id + n.k*100000, {', '.join('p.' + x for x in pc)} FROM coop_plot p, n WHERE n.k < {K} AND p.member_id < 100000"
    )
    dc = cols(
        "coop_delivery",
        (
            "id",
            "receipt_number",
            "verification_key",
            "member_id",
            "plot_id",
            "external_ref",
            "submission_token",
            "replaces_id",
            "lot_id",
        ),
    )
    # 2,535 deliveries of the 2026 season × 197 copies ≈ 500,000, spread over the member copies.
    c.execute(
        f"INSERT INTO coop_delivery (receipt_number, verification_key, member_id, plot_id, {', '.join(dc)}) SELECT d.receipt_number + n.k*10000, substr(d.verification_key, 1, 24) || {pad6('n.k')}, d.member_id + (n.k % {K})*100000, NULL, {', '.join('d.' + x for x in dc)} FROM coop_delivery d, n WHERE n.k < 197 AND d.season_id = {SEASON} AND d.member_id < 100000"
    )
    # The 2026 assembly's roll, events and presences for each member copy.
    rc = cols("assemblies_rollentry", ("id", "member_id", "position", "code", "dni"))
    extra, values = chained("assemblies_rollentry")
    c.execute(
        f"INSERT INTO assemblies_rollentry (id, member_id, position, code, dni, {', '.join(rc)}{extra}) SELECT r.id + n.k*100000, r.member_id + n.k*100000, r.position + n.k*1000, r.code || '-' || n.k, {pad8('50000000 + n.k*1000 + r.member_id')}, {', '.join('r.' + x for x in rc)}{values} FROM assemblies_rollentry r, n WHERE n.k < {K} AND r.assembly_id = {ASSEMBLY} AND r.id < 100000"
    )
    ec = cols("assemblies_attendanceevent", ("id", "entry_id", "holder_id", "undoes_id"))
    extra, values = chained("assemblies_attendanceevent")
    c.execute(
        f"INSERT INTO assemblies_attendanceevent (id, entry_id, holder_id, undoes_id, {', '.join(ec)}{extra}) SELECT e.id + n.k*100000, e.entry_id + n.k*100000, e.holder_id + n.k*100000, e.undoes_id + n.k*100000, {', '.join('e.' + x for x in ec)}{values} FROM assemblies_attendanceevent e, n WHERE n.k < {K} AND e.assembly_id = {ASSEMBLY} AND e.id < 100000"
    )
    sc = cols("assemblies_presence", ("id", "entry_id", "holder_id", "event_id"))
    c.execute(
        f"INSERT INTO assemblies_presence (entry_id, holder_id, event_id, {', '.join(sc)}) SELECT p.entry_id + n.k*100000, p.holder_id + n.k*100000, p.event_id + n.k*100000, {', '.join('p.' + x for x in sc)} FROM assemblies_presence p, n WHERE n.k < {K} AND p.assembly_id = {ASSEMBLY} AND p.entry_id < 100000"
    )
    # One copy in ten of the in-person presences becomes virtual, so the attendance split has rows.
    c.execute(
        f"UPDATE assemblies_presence SET kind = 'virtual' WHERE kind = 'present' AND entry_id > 100000 AND entry_id % 10 = 3"
    )
    if PG:
        for table in ("coop_member", "coop_plot", "coop_delivery", "assemblies_presence"):
            c.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
for table in ("coop_member", "coop_plot", "coop_delivery", "assemblies_rollentry", "assemblies_presence"):
    with connection.cursor() as c:
        c.execute(f"SELECT count(*) FROM {table}")
        print(table, c.fetchone()[0])
with connection.cursor() as c:
    c.execute("ANALYZE")
    c.execute(f"SELECT count(*) FROM coop_delivery WHERE season_id = {SEASON}")
    print("deliveries 2026", c.fetchone()[0])
print(f"{time.perf_counter() - t:.1f} s")
