"""fairtrade_terms: the published rows loaded by migration, their boundary dates and both organic rules."""

from datetime import date
from decimal import Decimal

import pytest

from sales.models import FairtradeTerms, TermsComponent
from sales.pricing import MissingFairtradeTerms, fairtrade_terms

pytestmark = pytest.mark.django_db
D = Decimal


def terms(day, organic=False, market="1800", origin="PE"):
    return fairtrade_terms(on=day, origin=origin, organic=organic, market_price=D(market))


def test_a_fresh_database_has_the_published_rows_one_per_component():
    rows = {(r.valid_from, r.kind): r.amount for r in FairtradeTerms.objects.all()}
    assert rows == {
        (date(2011, 1, 1), "minimum"): D("2000"),
        (date(2011, 1, 1), "organic_minimum"): D("2300"),
        (date(2011, 1, 1), "premium"): D("200"),
        (date(2019, 10, 1), "minimum"): D("2400"),
        (date(2019, 10, 1), "organic_differential"): D("300"),
        (date(2019, 10, 1), "premium"): D("240"),
        (date(2025, 10, 1), "minimum"): D("3500"),
        (date(2026, 6, 11), "organic_differential"): D("450"),
        (date(2026, 6, 11), "premium"): D("275"),
    }
    assert all(
        r.source and r.currency == "USD" and r.origin == "*" and r.entered_by is None
        for r in FairtradeTerms.objects.all()
    )
    # The 2025 minimum's date of effect and the 2026 differential's are not yet in the official table;
    # the 2026 premium's is announced.
    assert {(r.valid_from, r.kind) for r in FairtradeTerms.objects.filter(date_to_confirm=True)} == {
        (date(2025, 10, 1), "minimum"),
        (date(2026, 6, 11), "organic_differential"),
    }


@pytest.mark.parametrize(
    ("day", "organic", "market", "price", "premium"),
    [
        # Last day of the 2011 terms: minimum 2,000; organic minimum 2,300; premium 200.
        (date(2019, 9, 30), False, "1800", "2000", "200"),
        (date(2019, 9, 30), False, "2150", "2150", "200"),
        (date(2019, 9, 30), True, "1800", "2300", "200"),
        (date(2019, 9, 30), True, "2500", "2500", "200"),
        # First day of the 2019 terms: minimum 2,400; organic = max(market, minimum) + 300; premium 240.
        (date(2019, 10, 1), False, "1800", "2400", "240"),
        (date(2019, 10, 1), False, "2600", "2600", "240"),
        (date(2019, 10, 1), True, "1800", "2700", "240"),
        (date(2019, 10, 1), True, "2600", "2900", "240"),
        (date(2011, 1, 1), False, "1500", "2000", "200"),
        # The 2025 review: minimum 3,500 from 2025-10-01 (date to confirm); the rest as before.
        (date(2025, 9, 30), False, "3000", "3000", "240"),
        (date(2025, 10, 1), False, "3000", "3500", "240"),
        (date(2025, 10, 1), True, "3000", "3800", "240"),
        (date(2025, 10, 1), True, "8000", "8300", "240"),
        # 2026-06-11: premium 275 and organic differential 450.
        (date(2026, 6, 10), True, "3000", "3800", "240"),
        (date(2026, 6, 11), True, "3000", "3950", "275"),
        (date(2026, 6, 11), False, "6120", "6120", "275"),
        (date(2026, 6, 11), True, "6120", "6570", "275"),
    ],
)
def test_price_and_premium_on_the_boundary_dates(day, organic, market, price, premium):
    result = terms(day, organic=organic, market=market)
    assert (result.price, result.premium) == (D(price), D(premium))
    starts = [date(2026, 6, 11), date(2025, 10, 1), date(2019, 10, 1), date(2011, 1, 1)]
    assert result.valid_from == next(start for start in starts if day >= start)


def test_the_worked_case_of_the_domain():
    # Fairtrade + organic, 2020-05-14, 25 t at 2,150: max(2,150, 2,400) + 300 = 2,700/t;
    # value 67,500; premium 6,000.
    result = terms(date(2020, 5, 14), organic=True, market="2150")
    assert result.price == D("2700")
    assert result.price * 25 == D("67500") and result.premium * 25 == D("6000")


