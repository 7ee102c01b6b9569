"""A cooperative with Fairtrade sales, for the sales and premium fund tests."""

from datetime import date
from decimal import Decimal

from coop.models import Member, OrganicStage, Plot, Season
from fund.services import convert_premium
from sales.models import ExchangeRate
from sales.services import invoice_contract, receive_payment, record_contract
from tests.acopio.factories import load_prices, make_coop, record

D = Decimal


def make_coop_2020(make_user) -> dict:
    """A 2020 season with 30 t dry of Fairtrade + organic cocoa and 10 t of Fairtrade only."""
    coop = make_coop()
    admin = make_user("administrador", username="gerente")
    season = Season.objects.create(
        code="2020",
        name="Campaña 2020",
        starts_on=date(2020, 1, 1),
        ends_on=date(2020, 12, 31),
        wet_to_dry_factor=D("0.38"),
        max_yield_kg_per_ha=900,
    )
    load_prices(date(2020, 1, 1))
    juana = Member.objects.create(code="S-00010", dni="43334444", name="Juana Isuiza Sangama")
    both = Plot.objects.create(
        member=juana,
        code="S-00010-P1",
        cocoa_producing_ha=D("50"),
        fairtrade_certified=True,
        fairtrade_since=date(2015, 1, 1),
        organic_stage=OrganicStage.ORGANIC,
        organic_certified_on=date(2015, 1, 1),
    )
    for day in range(1, 7):  # 6 × 5 t
        record(coop, admin, member=juana, plot=both, date=date(2020, 4, day), gross_kg="5000", tare_kg="0")
    for day in range(1, 3):  # 2 × 5 t, Fairtrade only (Rosa's first plot)
        record(
            coop,
            admin,
            member=coop["rosa"],
            plot=coop["plots"]["rosa_ft"],
            date=date(2020, 4, day),
            gross_kg="5000",
            tare_kg="0",
        )
    return {**coop, "season": season, "admin": admin}


def contract(coop, **overrides):
    arguments = {
        "number": "CV-2020-001",
        "buyer": "Cacao Export SAC",
        "signed_on": date(2020, 5, 14),
        "terms": "ft_org",
        "tonnes": "25",
        "contract_price": D("2150"),
        "user": coop["admin"],
    }
    arguments.update(overrides)
    return record_contract(**arguments)


def premium_received(coop: dict) -> dict:
    """A 25 t Fairtrade + organic contract, invoiced and paid in full: US$ 6,000.00 of premium in the fund."""
    ExchangeRate.objects.create(date=date(2020, 6, 15), buy=D("3.4250"), sell=D("3.4310"))
    sale = invoice_contract(
        contract=contract(coop), invoice_number="F001-000045", on=date(2020, 6, 1), user=coop["admin"]
    )
    payment = receive_payment(
        contract=sale, amount="73500", reference="BCP-OP-7781", on=date(2020, 6, 15), user=coop["admin"]
    )
    return {**coop, "sale": sale, "payment": payment}


def fund_with_soles(make_user) -> dict:
    """US$ 6,000.00 of premium received; US$ 5,000.00 sold at 3.5000 → S/ 17,500.00 in the fund."""
    coop = premium_received(make_coop_2020(make_user))
    conversion = convert_premium(
        usd="5000", rate="3,5000", on=date(2020, 6, 20), document="CAMBIO-001", user=coop["admin"]
    )
    board = make_user("consejo_administracion", username="presidente")
    treasurer = make_user("tesorero", username="tesorera")
    return {**coop, "conversion": conversion, "board": board, "treasurer": treasurer}


def activity(**overrides) -> dict:
    """What a Development Plan activity needs besides its season, name, category and budget."""
    facts = {
        "objective": "Mejorar la calidad del cacao seco de los socios",
        "starts_on": date(2020, 4, 1),
        "ends_on": date(2020, 12, 31),
        "responsible": "Rosa Tapullima, técnica de campo",
        "beneficiaries": 40,
        "women": 12,
        "youth": 8,
        "indicators": "Socios capacitados; humedad del cacao bajo 7,5 %",
    }
    facts.update(overrides)
    return facts
