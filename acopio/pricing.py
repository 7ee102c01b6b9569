"""What a delivery is worth, by arithmetic alone: the claim it is bought under, its dry equivalent,
its amount, a member's yield capacity, and the journal's words for the purchase.

Nothing here reads the database; acopio.selectors reads what these figures need.
"""

from datetime import date as Date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import translation

from acopio.models import CocoaForm, Delivery
from coop.models import Certification, Plot, Season
from toolkit.money import GRAMS_PER_KG, round_to_minor


def claim_for(*, plot: Plot | None, member_plots: list[Plot], on: Date) -> str:
    """The plot's claim on that date; without a plot, only what every plot of the member can claim."""
    if plot is not None:
        return plot.claim_on(on)
    if not member_plots:
        return Certification.CONVENTIONAL
    return Certification.from_flags(
        fairtrade=all(p.fairtrade_on(on) for p in member_plots),
        organic=all(p.organic_on(on) for p in member_plots),
    )


def dry_equivalent_g(*, net_g: int, form: str, season: Season) -> int:
    if form == CocoaForm.DRY:
        return net_g
    return int((Decimal(net_g) * season.wet_to_dry_factor).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def purchase_amount_minor(*, net_g: int, price_per_kg: Decimal) -> int:
    """Net kg × price per kg, rounded once, half up, to the céntimo."""
    return round_to_minor(Decimal(net_g) / GRAMS_PER_KG * price_per_kg)


def capacity_g(plots: list[Plot], season: Season) -> int:
    """Area in production over the member's plots × the season's maximum yield, in grams."""
    hectares = sum((p.cocoa_producing_ha or Decimal(0) for p in plots), Decimal(0))
    return int(hectares * season.max_yield_kg_per_ha * GRAMS_PER_KG)


def purchase_description(delivery: Delivery) -> str:
    """The purchase entry's description: a journal record, written in Spanish whatever the page's language."""
    with translation.override(settings.LANGUAGE_CODE):
        form = delivery.get_form_display().lower()
    if delivery.supplier_id is not None:
        supplier = delivery.supplier
        return (
            f"Compra de cacao a no socio, recibo {delivery.receipt_code}, "
            f"{supplier.document_label} {supplier.document}, {delivery.net_g / GRAMS_PER_KG:.3f} kg {form}"
        )
    return (
        f"Compra de cacao, recibo {delivery.receipt_code}, socio {delivery.member.code}, "
        f"{delivery.net_g / GRAMS_PER_KG:.3f} kg {form}"
    )
