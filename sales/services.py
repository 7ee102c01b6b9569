"""Selling on Fairtrade terms: recording, invoicing and collecting contracts within the mass balance.

In any season, the Fairtrade kilograms sold may not exceed the Fairtrade
dry-equivalent kilograms bought from members, and the same for organic. A
contract that would break it is refused with the numbers. Contracts of one
season are recorded one at a time (the season row is locked), so two
people cannot both spend the same available kilograms.
"""

from datetime import date as Date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from acopio.models import Delivery, Lot
from coop.models import Certification, Season
from ledger import chart
from ledger.services import post_entry
from sales.models import ContractAmendment, ContractFixing, ContractPayment, FairtradeTerms, SalesContract
from sales.pricing import MissingFairtradeTerms, fairtrade_terms
from sales.rates import rate_on
from sales.selectors import mass_balance, outstanding_cents, review_of
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
    contract_price: Decimal | None,
    user,
    price_to_be_fixed: bool = False,
    origin: str = "PE",
    lots: list[Lot] = (),
    season: Season | None = None,
    forward: bool = False,
    shipment_from: Date | None = None,
    shipment_to: Date | None = None,
) -> SalesContract:
    """Price and record a sales contract, or refuse it and write nothing.

    A forward contract (``forward``) is signed before the cocoa is bought: no lots, a shipment
    period, and no mass-balance check now; ``ship_contract`` attaches the lots and enforces it.
    """
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
    if price_to_be_fixed:
        if contract_price is not None:
            errors["contract_price"] = _(
                "Un contrato con precio por fijar se firma sin precio: el precio se fija después."
            )
    elif not isinstance(contract_price, Decimal) or not contract_price.is_finite() or contract_price <= 0:
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
    if forward:
        if lots:
            errors["lots"] = _("Un contrato a futuro se firma sin lotes: los lotes se asignan al embarcar.")
        if shipment_from is None:
            errors["shipment_from"] = _("Indique desde cuándo se embarca (periodo de embarque).")
        if shipment_to is None:
            errors["shipment_to"] = _("Indique hasta cuándo se embarca (periodo de embarque).")
        elif shipment_from is not None and shipment_to < shipment_from:
            errors["shipment_to"] = _("El fin del periodo de embarque no puede ser anterior a su inicio.")
        elif signed_on is not None and shipment_from is not None and shipment_from < signed_on:
            errors["shipment_from"] = _("El embarque no puede empezar antes de la firma del contrato.")
    elif shipment_from or shipment_to:
        errors["shipment_from"] = _(
            "El periodo de embarque es de los contratos a futuro: marque «contrato a futuro»."
        )
    if errors:
        raise ValidationError(errors)

    sold_as = Certification(terms)
    lots = _locked_lots(lots)
    errors.update(_lot_problems(lots, sold_as))
    if errors:
        raise ValidationError(errors)

    priced, premium = None, Decimal(0)
    price = contract_price
    if sold_as.is_fairtrade and price_to_be_fixed:
        try:  # the terms apply at fixing, but a contract date without terms is refused now
            fairtrade_terms(on=signed_on, origin=origin, organic=sold_as.is_organic, market_price=Decimal(0))
        except MissingFairtradeTerms as exc:
            raise ValidationError({"signed_on": exc.messages[0]}) from None
    elif sold_as.is_fairtrade:
        try:
            priced = fairtrade_terms(
                on=signed_on, origin=origin, organic=sold_as.is_organic, market_price=contract_price
            )
        except MissingFairtradeTerms as exc:
            raise ValidationError({"signed_on": exc.messages[0]}) from None
        price, premium = priced.price, priced.premium

    if not forward:
        # One contract of the season at a time, so the available kilograms are read and taken together.
        Season.objects.select_for_update().get(pk=season.pk)
        _check_mass_balance(season, sold_as, quantity_kg)
    if lots:
        _refuse(_shipped_lot_problems(lots, sold_as, quantity_kg))

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
        minimum_terms=priced.minimum_row if priced else None,
        organic_terms=priced.organic_row if priced else None,
        premium_terms=priced.premium_row if priced else None,
        price_to_be_fixed=price_to_be_fixed,
        price_per_tonne=price,
        value_cents=None if price_to_be_fixed else round_to_minor(tonnes_exact * price),
        premium_cents=round_to_minor(tonnes_exact * premium),
        forward=forward,
        shipment_from=shipment_from if forward else None,
        shipment_to=shipment_to if forward else None,
        created_by=user,
    )
    contract.save()
    contract.lots.set(lots)
    return contract


