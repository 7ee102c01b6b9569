"""The premium fund at cooperative scale: figures for a season of 500,000 deliveries, a distribution
to every member who delivered Fairtrade cocoa.

    python bench/bench_premium.py                        # SQLite in bench/tmp/, 500,000 deliveries
    python bench/bench_premium.py --postgres             # database minka_bench
    python bench/bench_premium.py --deliveries 50000     # a quicker run

Steps: the 20,000-member demo register; one season of deliveries through the
demo loader (the import's checks, posted in bulk); a Fairtrade contract for
most of the season's Fairtrade cocoa, invoiced and paid, its premium sold for
soles and authorized for a cash line; then the timed parts: the mass balance,
the fund's figures and the fund page, and a distribution of the whole line to
every member (registered with its payroll, then the two signatures, the second
posting one entry with a line per member).
"""

import time
from datetime import date
from decimal import Decimal

from _setup import arguments, build_premium_season, machine, setup_django, summary


def timed(fn, repeat: int = 7) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main():
    args = arguments(__doc__, deliveries=500_000)
    database = setup_django(postgres=args.postgres, name="premium")
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from fund.models import PremiumCategory
    from fund.selectors import fund_position, fund_report
    from fund.services import (
        approve_spending,
        authorize_budget_lines,
        draft_budget_line,
        register_distribution,
    )
    from sales.selectors import mass_balance

    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"\n{database}, {machine()}\n| step | result |\n|---|---|", flush=True)
    built = build_premium_season(members=args.members, deliveries=args.deliveries)
    season, admin, board, treasurer = built["season"], built["admin"], built["board"], built["treasurer"]
    sale, tonnes = built["sale"], built["tonnes"]
    line = draft_budget_line(
        season=season,
        purpose="Reparto en efectivo",
        user=admin,
        category=PremiumCategory.CASH_TO_MEMBERS,
        amount=Decimal(fund_position().unallocated_minor // 100),
        objective="Complementar el ingreso de las familias socias",
        starts_on=date(2025, 10, 1),
        ends_on=date(2025, 12, 31),
        responsible="Tesorera del consejo de administración",
        beneficiaries=1,
        women=0,
        youth=0,
    )
    authorize_budget_lines(
        lines=[line], decision="Asamblea de prueba, acuerdo 1", user=admin, decided_on=date(2025, 10, 5)
    )
    print(
        f"| contract: {tonnes} t Fairtrade, premium US$ {sale.premium_cents / 100:,.2f}; line "
        f"S/ {line.amount_minor / 100:,.2f} | — |",
        flush=True,
    )

    print(
        f"| mass balance of the season (2 products) | {summary(timed(lambda: mass_balance(season)))} |",
        flush=True,
    )
    print(f"| premium fund figures (`fund_report`) | {summary(timed(fund_report))} |", flush=True)
    client = Client()
    client.force_login(admin)
    url = reverse("fund:fund_overview")

    def page():
        response = client.get(url)
        assert response.status_code == 200

    print(f"| premium fund page, GET | {summary(timed(page))} |", flush=True)

    started = time.perf_counter()
    spending = register_distribution(
        line=line,
        season=season,
        amount=Decimal(line.amount_minor) / 100,
        document="PLR-B-1",
        document_date=date(2025, 11, 1),
        description="Reparto",
        user=admin,
    )
    registered = time.perf_counter() - started
    shares = spending.shares.count()
    approve_spending(spending=spending, capacity="board", user=board, on=date(2025, 11, 2))
    started = time.perf_counter()
    approve_spending(spending=spending, capacity="treasurer", user=treasurer, on=date(2025, 11, 2))
    posted = time.perf_counter() - started
    spending.refresh_from_db()
    lines = spending.entry.lines.count()
    total = sum(spending.shares.values_list("amount_minor", flat=True))
    assert total == spending.amount_minor, (total, spending.amount_minor)
    print(f"| distribution to {shares:,} members: split and payroll saved | {registered:.1f} s |", flush=True)
    print(
        f"| second signature: one entry of {lines:,} lines posted to the members' accounts | "
        f"{posted:.1f} s |",
        flush=True,
    )
    print(
        f"| distribution, total | **{registered + posted:.1f} s** (parts add up to the céntimo) |", flush=True
    )
    detail = reverse("fund:spending_detail", args=[spending.pk])
    print(
        f"| the distribution's page (payroll, first page) | {summary(timed(lambda: client.get(detail)))} |",
        flush=True,
    )


if __name__ == "__main__":
    main()
