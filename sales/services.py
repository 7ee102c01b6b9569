"""Selling on Fairtrade terms: recording, invoicing and collecting contracts within the mass balance.

In any season, the Fairtrade kilograms sold may not exceed the Fairtrade
dry-equivalent kilograms bought from members, and the same for organic. A
contract that would break it is refused with the numbers. Contracts of one
season are recorded one at a time (the season row is locked), so two
people cannot both spend the same available kilograms.
"""

from datetime import date as Date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from acopio.models import Lot
from coop.models import Certification, Season
from ledger import chart
from ledger.services import post_entry
from sales.models import ContractPayment, SalesContract
from sales.pricing import MissingFairtradeTerms, fairtrade_terms
from sales.rates import rate_on
from sales.selectors import mass_balance, outstanding_cents
from sales.tonnes import KG_PER_TONNE, parse_tonnes
from toolkit.money import format_money, from_minor, round_to_minor, typed_to_minor
from toolkit.numbers import shown_decimal


@transaction.atomic
def record_contract(
    *,
    number: str,
    buyer: str,
    signed_on: Date,
    terms: str,
    tonnes,
    contract_price: Decimal,
    user,
    origin: str = "PE",
    lots: list[Lot] = (),
    season: Season | None = None,
) -> SalesContract:
    """Price and record a sales contract, or refuse it and write nothing."""
    errors = {}
    number, buyer = (number or "").strip(), (buyer or "").strip()
    if not number:
        errors["number"] = _("Indique el número de contrato.")
    elif SalesContract.objects.filter(number=number).exists():
        errors["number"] = _("El contrato %(contract)s ya está registrado.") % {"contract": number}
    if not buyer:
        errors["buyer"] = _("Indique el comprador.")
    if terms not in Certification.values:
        errors["terms"] = _(
            "Elija las condiciones: Comercio Justo, Comercio Justo + Orgánico, Orgánico o Convencional."
        )
    if not isinstance(contract_price, Decimal) or not contract_price.is_finite() or contract_price <= 0:
        errors["contract_price"] = _("El precio del contrato debe ser mayor que cero (US$ por tonelada).")
    try:
        quantity_kg = parse_tonnes(tonnes)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        quantity_kg = None
    season = season or (Season.on(signed_on) if signed_on else None)
    if season is None:
        errors["signed_on"] = (
            _("No hay campaña que incluya el %(date)s.") % {"date": signed_on.strftime("%d/%m/%Y")}
            if signed_on
            else _("Indique la fecha.")
        )
    if errors:
        raise ValidationError(errors)

    sold_as = Certification(terms)
    for lot in lots:
        if not sold_as.accepts(lot.claim):
            errors.setdefault("lots", []).append(
                _("El lote %(lot)s es %(claim)s y no puede venderse como %(terms)s.")
                % {"lot": lot, "claim": lot.get_claim_display(), "terms": sold_as.label}
            )
        if lot.contracts.exists():
            errors.setdefault("lots", []).append(
                _("El lote %(lot)s ya está en el contrato %(contract)s.")
                % {"lot": lot, "contract": lot.contracts.first()}
            )
    if errors:
        raise ValidationError(errors)

    row, premium = None, Decimal(0)
    price = contract_price
    if sold_as.is_fairtrade:
        try:
            priced = fairtrade_terms(
                on=signed_on, origin=origin, organic=sold_as.is_organic, market_price=contract_price
            )
        except MissingFairtradeTerms as exc:
            raise ValidationError({"signed_on": exc.messages[0]}) from None
        row, price, premium = priced.row, priced.price, priced.premium

    # One contract of the season at a time, so the available kilograms are read and taken together.
    Season.objects.select_for_update().get(pk=season.pk)
    _check_mass_balance(season, sold_as, quantity_kg)

    tonnes_exact = Decimal(quantity_kg) / KG_PER_TONNE
    contract = SalesContract(
        number=number,
        buyer=buyer,
        signed_on=signed_on,
        season=season,
        origin=(origin or "PE").upper(),
        terms=terms,
        quantity_kg=quantity_kg,
        contract_price=contract_price,
        fairtrade_terms=row,
        price_per_tonne=price,
        value_cents=round_to_minor(tonnes_exact * price),
        premium_cents=round_to_minor(tonnes_exact * premium),
        created_by=user,
    )
    contract.save()
    contract.lots.set(lots)
    return contract


def _check_mass_balance(season: Season, sold_as: Certification, quantity_kg: int) -> None:
    problems = []
    for line in mass_balance(season):
        applies = sold_as.is_fairtrade if line.product == "Comercio Justo" else sold_as.is_organic
        if applies and quantity_kg > line.available_kg:
            problems.append(
                _(
                    "Balance de masas %(product)s, %(season)s: comprado %(bought)s t, vendido %(sold)s t, "
                    "disponible %(available)s t; este contrato pide %(asked)s t."
                )
                % {
                    "product": line.label,
                    "season": season,
                    "bought": _t(line.bought_kg),
                    "sold": _t(line.sold_kg),
                    "available": _t(line.available_kg),
                    "asked": _t(Decimal(quantity_kg)),
                }
            )
    if problems:
        raise ValidationError({"tonnes": problems})