def _shipped_lot_problems(lots, sold_as: Certification, quantity_kg: int) -> dict:
    """What the lots a contract ships must hold: for an organic sale, only organic-certified deliveries
    (a lot is organic only if all its valid deliveries are); and, for every sale, the contract's tonnes
    within ``MINKA_CONTRACT_TONNES_TOLERANCE_PERCENT`` of the lots' dry weight (valid deliveries: a
    voided delivery has left its lot)."""
    problems = {}
    if sold_as.is_organic:
        not_organic = []
        for lot in lots:
            stray = list(
                Delivery.objects.valid()
                .filter(lot=lot)
                .exclude(certification__in=[c.value for c in Certification if c.is_organic])
                .order_by("receipt_number")[:4]
            )
            if stray:
                not_organic.append(
                    _(
                        "El lote %(lot)s no es orgánico: lleva entregas sin certificación orgánica "
                        "(%(receipts)s); una venta orgánica solo puede llevar lotes orgánicos."
                    )
                    % {"lot": lot.code, "receipts": ", ".join(d.receipt_code for d in stray[:3])}
                )
        if not_organic:
            problems["lots"] = not_organic
    lots_g = (
        Delivery.objects.valid()
        .filter(lot__in=[lot.pk for lot in lots])
        .aggregate(total=Sum("dry_g"))["total"]
    )
    lots_kg = Decimal(int(lots_g or 0)) / 1000
    tolerance = Decimal(settings.MINKA_CONTRACT_TONNES_TOLERANCE_PERCENT)
    if abs(lots_kg - quantity_kg) * 100 > quantity_kg * tolerance:
        problems.setdefault("lots", []).append(
            _(
                "El contrato es de %(contract)s t y los lotes pesan %(lots)s t (seco): la diferencia "
                "pasa del %(tolerance)s %% admitido."
            )
            % {
                "contract": _t(Decimal(quantity_kg)),
                "lots": _t(lots_kg),
                "tolerance": shown_decimal(tolerance),
            }
        )
    return problems


def _locked_lots(lots) -> list[Lot]:
    """The lots, locked in the order of their keys: two contracts cannot both take one lot at once."""
    return list(Lot.objects.select_for_update().filter(pk__in=[lot.pk for lot in lots]).order_by("pk"))


def _lot_problems(lots, sold_as: Certification) -> dict:
    problems = []
    for lot in lots:
        if lot.has_non_member and (sold_as.is_fairtrade or sold_as.is_organic):
            problems.append(
                _("El lote %(lot)s contiene cacao comprado a no socios y no puede venderse como %(terms)s.")
                % {"lot": lot, "terms": sold_as.label}
            )
        elif not sold_as.accepts(lot.claim):
            problems.append(
                _("El lote %(lot)s es %(claim)s y no puede venderse como %(terms)s.")
                % {"lot": lot, "claim": lot.get_claim_display(), "terms": sold_as.label}
            )
        if lot.contracts.exists():
            problems.append(
                _("El lote %(lot)s ya está en el contrato %(contract)s.")
                % {"lot": lot, "contract": lot.contracts.first()}
            )
    return {"lots": problems} if problems else {}


@transaction.atomic
def ship_contract(*, contract: SalesContract, lots: list[Lot], on: Date | None, user) -> SalesContract:
    """Attach the lots of a forward contract at shipment: the cocoa is committed now, so the mass
    balance of its season is enforced now (the same rule as a contract signed with its lots)."""
    contract = SalesContract.objects.select_for_update().get(pk=contract.pk)
    errors = {}
    if not contract.forward:
        errors["lots"] = _("El contrato %(contract)s no es a futuro: sus lotes se asignaron al firmarlo.") % {
            "contract": contract.number
        }
    elif contract.shipped_on:
        errors["lots"] = _("El contrato %(contract)s ya fue embarcado el %(day)s.") % {
            "contract": contract.number,
            "day": contract.shipped_on.strftime("%d/%m/%Y"),
        }
    elif not lots:
        errors["lots"] = _("Elija los lotes que se embarcan.")
    if on is None:
        errors["on"] = _("Indique la fecha del embarque.")
    elif on < contract.signed_on:
        errors["on"] = _("El embarque no puede ser anterior al contrato.")
    if errors:
        raise ValidationError(errors)
    sold_as = Certification(contract.terms)
    lots = _locked_lots(lots)
    errors.update(_lot_problems(lots, sold_as))
    if errors:
        raise ValidationError(errors)
    # One contract of the season at a time, so the available kilograms are read and taken together.
    Season.objects.select_for_update().get(pk=contract.season_id)
    _check_mass_balance(contract.season, sold_as, contract.quantity_kg)
    _refuse(_shipped_lot_problems(lots, sold_as, contract.quantity_kg))
    contract.lots.set(lots)
    contract.shipped_on, contract.shipped_by = on, user
    contract.save(update_fields=["shipped_on", "shipped_by"])
    return contract


