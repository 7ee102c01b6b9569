"""Reads of trade: the mass balance of a season (or of several at once), what a buyer still owes
on a contract."""

from dataclasses import dataclass
from datetime import date as Date
from datetime import timedelta
from decimal import Decimal

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from acopio.models import Delivery
from coop.models import Certification, Season
from sales.models import (
    COMMITTED,
    COMPONENT_GROUPS,
    ContractAmendment,
    FairtradeTerms,
    FairtradeTermsCheck,
    SalesContract,
)
from sales.pricing import FairtradePrice, MissingFairtradeTerms, fairtrade_terms
from sales.tonnes import KG_PER_TONNE
from toolkit.money import GRAMS_PER_KG, round_to_minor


@dataclass(frozen=True)
class BalanceLine:
    product: str  # "Comercio Justo" or "Orgánico": a key, written as it is in exports and audit packs
    bought_kg: Decimal  # dry equivalent, from valid deliveries
    sold_kg: Decimal  # contracts

    @property
    def available_kg(self) -> Decimal:
        return self.bought_kg - self.sold_kg

    @property
    def label(self) -> str:
        """The product's name for a page, in the reader's language."""
        return str(PRODUCT_LABELS[self.product])


FAIRTRADE_CLAIMS = [c.value for c in Certification if c.is_fairtrade]
ORGANIC_CLAIMS = [c.value for c in Certification if c.is_organic]
PRODUCTS = {  # product: (deliveries bought as it, contracts sold as it)
    "Comercio Justo": (Q(certification__in=FAIRTRADE_CLAIMS), Q(terms__in=FAIRTRADE_CLAIMS)),
    "Orgánico": (Q(certification__in=ORGANIC_CLAIMS), Q(terms__in=ORGANIC_CLAIMS)),
}
PRODUCT_LABELS = {"Comercio Justo": _("Comercio Justo"), "Orgánico": _("Orgánico")}


def mass_balance(season: Season) -> list[BalanceLine]:
    """Bought, sold and available kilograms per certified product in the season (two queries per product)."""
    lines = []
    for product, (bought_filter, sold_filter) in PRODUCTS.items():
        bought_g = (
            Delivery.objects.valid()
            .filter(bought_filter, season=season)
            .aggregate(total=Sum("dry_g"))["total"]
        )
        sold_kg = SalesContract.objects.filter(sold_filter, COMMITTED, season=season).aggregate(
            total=Sum("quantity_kg")
        )["total"]
        lines.append(
            BalanceLine(product, Decimal(int(bought_g or 0)) / GRAMS_PER_KG, Decimal(int(sold_kg or 0)))
        )
    return lines


def outstanding_cents(contract: SalesContract) -> tuple[int, int]:
    """(what the buyer still owes, of which premium), in US cents, on the version in force."""
    paid = contract.payments.aggregate(amount=Sum("amount_cents"), premium=Sum("premium_cents"))
    total = contract.current_total_cents
    return total - int(paid["amount"] or 0), contract.current_premium_cents - int(paid["premium"] or 0)


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
        SalesContract.objects.filter(COMMITTED, season__in=seasons)
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


# --- Keeping the Fairtrade terms current -------------------------------------------------

TERMS_CHECK_EVERY = timedelta(days=183)  # domain.md: confirm against Fairtrade's table every 6 months


@dataclass(frozen=True)
class TermsCheckStatus:
    last: FairtradeTermsCheck | None
    due: bool  # never checked, or not for six months
    rows_to_confirm: int  # rows whose date of effect is still to be confirmed


def terms_check_status(today: Date | None = None) -> TermsCheckStatus:
    today = today or timezone.localdate()
    last = FairtradeTermsCheck.objects.select_related("checked_by").first()
    return TermsCheckStatus(
        last=last,
        due=last is None or today - last.checked_on > TERMS_CHECK_EVERY,
        rows_to_confirm=FairtradeTerms.objects.filter(date_to_confirm=True).count(),
    )


@dataclass(frozen=True)
class ContractToReview:
    """A contract priced on a terms row that is no longer the one in force on its date: a row entered
    later (back-dated) applies. What its version in force has and what it would have, per tonne and
    in total, and the difference an amendment would post."""

    contract: SalesContract
    would: FairtradePrice
    would_value_cents: int
    would_premium_cents: int

    @property
    def new_rows(self) -> list[FairtradeTerms]:
        """The rows in force on the contract's date that its version in force was not priced on."""
        has = set(filter(None, self.contract.current_terms_ids))
        return [row for row in self.would.rows if row.pk not in has]

    @property
    def has_price(self) -> Decimal:
        return self.contract.current_price_per_tonne

    @property
    def has_value_cents(self) -> int:
        return self.contract.current_value_cents

    @property
    def has_premium_cents(self) -> int:
        return self.contract.current_premium_cents

    @property
    def value_difference_cents(self) -> int:
        return self.would_value_cents - self.has_value_cents

    @property
    def premium_difference_cents(self) -> int:
        return self.would_premium_cents - self.has_premium_cents

    @property
    def total_difference_cents(self) -> int:
        return self.value_difference_cents + self.premium_difference_cents


