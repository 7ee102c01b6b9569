"""What a buyer must pay on Fairtrade terms, from the dated terms table (never from code).

The price is the higher of the contract's market price and the Fairtrade minimum;
for organic, either the organic minimum (rows before 2019-10-01) or the minimum
rule plus the organic differential (rows since). The premium is paid on top.
"""

from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext as _

from sales.models import FairtradeTerms, OrganicRule


class MissingFairtradeTerms(ValidationError):
    """No terms row covers the date and origin: refuse, never guess."""


@dataclass(frozen=True)
class FairtradePrice:
    price: Decimal  # USD per tonne the buyer must pay
    premium: Decimal  # USD per tonne, on top of the price, for the premium fund
    row: FairtradeTerms


def fairtrade_terms(*, on: Date, origin: str, organic: bool, market_price: Decimal) -> FairtradePrice:
    if not isinstance(market_price, Decimal):
        raise TypeError("market_price es un Decimal en USD por tonelada.")
    if market_price < 0:
        raise ValidationError(_("El precio de mercado no puede ser negativo."))
    row = terms_row(on=on, origin=origin)
    if organic and row.organic_rule == OrganicRule.ORGANIC_MINIMUM:
        price = max(market_price, row.organic_minimum_price)
    elif organic:
        price = max(market_price, row.minimum_price) + row.organic_differential
    else:
        price = max(market_price, row.minimum_price)
    return FairtradePrice(price=price, premium=row.premium, row=row)


def terms_row(*, on: Date, origin: str) -> FairtradeTerms:
    """The latest row in force on ``on`` for ``origin``; the origin's own row beats "*" of the same day."""
    origin = (origin or "").strip().upper()
    row = (
        FairtradeTerms.objects.filter(valid_from__lte=on, origin__in=[origin, FairtradeTerms.ALL_ORIGINS])
        .annotate(
            specific=Case(When(origin=origin, then=Value(1)), default=Value(0), output_field=IntegerField())
        )
        .order_by("-valid_from", "-specific")
        .first()
    )
    if row is None:
        raise MissingFairtradeTerms(
            _(
                "No hay condiciones de Comercio Justo para el origen %(origin)s vigentes al %(date)s: "
                "registre la fila de la tabla oficial de Fairtrade International con esa fecha."
            )
            % {"origin": origin or _("(sin origen)"), "date": on.strftime("%d/%m/%Y")}
        )
    return row
