"""The season report's figures: two passes over the deliveries, the same numbers as reading each one apart."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Count, Sum

from acopio.models import Delivery
from acopio.services import void_delivery
from certification.reports import season_report
from sales.services import mass_balance
from tests.acopio.factories import record
from tests.ledger.factories import contract, make_coop_2020

pytestmark = pytest.mark.django_db


@pytest.fixture
def season_2020(make_user):
    """Make_coop_2020's 40 t, plus deliveries at a second centre, a conventional one, a void and one
    over the possible yield; and a 25 t Fairtrade + organic sale."""
    coop = make_coop_2020(make_user)
    admin = coop["admin"]
    on = date(2020, 5, 2)
    record(
        coop, admin, member=coop["rosa"], plot=coop["plots"]["rosa_ft"], centre=coop["other_centre"], date=on
    )
    record(coop, admin, member=coop["segundo"], plot=coop["plots"]["segundo"], date=on, gross_kg="300")
    record(coop, admin, member=coop["segundo"], plot=coop["plots"]["segundo"], date=on, gross_kg="400")
    wrong = record(coop, admin, member=coop["rosa"], plot=coop["plots"]["rosa_conv"], date=on, gross_kg="80")
    void_delivery(delivery=wrong, reason="Peso mal digitado", user=admin)
    record(coop, admin, date=date(2026, 3, 10))  # another season: never in the 2020 report
    contract(coop)
    return coop


def test_the_season_report_adds_up_by_centre_and_certification_without_voids_or_other_seasons(season_2020):
    report = season_report(season_2020["season"])
    assert [(r["centre__code"], r["count"], r["dry_g"]) for r in report.by_centre] == [
        ("C01", 10, 40_000_000 + 299_000 + 399_000),
        ("C02", 1, 99_000),
    ]
    assert {r["certification"]: r["count"] for r in report.by_certification} == {
        "conv": 2,
        "ft": 3,
        "ft_org": 6,
    }
    assert report.totals["count"] == 11 and report.voided_deliveries == 1
    # Rosa's hectare of Fairtrade plot gives 900 kg, not her 10 t; Segundo's 0.5 ha give 450 kg, not 698.
    assert (report.members_delivering, report.flagged_deliveries, report.flagged_members) == (3, 4, 2)
    fairtrade, organic = report.balance
    assert (fairtrade.bought_kg, fairtrade.sold_kg) == (Decimal("40099"), Decimal("25000"))
    assert (organic.bought_kg, organic.available_kg) == (Decimal("30000"), Decimal("5000"))


def test_the_season_reports_figures_are_what_each_query_apart_reads(season_2020):
    """What the report read with nine passes over the deliveries before it read them in two."""
    season = season_2020["season"]
    report = season_report(season)
    valid = Delivery.objects.valid().filter(season=season)
    sums = {"count": Count("id"), "dry_g": Sum("dry_g"), "net_g": Sum("net_g"), "amount": Sum("amount_minor")}
    by_centre = list(
        valid.values("centre__code", "centre__name").annotate(**sums).order_by("centre__code", "centre__name")
    )
    assert report.by_centre == by_centre
    by_certification = list(valid.values("certification").annotate(**sums).order_by("certification"))
    assert [{k: r[k] for k in by_certification[0]} for r in report.by_certification] == by_certification
    ft = next(r for r in report.by_certification if r["certification"] == "ft")
    assert ft["price_per_kg"] == (Decimal(ft["amount"]) / Decimal(ft["dry_g"]) * 10).quantize(Decimal("0.01"))
    totals = valid.aggregate(**sums)
    assert report.totals == {"count": totals["count"], "dry_g": totals["dry_g"], "amount": totals["amount"]}
    assert report.members_delivering == valid.values("member").distinct().count()
    assert report.flagged_deliveries == valid.filter(yield_flag=True).count()
    assert report.flagged_members == valid.filter(yield_flag=True).values("member").distinct().count()
    assert report.voided_deliveries == Delivery.objects.filter(season=season).exclude(status="valid").count()
    assert report.balance == mass_balance(season)


def test_the_season_report_reads_the_deliveries_twice(season_2020):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as read:
        season_report(season_2020["season"])
    passes = [q["sql"] for q in read.captured_queries if 'FROM "coop_delivery"' in q["sql"]]
    assert len(passes) == 2, passes
