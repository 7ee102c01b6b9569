"""Contracts, invoices and buyers' payments for the demonstration's seasons, through the sales services."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from acopio.services import build_lot_by_rule
from sales.models import ExchangeRate
from sales.selectors import mass_balance, outstanding_cents
from sales.services import invoice_contract, receive_payment, record_contract

EU_BUYERS = {"Cacao Export Europa SAC"}

SALES = {
    "2019": [
        ("ft", "CV-2019-001", "Chocolates del Norte EIRL", date(2019, 8, 12), "2250"),
        ("ft_org", "CV-2019-002", "Cacao Export Europa SAC", date(2019, 11, 5), "2380"),
    ],
    "2025": [
        ("ft_org", "CV-2025-001", "Cacao Export Europa SAC", date(2025, 8, 20), "8450"),
        ("ft", "CV-2025-002", "Chocolates del Norte EIRL", date(2025, 10, 3), "7900"),
        ("conv", "CV-2025-003", "Agroexportadora San Martín SA", date(2025, 11, 14), "7600"),
    ],
    "2026": [
        ("ft_org", "CV-2026-001", "Cacao Export Europa SAC", date(2026, 7, 9), "6120"),
        ("ft", "CV-2026-002", "Chocolates del Norte EIRL", date(2026, 9, 22), "5980"),
    ],
}


def exchange_rates(first: date, last: date) -> None:
    """Illustrative PEN/USD rates for business days (around 3.70); a real install imports SBS's table."""
    rows, day, rate = [], first, Decimal("3.7200")
    while day <= last:
        if day.weekday() < 5:
            rate += Decimal((day.toordinal() * 7919) % 41 - 20) / 10_000
            rate = min(max(rate, Decimal("3.3500")), Decimal("3.9500"))
            rows.append(
                ExchangeRate(date=day, buy=rate, sell=rate + Decimal("0.0060"), source="demostración")
            )
        day += timedelta(days=1)
    ExchangeRate.objects.bulk_create(rows, ignore_conflicts=True)


def _invoice_and_collect(sale, user, today: date) -> None:
    """Invoiced ten days after signing; paid in two parts, 30 and 60 days after, when those days have come."""
    invoiced_on = sale.signed_on + timedelta(days=10)
    if invoiced_on > today:
        return
    invoice_contract(contract=sale, invoice_number=f"F001-{sale.pk:06d}", on=invoiced_on, user=user)
    for days, share in ((30, Decimal("0.6")), (60, None)):
        paid_on = sale.signed_on + timedelta(days=days)
        if paid_on > today:
            return
        owed, _ = outstanding_cents(sale)
        cents = owed if share is None else int(owed * share)
        receive_payment(
            contract=sale,
            amount=Decimal(cents) / 100,
            reference=f"BCP-{sale.number}-{days}",
            on=paid_on,
            user=user,
        )


def generate(seasons, user) -> None:
    """Lots by rule and contracts for about half of each season's certified cocoa (mass balance kept)."""
    today = timezone.localdate()
    exchange_rates(seasons[0].starts_on, today)
    for season in seasons:
        for claim, number, buyer, signed_on, price in SALES.get(season.code, []):
            if signed_on > today:
                continue
            try:
                lot = build_lot_by_rule(
                    code=f"L-{number[3:]}",
                    season=season,
                    claim=claim,
                    # The European buyer's lots carry the EUDR geolocation of every plot behind them.
                    for_eu=buyer in EU_BUYERS,
                    user=user,
                    date_to=signed_on,
                )
            except ValidationError:
                continue  # nothing left to gather for this claim
            available = {line.product: line.available_kg for line in mass_balance(season)}
            needed = [("Comercio Justo", claim.startswith("ft")), ("Orgánico", claim.endswith("org"))]
            # The contract sells the lot: its tonnes are the lot's dry weight (sales.services checks it).
            tonnes = (Decimal(lot.dry_g) / 1_000_000).quantize(Decimal("0.001"))
            if tonnes <= 0 or any(tonnes * 1000 > available[p] for p, applies in needed if applies):
                continue
            sale = record_contract(
                number=number,
                buyer=buyer,
                signed_on=signed_on,
                terms=claim,
                tonnes=tonnes,
                contract_price=Decimal(price),
                lots=[lot],
                user=user,
            )
            _invoice_and_collect(sale, user, today)
