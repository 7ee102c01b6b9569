"""Price to be fixed (PTBF): a contract signed without a price shows «precio por fijar» and cannot be
invoiced; its price is fixed once against ICE, on a page that shows the amounts before confirming, and
the Fairtrade floor and premium of the terms in force on the contract's date apply then. The fixing is
its own append-only row: the contract row is never edited."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ledger import chart
from ledger.selectors import account_balance
from ledger.verification import verify_ledger
from sales.models import ContractFixing, FairtradeTerms, SalesContract, TermsComponent
from sales.selectors import contracts_to_review, contracts_to_review_count
from sales.services import amend_contract, fix_contract_price, invoice_contract
from tests.ledger.factories import contract, make_coop_2020
from toolkit.roles import BOARD, CERTIFIER

ICE = "ICE NY cacao, septiembre 2020 (CCU20)"


@pytest.fixture
def coop_2020(db, make_user):
    return make_coop_2020(make_user)


def ptbf(coop, **overrides):
    return contract(coop, **{"contract_price": None, "price_to_be_fixed": True, **overrides})


def fix(sale, coop, market="2150", on=date(2020, 9, 1), reference=ICE):
    return fix_contract_price(
        contract=sale, market_price=D(market), ice_reference=reference, on=on, user=coop["admin"]
    )


def test_a_ptbf_contract_is_not_invoiced_until_fixed_then_priced_on_the_terms_of_its_date(coop_2020):
    admin = coop_2020["admin"]
    sale = ptbf(coop_2020)  # Fairtrade + organic, 25 t, 2020-05-14
    assert sale.price_pending and sale.current_value_cents is None and sale.premium_cents == 0
    with pytest.raises(ValidationError) as refused:
        invoice_contract(contract=sale, invoice_number="F001-1", on=date(2020, 6, 1), user=admin)
    assert "tiene el precio por fijar: fije el precio antes de facturar" in " ".join(
        refused.value.message_dict["invoice_number"]
    )
    # A premium row from after the contract's date does not apply at fixing: Fairtrade prices on the
    # terms in force on the contract's date.
    FairtradeTerms.objects.create(
        kind=TermsComponent.PREMIUM, valid_from=date(2020, 8, 1), amount=D("260"), source="Fairtrade"
    )

    fixing = fix(sale, coop_2020)

    # max(2,150, 2,400) + 300 = 2,700 US$/t; 25 t → 67,500.00; premium 25 × 240 = 6,000.00.
    assert (fixing.price_per_tonne, fixing.value_cents, fixing.premium_cents) == (
        D("2700"),
        6_750_000,
        600_000,
    )
    assert (fixing.fixed_on, fixing.ice_reference, fixing.entered_by) == (date(2020, 9, 1), ICE, admin)
    assert {r.valid_from for r in [fixing.minimum_terms, fixing.organic_terms, fixing.premium_terms]} == {
        date(2019, 10, 1)
    }
    row = SalesContract.objects.get(pk=sale.pk)
    assert (row.contract_price, row.price_per_tonne, row.value_cents) == (None, None, None)  # never edited
    assert not row.price_pending and row.current_market_price == D("2150")
    assert (row.current_price_per_tonne, row.current_total_cents) == (D("2700"), 7_350_000)
    invoice_contract(contract=row, invoice_number="F001-1", on=date(2020, 9, 2), user=admin)
    assert account_balance(chart.account(chart.BUYERS_RECEIVABLE_USD)) == 7_350_000
    assert account_balance(chart.account(chart.PREMIUM_ACCRUED_USD)) == -600_000
    assert verify_ledger().ok


def test_a_market_price_above_the_minimum_is_kept(coop_2020):
    sale = ptbf(coop_2020, terms="ft", tonnes="10")
    fixing = fix(sale, coop_2020, market="2950.50")
    assert (fixing.price_per_tonne, fixing.value_cents, fixing.premium_cents) == (
        D("2950.50"),
        2_950_500,
        240_000,
    )


def test_a_conventional_ptbf_contract_takes_the_market_price_and_no_premium(coop_2020):
    sale = ptbf(coop_2020, terms="conv", tonnes="10")
    fixing = fix(sale, coop_2020, market="1800")
    assert (fixing.price_per_tonne, fixing.premium_cents, fixing.minimum_terms) == (D("1800"), 0, None)


@pytest.mark.parametrize(
    ("arguments", "field", "says"),
    [
        ({"market": "0"}, "market_price", "El precio fijado debe ser mayor que cero"),
        ({"reference": "  "}, "ice_reference", "Indique la referencia ICE"),
        ({"on": date(2020, 5, 13)}, "on", "La fijación no puede ser anterior al contrato"),
    ],
)
def test_a_bad_fixing_is_refused_naming_the_field_and_nothing_is_written(coop_2020, arguments, field, says):
    sale = ptbf(coop_2020)
    with pytest.raises(ValidationError) as refused:
        fix(sale, coop_2020, **arguments)
    assert says in " ".join(refused.value.message_dict[field])
    assert not ContractFixing.objects.exists()


def test_a_price_is_fixed_once_and_only_on_a_ptbf_contract(coop_2020):
    sale = ptbf(coop_2020)
    fix(sale, coop_2020)
    with pytest.raises(ValidationError, match="ya se fijó el 01/09/2020"):
        fix(sale, coop_2020, market="2500")
    priced = contract(coop_2020, number="CV-2", terms="ft", tonnes="1")
    with pytest.raises(ValidationError, match="tiene precio: no hay precio que fijar"):
        fix(priced, coop_2020)
    assert ContractFixing.objects.count() == 1


def test_a_ptbf_contract_is_signed_without_a_price(coop_2020):
    with pytest.raises(ValidationError) as refused:
        ptbf(coop_2020, contract_price=D("2150"))
    assert "se firma sin precio" in " ".join(refused.value.message_dict["contract_price"])
    assert not SalesContract.objects.exists()


def test_a_back_dated_row_after_fixing_puts_the_fixed_contract_under_review(coop_2020):
    sale = ptbf(coop_2020)
    fix(sale, coop_2020)
    assert contracts_to_review() == [] and contracts_to_review_count() == 0
    FairtradeTerms.objects.create(
        kind=TermsComponent.PREMIUM, valid_from=date(2020, 1, 1), amount=D("260"), source="Corrección"
    )
    [review] = contracts_to_review()
    assert review.contract == sale and contracts_to_review_count() == 1
    assert (review.has_price, review.would.price, review.would_premium_cents) == (
        D("2700"),
        D("2700"),
        650_000,
    )
    amendment = amend_contract(
        contract=sale, terms_rows=review.would.rows, on=date(2020, 9, 5), user=coop_2020["admin"]
    )
    assert (amendment.previous_premium_cents, amendment.premium_cents) == (600_000, 650_000)
    assert contracts_to_review_count() == 0


def test_the_administrator_signs_and_fixes_on_the_pages_with_a_confirmation(coop_2020, client, make_user):
    client.force_login(coop_2020["admin"])
    response = client.post(
        reverse("sales:contract_new"),
        {
            "number": "CP-2020-001",
            "buyer": "Cacao Export SAC",
            "signed_on": "14/05/2020",
            "terms": "ft_org",
            "tonnes": "25",
            "contract_price": "",
            "price_to_be_fixed": "1",
        },
        follow=True,
    )
    html = response.content.decode()
    sale = SalesContract.objects.get(number="CP-2020-001")
    assert sale.price_pending and "precio por fijar" in html
    fix_url = reverse("sales:contract_fix", args=[sale.pk])
    assert fix_url in html
    assert "precio por fijar" in client.get(reverse("sales:contract_list")).content.decode()

    typed = {"market_price": "2,150.00", "ice_reference": ICE, "on": "01/09/2020"}
    preview = client.post(fix_url, typed)
    page = preview.content.decode()
    assert preview.status_code == 200 and "2,700.00" in page
    assert "US$ 67,500.00" in page and "US$ 6,000.00" in page
    assert 'name="confirm" value="1"' in page and not ContractFixing.objects.exists()  # nothing written yet

    bad = client.post(fix_url, {**typed, "market_price": "2,150", "confirm": "1"})
    assert bad.status_code == 400 and "¿2150 o 2.15?" in bad.content.decode()
    assert not ContractFixing.objects.exists()

    done = client.post(fix_url, {**typed, "confirm": "1"}, follow=True).content.decode()
    assert "Precio del contrato CP-2020-001 fijado: 2,700.00 US$/t" in done
    assert ContractFixing.objects.get().contract == sale
    again = client.post(fix_url, {**typed, "confirm": "1"})
    assert again.status_code == 400 and ContractFixing.objects.count() == 1

    for role in (BOARD, CERTIFIER):
        client.force_login(make_user(role))
        assert client.post(fix_url, {**typed, "confirm": "1"}).status_code == 403
