"""Sales contracts on Fairtrade terms, and the mass balance that keeps sales within purchases."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from acopio.models import Delivery
from acopio.services import build_lot
from coop.models import Season
from sales.models import SalesContract
from sales.selectors import mass_balance
from tests.ledger.factories import contract, make_coop_2020

D = Decimal


@pytest.fixture
def coop_2020(db, make_user):
    return make_coop_2020(make_user)


def test_the_worked_case_prices_and_premium(coop_2020):
    sale = contract(coop_2020)
    # max(2,150, 2,400) + 300 organic = 2,700 USD/t; 25 t → 67,500.00 USD; premium 25 × 240 = 6,000.00 USD.
    assert (sale.price_per_tonne, sale.value_cents, sale.premium_cents) == (D("2700"), 6_750_000, 600_000)
    assert {r.valid_from for r in sale.current_terms_rows} == {
        date(2019, 10, 1)
    } and sale.season == coop_2020["season"]


def test_terms_before_the_2019_review_use_the_organic_minimum(coop_2020):
    Season.objects.create(
        code="2019",
        name="Campaña 2019",
        starts_on=date(2019, 1, 1),
        ends_on=date(2019, 12, 31),
        wet_to_dry_factor=D("0.38"),
        max_yield_kg_per_ha=900,
    )
    sale = contract(coop_2020, signed_on=date(2019, 9, 30), season=coop_2020["season"], tonnes="10,5")
    assert (sale.price_per_tonne, sale.value_cents, sale.premium_cents) == (D("2300"), 2_415_000, 210_000)


def test_conventional_and_organic_sales_pay_no_premium(coop_2020):
    conventional = contract(coop_2020, terms="conv", contract_price=D("1850.50"), tonnes="2")
    assert (conventional.price_per_tonne, conventional.value_cents, conventional.premium_cents) == (
        D("1850.50"),
        370_100,
        0,
    )
    organic = contract(coop_2020, number="CV-2", terms="org", contract_price=D("2600"), tonnes="1")
    assert organic.premium_cents == 0 and organic.current_terms_rows == []


def test_the_mass_balance_refuses_a_sale_beyond_purchases_with_the_numbers(coop_2020):
    contract(coop_2020, tonnes="25")  # Fairtrade + organic: 30 t organic, 40 t Fairtrade bought
    with pytest.raises(ValidationError) as refused:
        contract(coop_2020, number="CV-2020-002", tonnes="6")
    assert refused.value.message_dict["tonnes"] == [
        "Balance de masas Orgánico, Campaña 2020: comprado 30 t, vendido 25 t, disponible 5 t; "
        "este contrato pide 6 t."
    ]
    contract(coop_2020, number="CV-2020-003", terms="ft", tonnes="15")  # Fairtrade: 40 − 25 = 15 left
    lines = {line.product: line for line in mass_balance(coop_2020["season"])}
    assert (lines["Comercio Justo"].bought_kg, lines["Comercio Justo"].sold_kg) == (D(40_000), D(40_000))
    assert lines["Orgánico"].available_kg == D(5_000)
    assert SalesContract.objects.count() == 2


def test_the_mass_balance_page_reads_every_season_at_once_with_the_same_figures(coop_2020, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from acopio.services import void_delivery
    from sales.selectors import mass_balances

    contract(coop_2020, tonnes="25")
    wrong = Delivery.objects.filter(season=coop_2020["season"], certification="ft").first()
    void_delivery(delivery=wrong, reason="Peso mal digitado", user=coop_2020["admin"])  # 5 t less
    seasons = list(Season.objects.all())
    assert len(seasons) == 3
    assert mass_balances(seasons) == [(season, mass_balance(season)) for season in seasons]
    client.force_login(coop_2020["admin"])
    with CaptureQueriesContext(connection) as read:
        page = client.get(reverse("sales:mass_balance")).content.decode()
    assert "35 t" in page and "10 t" in page  # Fairtrade bought, and left after the 25 t sold
    assert len([q for q in read.captured_queries if 'FROM "coop_delivery"' in q["sql"]]) == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"tonnes": "-3"}, "tonnes", "mayor que cero"),
        ({"tonnes": "1,2345"}, "tonnes", "3 decimales"),
        ({"signed_on": date(2010, 6, 1), "season": None}, "signed_on", "No hay campaña"),
        ({"contract_price": D("0")}, "contract_price", "mayor que cero"),
        ({"buyer": " "}, "buyer", "comprador"),
        ({"terms": "otro"}, "terms", "condiciones"),
    ],
)
def test_bad_contracts_are_refused_and_nothing_is_written(coop_2020, overrides, field, message):
    with pytest.raises(ValidationError) as refused:
        contract(coop_2020, **overrides)
    assert message in " ".join(refused.value.message_dict[field])
    assert not SalesContract.objects.exists()


def test_no_fairtrade_row_for_the_date_is_refused(coop_2020):
    Season.objects.create(
        code="2010",
        name="Campaña 2010",
        starts_on=date(2010, 1, 1),
        ends_on=date(2010, 12, 31),
        wet_to_dry_factor=D("0.38"),
        max_yield_kg_per_ha=900,
    )
    with pytest.raises(ValidationError, match="No hay condiciones de Comercio Justo para el origen PE"):
        contract(coop_2020, signed_on=date(2010, 6, 1), season=coop_2020["season"])


def test_lots_must_carry_the_claim_the_contract_sells(coop_2020):
    admin, season = coop_2020["admin"], coop_2020["season"]
    receipts = lambda member: [d.receipt_code for d in member.deliveries.all()]  # noqa: E731
    rosa_lot = build_lot(
        code="L-FT", season=season, claim="ft", for_eu=False, receipts=receipts(coop_2020["rosa"]), user=admin
    )
    with pytest.raises(ValidationError, match="El lote L-FT es Comercio Justo y no puede venderse como"):
        contract(coop_2020, tonnes="10", lots=[rosa_lot])
    sale = contract(coop_2020, terms="ft", tonnes="10", lots=[rosa_lot])
    assert list(sale.lots.all()) == [rosa_lot]
    with pytest.raises(ValidationError, match="ya está en el contrato CV-2020-001"):
        contract(coop_2020, number="CV-9", terms="ft", tonnes="10", lots=[rosa_lot])


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_people_cannot_sell_the_same_available_tonnes_at_once(make_user):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers by itself")
    coop = make_coop_2020(make_user)
    barrier, outcomes = threading.Barrier(2), []

    def sell(n):
        try:
            barrier.wait()
            contract(coop, number=f"CV-P{n}", terms="org", tonnes="18")  # 60 % of 30 t organic
            outcomes.append("sold")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sell, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "sold"] and SalesContract.objects.count() == 1


def test_the_contract_page_records_and_the_lists_show_the_same_figures(coop_2020, client):
    from django.urls import reverse

    client.force_login(coop_2020["admin"])
    form = {
        "number": "CV-2020-010",
        "buyer": "Cacao Export SAC",
        "signed_on": "2020-05-14",
        "terms": "ft_org",
        "tonnes": "25",
        "contract_price": "2150,00",
        "origin": "PE",
    }
    done = client.post(reverse("sales:contract_new"), form, follow=True)
    html = done.content.decode()
    assert "Contrato CV-2020-010 registrado: 2700.00 US$/t, valor US$ 67,500.00, prima US$ 6,000.00." in html
    assert "US$ 67,500.00" in html and "25 t" in html
    refused = client.post(reverse("sales:contract_new"), {**form, "number": "CV-2020-011", "tonnes": "10"})
    assert refused.status_code == 400
    assert "disponible 5 t; este contrato pide 10 t" in refused.content.decode()
    balance = client.get(reverse("sales:mass_balance")).content.decode()
    assert "30 t" in balance and "25 t" in balance and "5 t" in balance
    assert SalesContract.objects.count() == 1


@pytest.fixture
def invoiced(coop_2020):
    from sales.models import ExchangeRate
    from sales.services import invoice_contract

    ExchangeRate.objects.create(date=date(2020, 6, 15), buy=D("3.4250"), sell=D("3.4310"))
    ExchangeRate.objects.create(date=date(2020, 7, 10), buy=D("3.5120"), sell=D("3.5180"))
    sale = contract(coop_2020)  # 67,500.00 + premium 6,000.00 USD
    return invoice_contract(
        contract=sale, invoice_number="F001-000045", on=date(2020, 6, 1), user=coop_2020["admin"]
    )


def test_payments_carry_the_premium_into_the_fund_exactly(invoiced, coop_2020):
    from ledger import chart
    from ledger.selectors import account_balance, balances_by_currency
    from ledger.verification import verify_ledger
    from sales.selectors import outstanding_cents
    from sales.services import receive_payment

    admin = coop_2020["admin"]
    receivable = chart.account(chart.BUYERS_RECEIVABLE_USD)
    assert account_balance(receivable) == 7_350_000
    first = receive_payment(
        contract=invoiced, amount="30000.00", reference="BCP-OP-7781", on=date(2020, 6, 15), user=admin
    )
    # 30,000 of 73,500 carries 30,000 × 6,000 / 73,500 = 2,448.979… → 2,448.97 USD of premium.
    assert first.premium_cents == 244_897
    assert (first.rate, first.amount_pen_minor) == (D("3.4250"), 10_275_000)
    with pytest.raises(ValidationError, match="supera lo que el comprador debe"):
        receive_payment(
            contract=invoiced, amount="43500.01", reference="BCP-OP-7790", on=date(2020, 7, 10), user=admin
        )
    last = receive_payment(
        contract=invoiced, amount="43500", reference="BCP-OP-7790", on=date(2020, 7, 10), user=admin
    )
    assert first.premium_cents + last.premium_cents == 600_000  # the last payment settles the rest
    assert outstanding_cents(invoiced) == (0, 0)
    assert -account_balance(chart.account(chart.PREMIUM_FUND_USD)) == 600_000
    assert account_balance(chart.account(chart.PREMIUM_ACCRUED_USD)) == 0
    assert -account_balance(chart.account(chart.COCOA_SALES_USD)) == 6_750_000
    assert balances_by_currency() == {"PEN": 0, "USD": 0} and verify_ledger().ok


def test_bad_invoices_and_payments_are_refused_and_nothing_is_written(invoiced, coop_2020):
    from ledger.models import JournalEntry
    from sales.models import ContractPayment
    from sales.services import invoice_contract, receive_payment

    admin = coop_2020["admin"]
    entries = JournalEntry.objects.count()
    with pytest.raises(ValidationError, match="ya fue facturado"):
        invoice_contract(contract=invoiced, invoice_number="F001-000046", on=date(2020, 6, 2), user=admin)
    other = contract(coop_2020, number="CV-2020-002", terms="conv", tonnes="1")
    with pytest.raises(ValidationError, match="Facture el contrato CV-2020-002"):
        receive_payment(contract=other, amount="10", reference="X-1", on=date(2020, 6, 15), user=admin)
    with pytest.raises(ValidationError, match="ya está registrada en otro contrato"):
        invoice_contract(contract=other, invoice_number="F001-000045", on=date(2020, 6, 2), user=admin)
    receive_payment(contract=invoiced, amount="100", reference="BCP-1", on=date(2020, 6, 15), user=admin)
    with pytest.raises(ValidationError, match="El pago BCP-1 ya está registrado"):
        receive_payment(contract=invoiced, amount="100", reference="BCP-1", on=date(2020, 6, 15), user=admin)
    with pytest.raises(ValidationError, match="No hay tipo de cambio"):
        receive_payment(contract=invoiced, amount="100", reference="BCP-2", on=date(2020, 9, 1), user=admin)
    with pytest.raises(ValidationError, match="como máximo 2 decimales"):
        receive_payment(
            contract=invoiced, amount="100.001", reference="BCP-3", on=date(2020, 6, 15), user=admin
        )
    assert ContractPayment.objects.count() == 1 and JournalEntry.objects.count() == entries + 1


def test_invoice_and_payment_from_the_contracts_page(coop_2020, client):
    from django.urls import reverse

    from sales.models import ExchangeRate

    ExchangeRate.objects.create(date=date(2020, 6, 15), buy=D("3.4250"), sell=D("3.4310"))
    sale = contract(coop_2020)
    client.force_login(coop_2020["admin"])
    page = client.post(
        reverse("sales:contract_invoice", args=[sale.pk]),
        {"invoice_number": "F001-000045", "on": "2020-06-01"},
        follow=True,
    ).content.decode()
    assert (
        "Contrato CV-2020-001 facturado." in page and 'Factura <span class="code">F001-000045</span>' in page
    )
    pay = reverse("sales:contract_payment", args=[sale.pk])
    page = client.post(
        pay, {"amount": "73500,00", "reference": "BCP-9", "on": "2020-06-15"}, follow=True
    ).content.decode()
    assert (
        "Cobro BCP-9 registrado: US$ 73,500.00, de los cuales US$ 6,000.00 van al fondo de la prima." in page
    )
    again = client.post(
        pay, {"amount": "1", "reference": "BCP-9", "on": "2020-06-15"}, follow=True
    ).content.decode()
    assert "El pago BCP-9 ya está registrado." in again