def _t(kg: Decimal) -> str:
    return shown_decimal(Decimal(kg) / KG_PER_TONNE)


# --- Invoicing and payments received ---------------------------------------------------


@transaction.atomic
def invoice_contract(*, contract: SalesContract, invoice_number: str, on: Date | None, user) -> SalesContract:
    """The buyer now owes the contract value plus the premium; the premium is owed on to the fund."""
    contract = SalesContract.objects.select_for_update().get(pk=contract.pk)
    invoice_number = (invoice_number or "").strip()
    errors = {}
    if contract.invoice_number:
        errors["invoice_number"] = _("El contrato %(contract)s ya fue facturado (%(invoice)s).") % {
            "contract": contract.number,
            "invoice": contract.invoice_number,
        }
    elif not invoice_number:
        errors["invoice_number"] = _("Indique el número de factura.")
    elif SalesContract.objects.filter(invoice_number=invoice_number).exists():
        errors["invoice_number"] = _("La factura %(invoice)s ya está registrada en otro contrato.") % {
            "invoice": invoice_number
        }
    if on is None:
        errors["on"] = _("Indique la fecha de la factura.")
    elif on < contract.signed_on:
        errors["on"] = _("La factura no puede ser anterior al contrato.")
    if errors:
        raise ValidationError(errors)
    lines = [
        (chart.account(chart.BUYERS_RECEIVABLE_USD), contract.value_cents + contract.premium_cents),
        (chart.account(chart.COCOA_SALES_USD), -contract.value_cents),
    ]
    if contract.premium_cents:
        lines.append((chart.account(chart.PREMIUM_ACCRUED_USD), -contract.premium_cents))
    post_entry(  # the entry's description is a record: it stays in Spanish
        date=on,
        description=f"Factura {invoice_number}, contrato {contract.number}, {contract.buyer}",
        source_key=f"contract-invoice:{contract.number}",
        lines=lines,
        user=user,
    )
    contract.invoice_number, contract.invoiced_on = invoice_number, on
    contract.save(update_fields=["invoice_number", "invoiced_on"])
    return contract


@transaction.atomic
def receive_payment(
    *, contract: SalesContract, amount, reference: str, on: Date | None, user
) -> ContractPayment:
    """Money in from the buyer, at the day's buying rate. The premium share goes into the premium fund.

    Each payment carries the premium in proportion to what it pays; the payment that
    settles the contract carries whatever premium is left, so the parts add up exactly.
    """
    contract = SalesContract.objects.select_for_update().get(pk=contract.pk)
    reference = (reference or "").strip()
    errors = {}
    if not contract.invoice_number:
        errors["amount"] = _("Facture el contrato %(contract)s antes de registrar cobros.") % {
            "contract": contract.number
        }
    if not reference:
        errors["reference"] = _("Indique la referencia del pago (número de operación bancaria).")
    elif ContractPayment.objects.filter(reference=reference).exists():
        errors["reference"] = _("El pago %(reference)s ya está registrado.") % {"reference": reference}
    cents = None
    try:
        cents = typed_to_minor(amount, "USD")
    except ValidationError as exc:
        errors["amount"] = exc.messages[0]
    if cents is not None and cents <= 0:
        errors["amount"] = _("El monto debe ser mayor que cero.")
    rate = None
    if on is None:
        errors["on"] = _("Indique la fecha del pago.")
    else:
        try:
            rate = rate_on(on)
        except ValidationError as exc:
            errors["on"] = exc.messages[0]
    owed, premium_owed = outstanding_cents(contract)
    if not errors and cents > owed:
        errors["amount"] = _("El pago (%(amount)s) supera lo que el comprador debe (%(owed)s).") % {
            "amount": format_money(cents, "USD"),
            "owed": format_money(owed, "USD"),
        }
    if errors:
        raise ValidationError(errors)
    total = contract.value_cents + contract.premium_cents
    premium = premium_owed if cents == owed else min(premium_owed, cents * contract.premium_cents // total)
    lines = [(chart.account(chart.BANK_USD), cents), (chart.account(chart.BUYERS_RECEIVABLE_USD), -cents)]
    if premium:
        lines += [
            (chart.account(chart.PREMIUM_ACCRUED_USD), premium),
            (chart.account(chart.PREMIUM_FUND_USD), -premium),
        ]
    entry = post_entry(
        date=on,
        source_key=f"contract-payment:{reference}",
        lines=lines,
        user=user,
        description=f"Cobro {reference}, contrato {contract.number}, {contract.buyer}",  # a record: Spanish
    )
    payment = ContractPayment(
        contract=contract,
        date=on,
        reference=reference,
        amount_cents=cents,
        premium_cents=premium,
        rate=rate.buy,
        amount_pen_minor=round_to_minor(from_minor(cents) * rate.buy),
        premium_pen_minor=round_to_minor(from_minor(premium) * rate.buy),
        entry=entry,
        entered_by=user,
    )
    payment.save()
    return payment
