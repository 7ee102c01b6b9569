"""fairtrade_terms: the published rows loaded by migration, their boundary dates and both organic rules."""

from datetime import date
from decimal import Decimal

import pytest

from sales.models import FairtradeTerms, OrganicRule
from sales.pricing import MissingFairtradeTerms, fairtrade_terms

pytestmark = pytest.mark.django_db
D = Decimal


def terms(day, organic=False, market="1800", origin="PE"):
    return fairtrade_terms(on=day, origin=origin, organic=organic, market_price=D(market))


def test_a_fresh_database_has_the_published_rows():
    rows = {(r.valid_from, r.origin): r for r in FairtradeTerms.objects.all()}
    assert set(rows) == {
        (date(2011, 1, 1), "*"),
        (date(2019, 10, 1), "*"),
        (date(2025, 10, 1), "*"),
        (date(2026, 6, 11), "*"),
    }
    assert all(r.source and r.currency == "USD" and r.entered_by is None for r in rows.values())
    # The 2025 minimum's date of effect and the 2026 differential's are not yet in the official table.
    assert {day for (day, _), r in rows.items() if r.date_to_confirm} == {
        date(2025, 10, 1),
        date(2026, 6, 11),
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
    assert result.row.valid_from == next(start for start in starts if day >= start)


def test_the_worked_case_of_the_domain():
    # Fairtrade + organic, 2020-05-14, 25 t at 2,150: max(2,150, 2,400) + 300 = 2,700/t;
    # value 67,500; premium 6,000.
    result = terms(date(2020, 5, 14), organic=True, market="2150")
    assert result.price == D("2700")
    assert result.price * 25 == D("67500") and result.premium * 25 == D("6000")


def test_no_row_for_the_date_is_an_error_that_says_which(db):
    with pytest.raises(MissingFairtradeTerms, match="origen PE vigentes al 31/12/2010"):
        terms(date(2010, 12, 31))


def test_a_new_review_and_an_origin_row_take_over_from_their_dates():
    FairtradeTerms.objects.create(
        valid_from=date(2027, 1, 1),
        origin="*",
        minimum_price=D("3500"),
        organic_rule=OrganicRule.DIFFERENTIAL,
        organic_differential=D("450"),
        premium=D("300"),
        source="Fairtrade International 2026 review",
    )
    FairtradeTerms.objects.create(
        valid_from=date(2027, 1, 1),
        origin="CI",
        minimum_price=D("3600"),
        organic_rule=OrganicRule.DIFFERENTIAL,
        organic_differential=D("450"),
        premium=D("310"),
        source="Fairtrade International 2026, Côte d'Ivoire",
    )
    assert terms(date(2026, 12, 31)).premium == D("275")
    new_year = date(2027, 1, 1)
    assert (terms(new_year).premium, terms(new_year, organic=True).price) == (D("300"), D("3950"))
    assert terms(date(2027, 1, 1), origin="ci").premium == D("310")


def test_market_price_must_be_an_exact_decimal():
    with pytest.raises(TypeError):
        fairtrade_terms(on=date(2020, 1, 1), origin="PE", organic=False, market_price=2150.0)