def _refuse(problems: dict) -> None:
    if problems:
        raise ValidationError(problems)


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
    if contract.price_pending:
        errors["invoice_number"] = _(
            "El contrato %(contract)s tiene el precio por fijar: fije el precio antes de facturar."
        ) % {"contract": contract.number}
    elif contract.awaiting_shipment:
        errors["invoice_number"] = _(
            "El contrato a futuro %(contract)s está por embarcar: "
            "asigne sus lotes al embarcar y luego facture."
        ) % {"contract": contract.number}
    if errors:
        raise ValidationError(errors)
    value, premium = contract.current_value_cents, contract.current_premium_cents  # the version in force
    lines = [
        (chart.account(chart.BUYERS_RECEIVABLE_USD), value + premium),
        (chart.account(chart.COCOA_SALES_USD), -value),
    ]
    if premium:
        lines.append((chart.account(chart.PREMIUM_ACCRUED_USD), -premium))
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
    total = contract.current_total_cents
    premium = (
        premium_owed if cents == owed else min(premium_owed, cents * contract.current_premium_cents // total)
    )
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


# --- Price to be fixed ---------------------------------------------------------------------


@transaction.atomic
def fix_contract_price(
    *, contract: SalesContract, market_price, ice_reference: str, on: Date | None, user
) -> ContractFixing:
    """Fix the market price of a PTBF contract against ICE and price it: the Fairtrade floor and premium
    of the terms in force on the contract's date apply now. Once; the contract row is never edited."""
    contract = SalesContract.objects.select_for_update().get(pk=contract.pk)
    ice_reference = (ice_reference or "").strip()
    errors = {}
    if not contract.price_to_be_fixed:
        errors["market_price"] = _("El contrato %(contract)s tiene precio: no hay precio que fijar.") % {
            "contract": contract.number
        }
    elif ContractFixing.objects.filter(contract=contract).exists():
        errors["market_price"] = _("El precio del contrato %(contract)s ya se fijó el %(day)s.") % {
            "contract": contract.number,
            "day": contract.fixing.fixed_on.strftime("%d/%m/%Y"),
        }
    if not isinstance(market_price, Decimal) or not market_price.is_finite() or market_price <= 0:
        errors.setdefault("market_price", _("El precio fijado debe ser mayor que cero (US$ por tonelada)."))
    if not ice_reference:
        errors["ice_reference"] = _("Indique la referencia ICE de la fijación (mercado y mes del contrato).")
    if on is None:
        errors["on"] = _("Indique la fecha de la fijación.")
    elif on < contract.signed_on:
        errors["on"] = _("La fijación no puede ser anterior al contrato.")
    if errors:
        raise ValidationError(errors)
    sold_as = Certification(contract.terms)
    priced, price, premium = None, market_price, Decimal(0)
    if sold_as.is_fairtrade:
        try:
            priced = fairtrade_terms(  # Fairtrade: the terms in force on the contract's date
                on=contract.signed_on,
                origin=contract.origin,
                organic=sold_as.is_organic,
                market_price=market_price,
            )
        except MissingFairtradeTerms as exc:
            raise ValidationError({"market_price": exc.messages[0]}) from None
        price, premium = priced.price, priced.premium
    tonnes_exact = Decimal(contract.quantity_kg) / KG_PER_TONNE
    fixing = ContractFixing(
        contract=contract,
        fixed_on=on,
        ice_reference=ice_reference[:120],
        market_price=market_price,
        minimum_terms=priced.minimum_row if priced else None,
        organic_terms=priced.organic_row if priced else None,
        premium_terms=priced.premium_row if priced else None,
        price_per_tonne=price,
        value_cents=round_to_minor(tonnes_exact * price),
        premium_cents=round_to_minor(tonnes_exact * premium),
        entered_by=user,
    )
    fixing.save()
    return fixing


# --- Amendments: a contract repriced on a back-dated terms row ------------------------------


@transaction.atomic
def amend_contract(
    *, contract: SalesContract, terms_rows: list[FairtradeTerms] | None, on: Date | None, user
) -> ContractAmendment:
    """Record a new version of ``contract`` priced on ``terms_rows``, the rows of each component in
    force on its date (minimum, organic for an organic sale, premium), at least one of them entered after
    it was priced; the contract row is never edited.

    An invoiced contract gets the difference posted as its own entry, on the accounts its invoice
    used (the buyer's receivable, cocoa sales, the premium owed to the fund); before the invoice
    nothing is posted and the invoice takes the version in force. Refused, with nothing written,
    when the contract's version in force already has those rows or they are not the ones in force."""
    contract = SalesContract.objects.select_for_update().get(pk=contract.pk)
    errors = {}
    given = sorted(row.pk for row in terms_rows or [])
    if not given:
        errors["fairtrade_terms"] = _("Indique las filas de condiciones de Comercio Justo que se aplican.")
    elif any(sorted(filter(None, a.terms_ids)) == given for a in contract.amendments.all()):
        errors["fairtrade_terms"] = _(
            "El contrato %(contract)s ya tiene una enmienda por esa revisión (%(row)s)."
        ) % {"contract": contract.number, "row": "; ".join(str(row) for row in terms_rows)}
    if on is None:
        errors["on"] = _("Indique la fecha de la enmienda.")
    elif on < contract.signed_on:
        errors["on"] = _("La enmienda no puede ser anterior al contrato.")
    if errors:
        raise ValidationError(errors)
    review = review_of(contract)
    if review is None:
        raise ValidationError(
            {
                "fairtrade_terms": _(
                    "El contrato %(contract)s ya está valorizado con la fila vigente en su fecha: "
                    "no hay nada que enmendar."
                )
                % {"contract": contract.number}
            }
        )
    if sorted(filter(None, review.would.ids)) != given:
        raise ValidationError(
            {
                "fairtrade_terms": _(
                    "Las filas vigentes en la fecha del contrato ahora son %(row)s: "
                    "vuelva a revisar los montos."
                )
                % {"row": "; ".join(str(row) for row in review.would.rows)}
            }
        )
    paid = contract.payments.aggregate(amount=Sum("amount_cents"), premium=Sum("premium_cents"))
    if review.would_value_cents + review.would_premium_cents < int(paid["amount"] or 0) or (
        review.would_premium_cents < int(paid["premium"] or 0)
    ):
        raise ValidationError(
            {
                "fairtrade_terms": _(
                    "El comprador ya pagó más de lo que el contrato valdría con la enmienda: "
                    "registre la devolución fuera de Minka y consulte al contador."
                )
            }
        )
    version = contract.version + 1
    entry = None
    if contract.invoice_number:
        value_diff, premium_diff = review.value_difference_cents, review.premium_difference_cents
        lines = [
            (chart.account(chart.BUYERS_RECEIVABLE_USD), value_diff + premium_diff),
            (chart.account(chart.COCOA_SALES_USD), -value_diff),
            (chart.account(chart.PREMIUM_ACCRUED_USD), -premium_diff),
        ]
        lines = [(account, amount) for account, amount in lines if amount]
        if lines:
            entry = post_entry(  # the entry's description is a record: it stays in Spanish
                date=on,
                description=(
                    f"Enmienda {version} del contrato {contract.number}, {contract.buyer}: "
                    f"condiciones de Comercio Justo desde {review.would.valid_from:%d/%m/%Y}"
                ),
                source_key=f"contract-amendment:{contract.number}:{version}",
                lines=lines,
                user=user,
            )
    amendment = ContractAmendment(
        contract=contract,
        version=version,
        minimum_terms=review.would.minimum_row,
        organic_terms=review.would.organic_row,
        premium_terms=review.would.premium_row,
        amended_on=on,
        previous_price_per_tonne=review.has_price,
        price_per_tonne=review.would.price,
        previous_value_cents=review.has_value_cents,
        value_cents=review.would_value_cents,
        previous_premium_cents=review.has_premium_cents,
        premium_cents=review.would_premium_cents,
        entry=entry,
        entered_by=user,
    )
    amendment.save()
    return amendment