def review_of(contract: SalesContract) -> ContractToReview | None:
    """What an amendment would apply to ``contract``, or None when its version in force is priced on
    the rows of each component in force on its date (or it is not sold on Fairtrade terms)."""
    if not contract.on_fairtrade_terms:
        return None
    sold_as = Certification(contract.terms)
    try:
        would = fairtrade_terms(
            on=contract.signed_on,
            origin=contract.origin,
            organic=sold_as.is_organic,
            market_price=contract.current_market_price,
        )
    except MissingFairtradeTerms:
        return None  # a row was removed: nothing newer to compare with
    if would.ids == contract.current_terms_ids:
        return None
    tonnes = Decimal(contract.quantity_kg) / KG_PER_TONNE
    return ContractToReview(
        contract=contract,
        would=would,
        would_value_cents=round_to_minor(tonnes * would.price),
        would_premium_cents=round_to_minor(tonnes * would.premium),
    )


def contracts_to_review() -> list[ContractToReview]:
    contracts = (
        SalesContract.objects.filter(Q(minimum_terms__isnull=False) | Q(fixing__minimum_terms__isnull=False))
        .select_related(
            "minimum_terms",
            "organic_terms",
            "premium_terms",
            "fixing__minimum_terms",
            "fixing__organic_terms",
            "fixing__premium_terms",
        )
        .prefetch_related(
            "amendments__minimum_terms", "amendments__organic_terms", "amendments__premium_terms"
        )
        .order_by("signed_on", "number")
    )
    return [review for review in map(review_of, contracts) if review is not None]


def _in_force(kinds) -> Subquery:
    """The row of one component in force on the contract's date for its origin (the origin's own row
    beats "*" of the same day), as a subquery on SalesContract; US$ rows only, as pricing reads them."""
    return Subquery(
        FairtradeTerms.objects.filter(
            Q(origin=OuterRef("origin")) | Q(origin=FairtradeTerms.ALL_ORIGINS),
            kind__in=kinds,
            currency="USD",
            valid_from__lte=OuterRef("signed_on"),
        )
        .annotate(
            # Among the rows of the contract's origin and "*", the origin's own is the specific one.
            specific=Case(
                When(origin=FairtradeTerms.ALL_ORIGINS, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("-valid_from", "-specific")
        .values("pk")[:1]
    )


def contracts_to_review_count() -> int:
    """How many contracts ``contracts_to_review`` lists, in one query: those whose version in force is
    not priced, for some component, on the row in force on their signing date for their origin."""
    # The version in force is the latest amendment's rows, or the contract's own when never amended.
    amended_to = ContractAmendment.objects.filter(contract=OuterRef("pk")).order_by("-version")
    amended = SalesContract.objects.filter(pk=OuterRef("pk"), amendments__isnull=False)
    organic_sale = Q(terms__in=ORGANIC_CLAIMS)
    # A PTBF contract is priced by its fixing, which comes between the contract row and the amendments.
    fixed = Q(price_to_be_fixed=True, fixing__isnull=False)
    contracts = SalesContract.objects.filter(
        Q(minimum_terms__isnull=False) | Q(fixing__minimum_terms__isnull=False)
    ).annotate(
        minimum_now=_in_force(COMPONENT_GROUPS["minimum"]),
        organic_now=_in_force(COMPONENT_GROUPS["organic"]),
        premium_now=_in_force(COMPONENT_GROUPS["premium"]),
        minimum_has=Coalesce(
            Subquery(amended_to.values("minimum_terms")[:1]),
            F("fixing__minimum_terms_id"),
            F("minimum_terms_id"),
        ),
        premium_has=Coalesce(
            Subquery(amended_to.values("premium_terms")[:1]),
            F("fixing__premium_terms_id"),
            F("premium_terms_id"),
        ),
        organic_has=Case(
            When(Exists(amended), then=Subquery(amended_to.values("organic_terms")[:1])),
            When(fixed, then=F("fixing__organic_terms_id")),
            default=F("organic_terms_id"),
            output_field=IntegerField(),
        ),
    )
    # A missing minimum or premium row is «no terms»: pricing refuses, review_of answers None.
    contracts = contracts.filter(minimum_now__isnull=False, premium_now__isnull=False)
    organic_differs = organic_sale & (
        ~Q(organic_now=F("organic_has")) | Q(organic_has__isnull=True, organic_now__isnull=False)
    )
    return contracts.filter(
        ~Q(minimum_now=F("minimum_has")) | ~Q(premium_now=F("premium_has")) | organic_differs
    ).count()