def test_no_row_for_the_date_is_an_error_that_says_which(db):
    with pytest.raises(MissingFairtradeTerms, match="origen PE vigentes al 31/12/2010"):
        terms(date(2010, 12, 31))


def row(kind, day, amount, origin="*", **more):
    return FairtradeTerms.objects.create(
        kind=kind, valid_from=day, origin=origin, amount=D(amount), source="Fairtrade International", **more
    )


def test_a_new_review_and_an_origin_row_take_over_from_their_dates():
    row(TermsComponent.PREMIUM, date(2027, 1, 1), "300")
    row(TermsComponent.PREMIUM, date(2027, 1, 1), "310", origin="CI")
    row(TermsComponent.MINIMUM, date(2027, 1, 1), "3600", origin="CI")
    assert terms(date(2026, 12, 31)).premium == D("275")
    new_year = date(2027, 1, 1)
    assert (terms(new_year).premium, terms(new_year, organic=True).price) == (D("300"), D("3950"))
    ivory_coast = terms(date(2027, 1, 1), origin="ci", organic=True)
    assert (ivory_coast.premium, ivory_coast.price) == (D("310"), D("4050"))  # 3,600 + the shared 450
    assert terms(date(2027, 1, 1), origin="GH").premium == D("300")  # Ghana has no row of its own yet


# --- Each component on its own date ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "organic", "market", "price", "premium"),
    [
        # The minimum changes on 2028-01-01, the premium on 2028-03-15, the differential on 2028-07-01.
        (date(2027, 12, 31), False, "3000", "3500", "275"),
        (date(2028, 1, 1), False, "3000", "3800", "275"),
        (date(2028, 3, 14), False, "3000", "3800", "275"),
        (date(2028, 3, 15), False, "3000", "3800", "320"),
        # Organic: market below the minimum (the minimum plus the differential) and above it.
        (date(2028, 6, 30), True, "3000", "4250", "320"),
        (date(2028, 6, 30), True, "4100", "4550", "320"),
        (date(2028, 7, 1), True, "3000", "4300", "320"),
        (date(2028, 7, 1), True, "4100", "4600", "320"),
        (date(2027, 12, 31), True, "3000", "3950", "275"),
    ],
)
def test_each_component_changes_on_its_own_date(day, organic, market, price, premium):
    row(TermsComponent.MINIMUM, date(2028, 1, 1), "3800")
    row(TermsComponent.PREMIUM, date(2028, 3, 15), "320")
    row(TermsComponent.ORGANIC_DIFFERENTIAL, date(2028, 7, 1), "500")
    result = terms(day, organic=organic, market=market)
    assert (result.price, result.premium) == (D(price), D(premium))
    assert {r.kind for r in result.rows} == (
        {"minimum", "organic_differential", "premium"} if organic else {"minimum", "premium"}
    )


def test_an_organic_minimum_applies_as_a_floor_of_its_own():
    # 2011 table: the organic price is the higher of market and the organic minimum (2,300), no differential.
    assert terms(date(2015, 6, 1), organic=True, market="2200").price == D("2300")
    assert terms(date(2015, 6, 1), organic=True, market="2450").price == D("2450")
    # A later organic minimum row replaces the differential from its date (the later form wins).
    row(TermsComponent.ORGANIC_MINIMUM, date(2028, 1, 1), "4200")
    assert terms(date(2028, 1, 1), organic=True, market="3000").price == D("4200")
    assert terms(date(2027, 12, 31), organic=True, market="3000").price == D("3950")


def test_rows_in_euros_do_not_price_dollar_contracts():
    row(TermsComponent.PREMIUM, date(2027, 1, 1), "250", currency="EUR")
    assert terms(date(2027, 1, 1)).premium == D("275")


def test_market_price_must_be_an_exact_decimal():
    with pytest.raises(TypeError):
        fairtrade_terms(on=date(2020, 1, 1), origin="PE", organic=False, market_price=2150.0)
