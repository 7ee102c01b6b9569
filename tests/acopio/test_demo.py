"""The demonstration cooperative buys cocoa over three seasons, sells it, spends its premium, and its books
balance."""

import pytest
from django.db.models import Sum

from acopio.models import Delivery
from config.demo import generate_seasons
from coop.demo import generate_demo
from coop.models import Season
from fund.models import DistributionShare
from ledger import chart
from ledger.member_accounts import owed_to_member
from ledger.models import MemberMovement
from ledger.selectors import account_balance, balances_by_currency
from ledger.verification import verify_ledger

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(make_user):
    make_user("consejo_administracion", username="consejo")  # the demo's spending is signed by these two
    make_user("tesorero", username="tesorero")
    generate_demo(members=60, seed=4)
    return generate_seasons(seed=4)


def test_three_seasons_of_deliveries_voids_and_payments(demo):
    assert sorted(Season.objects.values_list("code", flat=True)) == ["2019", "2025", "2026"]
    assert {d.year for d in Delivery.objects.values_list("date", flat=True)} == {2019, 2025, 2026}
    voided = Delivery.objects.filter(status="void")
    assert voided.exists() and all(d.void_reason for d in voided)
    assert Delivery.objects.filter(replaces__isnull=False).exists()
    assert {"payment", "advance"} <= set(MemberMovement.objects.values_list("kind", flat=True))
    assert verify_ledger().ok and balances_by_currency() == {"PEN": 0, "USD": 0}


def test_what_the_coop_owes_equals_deliveries_minus_movements(demo):
    for member in {d.member for d in Delivery.objects.select_related("member")[:40]}:
        delivered = Delivery.objects.valid().filter(member=member).aggregate(t=Sum("amount_minor"))["t"] or 0
        moved = MemberMovement.objects.filter(member=member).aggregate(t=Sum("amount_minor"))["t"] or 0
        premium = (
            DistributionShare.objects.filter(member=member, spending__status="paid").aggregate(
                t=Sum("amount_minor")
            )["t"]
            or 0
        )
        assert owed_to_member(member) == delivered - moved + premium
        assert -account_balance(chart.member_account(member)) == delivered - moved + premium


def test_loading_twice_adds_nothing(demo):
    before = Delivery.objects.count()
    again = generate_seasons(seed=4)
    assert not again.created and Delivery.objects.count() == before


def test_the_demo_sells_certified_cocoa_within_the_mass_balance(demo):
    from sales.models import SalesContract
    from sales.selectors import mass_balance

    contracts = SalesContract.objects.all()
    assert contracts.filter(terms="ft_org").exists() and contracts.filter(terms="ft").exists()
    assert all(c.lots.exists() for c in contracts)
    assert sum(c.premium_cents for c in contracts) > 0
    for season in Season.objects.all():
        assert all(line.available_kg >= 0 for line in mass_balance(season))


def test_the_demo_invoices_and_collects_and_the_fund_holds_the_premium(demo):
    from ledger import chart
    from ledger.selectors import account_balance
    from sales.models import ContractPayment, SalesContract

    paid = ContractPayment.objects.all()
    assert paid.exists() and SalesContract.objects.filter(invoice_number__isnull=False).exists()
    from fund.models import PremiumConversion

    sold = sum(c.usd_cents for c in PremiumConversion.objects.all())
    assert sold > 0
    received = sum(p.premium_cents for p in paid)
    assert -account_balance(chart.account(chart.PREMIUM_FUND_USD)) == received - sold


def test_the_demo_sells_on_both_sets_of_fairtrade_terms_and_spends_premium_as_decided(demo):
    from datetime import date
    from decimal import ROUND_HALF_UP, Decimal

    from fund.models import BudgetLine, Spending
    from fund.selectors import fund_report
    from sales.models import SalesContract

    terms_used = {
        c.current_terms_from for c in SalesContract.objects.filter(minimum_terms__isnull=False)
    }  # the latest date of effect among each contract's rows
    assert terms_used == {date(2011, 1, 1), date(2019, 10, 1), date(2025, 10, 1), date(2026, 6, 11)}
    # The 2026 contracts are priced on the 2026 terms: US$ 275 of premium per tonne, organic + 450.
    for contract in SalesContract.objects.filter(signed_on__gte=date(2026, 6, 11)):
        expected = (Decimal(contract.quantity_kg) * 275 / 10).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        assert contract.premium_cents == expected, contract.number
        if contract.terms == "ft_org":
            assert contract.price_per_tonne == max(contract.contract_price, 3500) + 450
    assert BudgetLine.objects.filter(authorization__isnull=False).count() >= 7
    statuses = set(Spending.objects.values_list("status", flat=True))
    assert statuses == {"paid", "pending", "rejected"}
    for distribution in Spending.objects.filter(kind="distribution"):
        assert sum(s.amount_minor for s in distribution.shares.all()) == distribution.amount_minor
        assert distribution.status == "paid"
    report = fund_report()
    assert report.position.pen_minor == -account_balance(chart.account(chart.PREMIUM_FUND_PEN)) > 0
    assert report.position.unallocated_minor >= 0


@pytest.mark.parametrize("season", ["2025", "2026"])
def test_the_demo_has_eu_lots_whose_geolocation_file_is_valid(demo, season, tmp_path):
    """The European buyer's lots are marked for the EU, so a certifier can try the EUDR export on the demo."""
    import json
    from io import StringIO

    from django.core.management import call_command

    from acopio.models import Lot

    eu_lots = Lot.objects.filter(season__code=season, for_eu=True)
    assert eu_lots.exists() and all(lot.contracts.exists() for lot in eu_lots)
    target = tmp_path / f"eudr-{season}.geojson"
    call_command("export_eudr", "--season", season, "-o", str(target), stdout=StringIO())
    collection = json.loads(target.read_text(encoding="utf-8"))
    plots_behind = {
        d.plot.code for lot in eu_lots for d in lot.deliveries.filter(status="valid").select_related("plot")
    }
    assert collection["type"] == "FeatureCollection"
    assert {f["properties"]["PlotCode"] for f in collection["features"]} == plots_behind
