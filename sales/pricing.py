"""What a buyer must pay on Fairtrade terms, from the dated terms table (never from code).

The price is the higher of the contract's market price and the Fairtrade minimum;
for organic, either the organic minimum (rows before 2019-10-01) or the minimum
rule plus the organic differential (rows since). The premium is paid on top.
Each component has its own rows and dates (sales.models.FairtradeTerms): the
price takes, per component, the row in force on the contract's date. Contracts
are in US$: rows in euros are kept for the record and not used here.
"""

from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from sales.models import COMPONENT_GROUPS, FairtradeTerms, TermsComponent


class MissingFairtradeTerms(ValidationError):
    """No terms row covers the date and origin: refuse, never guess."""


@dataclass(frozen=True)
class FairtradePrice:
    price: Decimal  # USD per tonne the buyer must pay
    premium: Decimal  # USD per tonne, on top of the price, for the premium fund
    minimum_row: FairtradeTerms
    organic_row: FairtradeTerms | None  # an organic sale only
    premium_row: FairtradeTerms

    @property
    def rows(self) -> list[FairtradeTerms]:
        return [row for row in (self.minimum_row, self.organic_row, self.premium_row) if row is not None]

    @property
    def ids(self) -> tuple[int | None, int | None, int | None]:
        """(minimum, organic, premium), as ``SalesContract.terms_ids``."""
        return (self.minimum_row.pk, self.organic_row.pk if self.organic_row else None, self.premium_row.pk)

    @property
    def valid_from(self) -> Date:
        """The latest date of effect among the rows applied."""
        return max(row.valid_from for row in self.rows)


def fairtrade_terms(*, on: Date, origin: str, organic: bool, market_price: Decimal) -> FairtradePrice:
    """The price and premium per tonne (USD, FOB) on the rows of each component in force on ``on``."""
    if not isinstance(market_price, Decimal):
        raise TypeError("market_price es un Decimal en USD por tonelada.")
    if market_price < 0:
        raise ValidationError(_("El precio de mercado no puede ser negativo."))
    rows = terms_rows(on=on, origin=origin)
    minimum, premium = rows["minimum"], rows["premium"]
    organic_row = rows["organic"] if organic else None
    if organic and organic_row is None:
        raise _missing(on, origin, TermsComponent.ORGANIC_DIFFERENTIAL.label)
    if organic_row is not None and organic_row.kind == TermsComponent.ORGANIC_MINIMUM:
        price = max(market_price, organic_row.amount)
    elif organic_row is not None:
        price = max(market_price, minimum.amount) + organic_row.amount
    else:
        price = max(market_price, minimum.amount)
    return FairtradePrice(
        price=price, premium=premium.amount, minimum_row=minimum, organic_row=organic_row, premium_row=premium
    )


def terms_rows(*, on: Date, origin: str) -> dict[str, FairtradeTerms | None]:
    """Per component («minimum», «organic», «premium»), the latest USD row in force on ``on`` for
    ``origin``; the origin's own row beats "*" of the same day. One query. A missing minimum or
    premium is refused; a missing organic row is None (refused only for an organic sale)."""
    origin = (origin or "").strip().upper()
    candidates = FairtradeTerms.objects.filter(
        valid_from__lte=on, origin__in=[origin, FairtradeTerms.ALL_ORIGINS], currency="USD"
    ).order_by("-valid_from")
    found: dict[str, FairtradeTerms | None] = {group: None for group in COMPONENT_GROUPS}
    for row in sorted(candidates, key=lambda r: (r.valid_from, r.origin == origin), reverse=True):
        if found[row.group] is None:
            found[row.group] = row
    for group, label in (
        ("minimum", TermsComponent.MINIMUM.label),
        ("premium", TermsComponent.PREMIUM.label),
    ):
        if found[group] is None:
            raise _missing(on, origin, label)
    return found


def _missing(on: Date, origin: str, component) -> MissingFairtradeTerms:
    return MissingFairtradeTerms(
        _(
            "No hay condiciones de Comercio Justo para el origen %(origin)s vigentes al %(date)s "
            "(%(component)s): registre la fila de la tabla oficial de Fairtrade International con esa fecha."
        )
        % {"component": component, "origin": origin or _("(sin origen)"), "date": on.strftime("%d/%m/%Y")}
    )
