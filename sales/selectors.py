"""Reads of trade that pages and reports compose: the mass balance of several seasons at once."""

from decimal import Decimal

from django.db.models import Sum

from acopio.models import Delivery
from config.money import GRAMS_PER_KG
from coop.models import Season
from sales.models import SalesContract
from sales.services import FAIRTRADE_CLAIMS, ORGANIC_CLAIMS, BalanceLine

CLAIMS_OF_PRODUCT = {"Comercio Justo": FAIRTRADE_CLAIMS, "Orgánico": ORGANIC_CLAIMS}


def balance_lines(*, bought_g: dict[str, int], sold_kg: dict[str, int]) -> list[BalanceLine]:
    """The mass balance from dry grams bought and kilograms sold per certification, as
    ``sales.services.mass_balance`` reads it (valid deliveries, contracts by their terms)."""
    return [
        BalanceLine(
            product,
            Decimal(sum(bought_g.get(claim, 0) for claim in claims)) / GRAMS_PER_KG,
            Decimal(sum(sold_kg.get(claim, 0) for claim in claims)),
        )
        for product, claims in CLAIMS_OF_PRODUCT.items()
    ]


def sold_kg_by_terms(seasons: list[Season]) -> dict[tuple[int, str], int]:
    """Kilograms under contract per (season id, terms)."""
    rows = (
        SalesContract.objects.filter(season__in=seasons)
        .values("season_id", "terms")
        .annotate(kg=Sum("quantity_kg"))
        .order_by()
    )
    return {(row["season_id"], row["terms"]): int(row["kg"] or 0) for row in rows}


def mass_balances(seasons: list[Season]) -> list[tuple[Season, list[BalanceLine]]]:
    """Each season's mass balance: one pass over the seasons' valid deliveries and one over contracts."""
    bought = {
        (row["season_id"], row["certification"]): int(row["dry"] or 0)
        for row in Delivery.objects.valid()
        .filter(season__in=seasons)
        .values("season_id", "certification")
        .annotate(dry=Sum("dry_g"))
        .order_by()
    }
    sold = sold_kg_by_terms(seasons)
    return [
        (
            season,
            balance_lines(
                bought_g={claim: g for (pk, claim), g in bought.items() if pk == season.pk},
                sold_kg={terms: kg for (pk, terms), kg in sold.items() if pk == season.pk},
            ),
        )
        for season in seasons
    ]
