"""Amendments: a contract priced before a back-dated Fairtrade terms row was entered gets a new version
with the row in force on its date; the difference is posted to the buyer and the premium as new entries,
the original contract row is never edited, and one amendment per review is all a contract gets."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ledger import chart
from ledger.models import JournalEntry
from ledger.selectors import account_balance
from ledger.verification import verify_ledger
from sales.models import ContractAmendment, ExchangeRate, FairtradeTerms, SalesContract, TermsComponent
from sales.pricing import fairtrade_terms
from sales.selectors import contracts_to_review, contracts_to_review_count
from sales.services import amend_contract, invoice_contract, receive_payment
from tests.ledger.factories import contract, make_coop_2020
from toolkit.roles import BOARD, CERTIFIER, TREASURER


@pytest.fixture
def coop_2020(db, make_user):
    return make_coop_2020(make_user)


def back_dated_row():
    """Entered after the contract was priced, in force from 2020-01-01: minimum 2,500, premium 260 (the
    organic differential of 300 stays the 2019 row's). The rows in force on the contract's date."""
    for kind, amount in ((TermsComponent.MINIMUM, "2500"), (TermsComponent.PREMIUM, "260")):
        FairtradeTerms.objects.create(
            kind=kind,
            valid_from=date(2020, 1, 1),
            origin="*",
            amount=D(amount),
            source="Fairtrade International, corrección",
        )
    return in_force()


def in_force():
    """The rows of each component in force on 2020-05-14 for an organic sale from Peru."""
    return fairtrade_terms(on=date(2020, 5, 14), origin="PE", organic=True, market_price=D("2150")).rows


def posted(rows):
    return {"terms_rows": [row.pk for row in rows]}


def balance(code):
    return account_balance(chart.account(code))


def test_an_invoiced_contract_amended_posts_the_difference_and_the_fund_gets_the_new_premium(coop_2020):
    admin = coop_2020["admin"]
    sale = invoice_contract(
        contract=contract(coop_2020), invoice_number="F001-000045", on=date(2020, 6, 1), user=admin
    )  # 25 t at 2,700/t = 67,500.00, premium 6,000.00
    row = back_dated_row()
    assert [r.contract for r in contracts_to_review()] == [sale] and contracts_to_review_count() == 1
    entries_before = JournalEntry.objects.count()

    amendment = amend_contract(contract=sale, terms_rows=row, on=date(2020, 7, 1), user=admin)

    expected = fairtrade_terms(on=date(2020, 5, 14), origin="PE", organic=True, market_price=D("2150"))
    assert expected.rows == row and (expected.price, expected.premium) == (D("2800"), D("260"))
    assert [(r.kind, r.valid_from) for r in row] == [
        ("minimum", date(2020, 1, 1)),
        ("organic_differential", date(2019, 10, 1)),
        ("premium", date(2020, 1, 1)),
    ]
    assert amendment.version == 2 and amendment.terms_rows == row
    assert (amendment.previous_price_per_tonne, amendment.price_per_tonne) == (D("2700"), D("2800"))
    assert (amendment.value_cents, amendment.premium_cents) == (25 * 280_000, 25 * 26_000)
    assert (amendment.value_difference_cents, amendment.premium_difference_cents) == (250_000, 50_000)
    # One new entry, on the invoice's accounts: the buyer owes 3,000.00 more, 500.00 of it premium.
    assert JournalEntry.objects.count() == entries_before + 1 and amendment.entry is not None
    assert balance(chart.BUYERS_RECEIVABLE_USD) == 7_350_000 + 300_000
    assert balance(chart.COCOA_SALES_USD) == -7_000_000
    assert balance(chart.PREMIUM_ACCRUED_USD) == -650_000
    # The original is never edited; the contract's version in force is the amendment.
    original = SalesContract.objects.get(pk=sale.pk)
    assert (original.price_per_tonne, original.value_cents, original.premium_cents) == (
        D("2700"),
        6_750_000,
        600_000,
    )
    assert {
        r.valid_from for r in [original.minimum_terms, original.organic_terms, original.premium_terms]
    } == {date(2019, 10, 1)}
    assert original.current_terms_rows == row
    assert (original.version, original.current_total_cents) == (2, 7_650_000)
    assert contracts_to_review() == [] and contracts_to_review_count() == 0  # as the home page counts
    assert verify_ledger().ok

    # Paid in full: the premium fund receives the amended premium, 6,500.00.
    ExchangeRate.objects.create(date=date(2020, 7, 15), buy=D("3.4250"), sell=D("3.4310"))
    payment = receive_payment(
        contract=original, amount="76500", reference="BCP-1", on=date(2020, 7, 15), user=admin
    )
    assert payment.premium_cents == 650_000
    assert balance(chart.PREMIUM_FUND_USD) == -650_000 and balance(chart.BUYERS_RECEIVABLE_USD) == 0


def test_a_second_amendment_for_the_same_review_is_refused_and_nothing_is_written(coop_2020):
    admin = coop_2020["admin"]
    sale = invoice_contract(
        contract=contract(coop_2020), invoice_number="F001-000045", on=date(2020, 6, 1), user=admin
    )
    row = back_dated_row()
    amend_contract(contract=sale, terms_rows=row, on=date(2020, 7, 1), user=admin)
    entries, amendments = JournalEntry.objects.count(), ContractAmendment.objects.count()
    with pytest.raises(ValidationError) as refused:
        amend_contract(contract=sale, terms_rows=row, on=date(2020, 7, 2), user=admin)
    assert "ya tiene una enmienda por esa revisión" in refused.value.message_dict["fairtrade_terms"][0]
    assert (JournalEntry.objects.count(), ContractAmendment.objects.count()) == (entries, amendments)
    assert verify_ledger().ok


def test_a_contract_priced_on_the_row_in_force_has_nothing_to_amend(coop_2020):
    sale = contract(coop_2020)
    rows = list(FairtradeTerms.objects.filter(valid_from=date(2019, 10, 1), origin="*"))
    assert rows == in_force()
    with pytest.raises(ValidationError) as refused:
        amend_contract(contract=sale, terms_rows=rows, on=date(2020, 7, 1), user=coop_2020["admin"])
    assert "no hay nada que enmendar" in refused.value.message_dict["fairtrade_terms"][0]
    assert not ContractAmendment.objects.exists()


def test_a_contract_amended_before_its_invoice_is_invoiced_on_the_new_version(coop_2020):
    admin = coop_2020["admin"]
    sale = contract(coop_2020)
    amendment = amend_contract(contract=sale, terms_rows=back_dated_row(), on=date(2020, 5, 20), user=admin)
    assert (
        amendment.entry is None
        and not JournalEntry.objects.filter(source_key__startswith="contract-").exists()
    )
    invoice_contract(contract=sale, invoice_number="F001-000046", on=date(2020, 6, 1), user=admin)
    assert balance(chart.BUYERS_RECEIVABLE_USD) == 7_650_000
    assert balance(chart.PREMIUM_ACCRUED_USD) == -650_000
    assert verify_ledger().ok


def test_the_administrator_confirms_the_amounts_before_the_amendment_is_posted(coop_2020, client):
    admin = coop_2020["admin"]
    sale = invoice_contract(
        contract=contract(coop_2020), invoice_number="F001-000045", on=date(2020, 6, 1), user=admin
    )
    row = back_dated_row()
    client.force_login(admin)
    amend_url = reverse("sales:contract_amend", args=[sale.pk])
    assert amend_url in client.get(reverse("sales:terms")).content.decode()
    assert amend_url in client.get(reverse("sales:contract_detail", args=[sale.pk])).content.decode()

    page = client.get(amend_url).content.decode()
    assert "2,700.00" in page and "2,800.00" in page and "US$ 2,500.00" in page and "US$ 500.00" in page
    client.post(amend_url, posted(row))  # not confirmed: nothing written
    assert not ContractAmendment.objects.exists()

    response = client.post(amend_url, {**posted(row), "confirm": "1"}, follow=True)
    html = response.content.decode()
    assert "Enmienda 2 del contrato CV-2020-001 registrada: precio 2,700.00 → 2,800.00 US$/t" in html
    assert "US$ 2,500.00" in html and "US$ 500.00" in html
    assert ContractAmendment.objects.get().contract == sale
    assert amend_url not in client.get(reverse("sales:terms")).content.decode()

    again = client.post(amend_url, {**posted(row), "confirm": "1"})
    assert again.status_code == 400 and "ya tiene una enmienda por esa revisión" in again.content.decode()
    assert ContractAmendment.objects.count() == 1


@pytest.mark.parametrize("role", [BOARD, TREASURER, CERTIFIER])
def test_only_the_administrator_amends_a_contract(coop_2020, client, make_user, role):
    sale = contract(coop_2020)
    row = back_dated_row()
    client.force_login(make_user(role))
    amend_url = reverse("sales:contract_amend", args=[sale.pk])
    assert client.get(amend_url).status_code == 403
    assert client.post(amend_url, {**posted(row), "confirm": "1"}).status_code == 403
    assert not ContractAmendment.objects.exists()
    if role != TREASURER:  # the treasurer does not read contracts
        assert amend_url not in client.get(reverse("sales:terms")).content.decode()
        assert amend_url not in client.get(reverse("sales:contract_detail", args=[sale.pk])).content.decode()
