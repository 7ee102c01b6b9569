"""Keeping the Fairtrade terms current: a back-dated row lists the contracts it would reprice, and a
table nobody has checked for six months is a warning on every sales page."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from sales.models import FairtradeTerms, FairtradeTermsCheck, SalesContract, TermsComponent
from sales.selectors import contracts_to_review, contracts_to_review_count, terms_check_status
from tests.ledger.factories import contract, make_coop_2020
from toolkit.roles import ADMINISTRATOR, BOARD

WARNING = "Revise las condiciones de Comercio Justo."


@pytest.fixture
def coop_2020(db, make_user):
    return make_coop_2020(make_user)


def back_dated_row(kind=TermsComponent.PREMIUM, amount="260", day=date(2020, 1, 1), **overrides):
    """A row a later review published with an earlier date of effect: 2020-01-01, premium 260."""
    return FairtradeTerms.objects.create(
        kind=kind,
        valid_from=day,
        origin="*",
        amount=D(amount),
        source="Fairtrade International, corrección",
        **overrides,
    )


def test_a_back_dated_row_lists_the_contract_it_would_reprice_with_both_figures(coop_2020, client):
    sale = contract(coop_2020)  # 2020-05-14, 25 t Fairtrade + organic at 2,150: 2,700/t, premium 6,000
    assert contracts_to_review() == []
    back_dated_row()
    back_dated_row(TermsComponent.MINIMUM, "2500")
    [review] = contracts_to_review()
    assert review.contract == sale and contracts_to_review_count() == 1
    assert (review.would.price, review.would.premium) == (D("2800"), D("260"))
    assert (review.would_value_cents, review.would_premium_cents) == (7_000_000, 650_000)
    sale.refresh_from_db()
    assert (sale.price_per_tonne, sale.premium_cents) == (D("2700"), 600_000)  # never edited
    client.force_login(coop_2020["admin"])
    html = client.get(reverse("sales:terms")).content.decode()
    assert "CV-2020-001" in html and "US$ 6,000.00" in html and "US$ 6,500.00" in html


def test_the_published_rows_say_which_dates_are_to_confirm(db, client, make_user):
    client.force_login(make_user(BOARD))
    html = client.get(reverse("sales:terms")).content.decode()
    assert "01/10/2025" in html and "11/06/2026" in html
    assert html.count("fecha por confirmar") >= 2


@pytest.mark.parametrize(
    ("kind", "amount", "day", "listed"),
    [
        # Only the premium changes, back-dated: the premium alone puts the contract «a revisar».
        (TermsComponent.PREMIUM, "260", date(2020, 5, 14), True),
        (TermsComponent.PREMIUM, "260", date(2020, 5, 15), False),  # after the contract: nothing
        # A new organic differential reprices an organic sale, and not a conventional Fairtrade one.
        (TermsComponent.ORGANIC_DIFFERENTIAL, "350", date(2020, 2, 1), True),
        (TermsComponent.MINIMUM, "2400", date(2020, 2, 1), True),  # same figure, newer row: to review too
    ],
)
def test_a_back_dated_component_lists_the_contracts_priced_before_it(coop_2020, kind, amount, day, listed):
    organic = contract(coop_2020)  # Fairtrade + organic, 2020-05-14
    plain = contract(coop_2020, number="CV-2020-002", terms="ft", tonnes="5")
    back_dated_row(kind, amount, day)
    expected = [organic] if listed else []
    if listed and kind != TermsComponent.ORGANIC_DIFFERENTIAL:
        expected.append(plain)
    assert sorted(r.contract.number for r in contracts_to_review()) == sorted(c.number for c in expected)
    assert contracts_to_review_count() == len(expected)


def test_the_admin_names_the_contracts_a_back_dated_row_puts_under_review(coop_2020, client):
    sale = contract(coop_2020)
    client.force_login(coop_2020["admin"])
    response = client.post(
        reverse("admin:sales_fairtradeterms_add"),
        {
            "kind": "premium",
            "origin": "*",
            "currency": "USD",
            "valid_from": "2020-01-01",
            "amount": "260",
            "source": "Fairtrade International, corrección",
            "source_date": "2020-06-01",
            "source_url": "https://www.fairtrade.net/",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "quedan «a revisar»" in html or "queda «a revisar»" in html
    assert reverse("sales:contract_detail", args=[sale.pk]) in html and "CV-2020-001" in html
    assert SalesContract.objects.get().premium_cents == 600_000  # never edited


def test_a_table_never_checked_or_checked_long_ago_warns_on_the_sales_pages(db, client, make_user):
    admin = make_user(ADMINISTRATOR)
    client.force_login(admin)
    pages = [reverse(name) for name in ("sales:contract_list", "sales:lot_list", "sales:mass_balance")]
    assert terms_check_status().due and terms_check_status().last is None
    for url in pages:
        assert WARNING in client.get(url).content.decode(), url
    response = client.post(reverse("sales:terms_checked"), {"note": "Tabla de febrero"}, follow=True)
    assert "coincide con la publicada por Fairtrade" in response.content.decode()
    check = FairtradeTermsCheck.objects.get()
    assert (check.checked_by, check.checked_on) == (admin, timezone.localdate())
    assert check.note == "Tabla de febrero"
    for url in pages:
        assert WARNING not in client.get(url).content.decode(), url
    today = timezone.localdate()
    assert not terms_check_status(today + timedelta(days=183)).due
    assert terms_check_status(today + timedelta(days=184)).due


def test_only_the_administrator_confirms_the_table(db, client, make_user):
    client.force_login(make_user(BOARD))
    assert client.post(reverse("sales:terms_checked")).status_code == 403
    assert not FairtradeTermsCheck.objects.exists()


@pytest.mark.parametrize(
    "change, says",
    [
        ({"amount": "0"}, "El monto por tonelada debe ser mayor que cero."),
        ({"amount": "-5"}, "El monto por tonelada debe ser mayor que cero."),
        ({"currency": "PEN"}, "Escoja una opción válida"),
        ({"valid_from": "2019-10-01"}, "Ya hay una fila de Prima de Comercio Justo para el origen *"),
        # Both organic forms are one component: a differential and an organic minimum on one day overlap.
        (
            {"kind": "organic_minimum", "valid_from": "2019-10-01"},
            "Ya hay una fila de Diferencial orgánico para el origen *",
        ),
        ({"amount": "2,750"}, "¿2750 o 2.75?"),
    ],
)
def test_a_bad_terms_row_in_the_admin_is_refused_in_spanish_and_nothing_is_written(
    db, client, make_user, change, says
):
    admin = make_user(ADMINISTRATOR)
    client.force_login(admin)
    row = {
        "kind": "premium",
        "valid_from": "2027-01-01",
        "origin": "*",
        "amount": "300",
        "currency": "USD",
        "source": "Fairtrade International, revisión 2027",
        "source_date": "2026-11-20",
        "source_url": "",
    }
    before = FairtradeTerms.objects.count()
    response = client.post(reverse("admin:sales_fairtradeterms_add"), {**row, **change})
    assert response.status_code == 200 and says in response.content.decode()
    assert FairtradeTerms.objects.count() == before
    client.post(reverse("admin:sales_fairtradeterms_add"), row)
    added = FairtradeTerms.objects.get(valid_from=date(2027, 1, 1))
    assert added.entered_by == admin and not added.date_to_confirm and added.kind == "premium"
    assert added.source_date == date(2026, 11, 20)


def test_a_row_in_euros_is_accepted_beside_the_dollar_row_of_the_same_day(db, client, make_user):
    client.force_login(make_user(ADMINISTRATOR))
    row = {"kind": "premium", "origin": "*", "valid_from": "2019-10-01", "amount": "200", "source": "FI"}
    client.post(reverse("admin:sales_fairtradeterms_add"), {**row, "currency": "EUR"})
    assert FairtradeTerms.objects.filter(valid_from=date(2019, 10, 1), currency="EUR").count() == 1
