"""Forward contracts: signed before the cocoa is bought, with no lots and a shipment period; the lots
are attached at shipment, and only then does the mass balance refuse a sale beyond what was bought."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from acopio.services import build_lot
from coop.models import Member
from sales.models import SalesContract
from sales.selectors import mass_balance
from sales.services import invoice_contract, ship_contract
from tests.acopio.factories import record
from tests.ledger.factories import contract, make_coop_2020
from toolkit.roles import BOARD, CERTIFIER


@pytest.fixture
def coop_2020(db, make_user):
    return make_coop_2020(make_user)


def forward(coop, **overrides):
    arguments = {
        "number": "CF-2020-001",
        "terms": "ft",
        "tonnes": "45",  # 40 t Fairtrade bought so far
        "forward": True,
        "shipment_from": date(2020, 9, 1),
        "shipment_to": date(2020, 10, 31),
    }
    return contract(coop, **{**arguments, **overrides})


def lot_of(coop, code, member):
    receipts = [d.receipt_code for d in member.deliveries.all()]
    return build_lot(
        code=code, season=coop["season"], claim="ft", for_eu=False, receipts=receipts, user=coop["admin"]
    )


def fairtrade_sold(season):
    return next(line for line in mass_balance(season) if line.product == "Comercio Justo").sold_kg


def test_a_forward_contract_is_signed_without_lots_then_shipped_only_within_the_balance(coop_2020):
    admin, season = coop_2020["admin"], coop_2020["season"]
    sale = forward(coop_2020)  # beyond what was bought: accepted at signature
    assert sale.forward and sale.awaiting_shipment and not sale.lots.exists()
    assert (sale.price_per_tonne, sale.premium_cents) == (D("2400"), 45 * 24_000)
    assert fairtrade_sold(season) == 0  # not committed until shipped

    with pytest.raises(ValidationError, match="está por embarcar"):
        invoice_contract(contract=sale, invoice_number="F001-1", on=date(2020, 9, 2), user=admin)

    rosa_lot = lot_of(coop_2020, "L-ROSA", coop_2020["rosa"])
    with pytest.raises(ValidationError) as refused:
        ship_contract(contract=sale, lots=[rosa_lot], on=date(2020, 9, 1), user=admin)
    [problem] = refused.value.message_dict["tonnes"]
    assert "comprado 40 t, vendido 0 t, disponible 40 t; este contrato pide 45 t" in problem
    sale.refresh_from_db()
    assert sale.awaiting_shipment and not sale.lots.exists() and fairtrade_sold(season) == 0

    # Five more tonnes of Fairtrade cocoa bought: now the shipment fits.
    plot = coop_2020["plots"]["rosa_ft"]
    more = record(
        coop_2020,
        admin,
        member=coop_2020["rosa"],
        plot=plot,
        date=date(2020, 8, 1),
        gross_kg="5000",
        tare_kg="0",
    )
    new_lot = build_lot(
        code="L-ROSA-2", season=season, claim="ft", for_eu=False, receipts=[more.receipt_code], user=admin
    )
    juana_lot = lot_of(coop_2020, "L-JUANA", Member.objects.get(code="S-00010"))  # 30 t, sold as Fairtrade
    ship_contract(contract=sale, lots=[rosa_lot, juana_lot, new_lot], on=date(2020, 9, 1), user=admin)
    sale.refresh_from_db()
    assert (sale.shipped_on, sale.shipped_by) == (date(2020, 9, 1), admin) and set(sale.lots.all()) == {
        rosa_lot,
        juana_lot,
        new_lot,
    }
    assert not sale.awaiting_shipment and fairtrade_sold(season) == 45_000
    invoice_contract(contract=sale, invoice_number="F001-1", on=date(2020, 9, 2), user=admin)

    with pytest.raises(ValidationError, match="ya fue embarcado el 01/09/2020"):
        ship_contract(contract=sale, lots=[rosa_lot], on=date(2020, 9, 3), user=admin)


def test_a_contract_with_lots_keeps_the_balance_checked_at_signature(coop_2020):
    forward(coop_2020, tonnes="20")  # forward, not shipped: it takes nothing from the balance yet
    with pytest.raises(ValidationError, match="disponible 40 t; este contrato pide 41 t"):
        contract(coop_2020, number="CV-2", terms="ft", tonnes="41")
    assert SalesContract.objects.count() == 1


@pytest.mark.parametrize(
    "overrides, field, says",
    [
        ({"shipment_from": None}, "shipment_from", "desde cuándo se embarca"),
        ({"shipment_to": date(2020, 8, 1)}, "shipment_to", "no puede ser anterior a su inicio"),
        ({"forward": False}, "shipment_from", "marque «contrato a futuro»"),
    ],
)
def test_a_bad_forward_contract_is_refused_naming_the_field(coop_2020, overrides, field, says):
    with pytest.raises(ValidationError) as refused:
        forward(coop_2020, **overrides)
    assert says in " ".join(refused.value.message_dict[field])
    assert not SalesContract.objects.exists()


def test_the_administrator_signs_a_forward_contract_and_ships_it_on_its_page(coop_2020, client, make_user):
    client.force_login(coop_2020["admin"])
    response = client.post(
        reverse("sales:contract_new"),
        {
            "number": "CF-2020-009",
            "buyer": "Cacao Export SAC",
            "signed_on": "14/05/2020",
            "terms": "ft",
            "tonnes": "45",
            "contract_price": "2150",
            "forward": "1",
            "shipment_from": "01/09/2020",
            "shipment_to": "31/10/2020",
        },
        follow=True,
    )
    html = response.content.decode()
    sale = SalesContract.objects.get(number="CF-2020-009")
    assert "por embarcar" in html and "40 t disponibles y este contrato pide 45 t" in html
    ship_url = reverse("sales:contract_ship", args=[sale.pk])
    assert ship_url in html
    lot = lot_of(coop_2020, "L-ROSA", coop_2020["rosa"])
    refused = client.post(ship_url, {"lots": [lot.pk], "on": "01/09/2020"})
    assert (
        refused.status_code == 400 and "disponible 40 t; este contrato pide 45 t" in refused.content.decode()
    )
    for role in (BOARD, CERTIFIER):
        client.force_login(make_user(role))
        assert client.get(ship_url).status_code == 403
        assert client.post(ship_url, {"lots": [lot.pk], "on": "01/09/2020"}).status_code == 403
        assert ship_url not in client.get(reverse("sales:contract_detail", args=[sale.pk])).content.decode()
    sale.refresh_from_db()
    assert sale.awaiting_shipment
