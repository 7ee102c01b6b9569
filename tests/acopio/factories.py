"""A small cooperative ready to buy cocoa: two seasons, two centres, a price list, three members.

Plain functions, so tests outside tests/acopio (the access table) can build the same setup.
"""

from datetime import date
from decimal import Decimal

from acopio import services as purchases
from acopio.models import CocoaForm, CollectionCentre, Grade, PriceRow
from coop.models import Certification, Member, OrganicStage, Plot, Season

DAY = date(2026, 3, 10)
PRICES = {  # soles per kg, from 2026-01-01
    (CocoaForm.WET, Grade.UNGRADED): {"conv": "3.10", "ft": "3.40", "org": "3.60", "ft_org": "3.80"},
    (CocoaForm.DRY, Grade.GRADE_1): {"conv": "9.50", "ft": "10.30", "org": "10.80", "ft_org": "11.35"},
    (CocoaForm.DRY, Grade.GRADE_2): {"conv": "8.90", "ft": "9.70", "org": "10.10", "ft_org": "10.65"},
    (CocoaForm.DRY, Grade.SUBSTANDARD): {"conv": "7.00", "ft": "7.00", "org": "7.00", "ft_org": "7.00"},
}


def load_prices(valid_from: date, prices=PRICES):
    rows = []
    for (form, grade), by_claim in prices.items():
        for claim, price in by_claim.items():
            rows.append(
                PriceRow.objects.create(
                    valid_from=valid_from,
                    form=form,
                    grade=grade,
                    certification=claim,
                    price_per_kg=Decimal(price),
                )
            )
    return rows


def make_coop() -> dict:
    seasons = {
        "2025": Season.objects.create(
            code="2025",
            name="Campaña 2025",
            starts_on=date(2025, 1, 1),
            ends_on=date(2025, 12, 31),
            wet_to_dry_factor=Decimal("0.380"),
            max_yield_kg_per_ha=900,
        ),
        "2026": Season.objects.create(
            code="2026",
            name="Campaña 2026",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
            wet_to_dry_factor=Decimal("0.370"),
            max_yield_kg_per_ha=900,
        ),
    }
    load_prices(date(2026, 1, 1))
    centre = CollectionCentre.objects.create(code="C01", name="Chazuta", receipt_series="C01")
    other_centre = CollectionCentre.objects.create(code="C02", name="Curiyacu", receipt_series="C02")
    maria = Member.objects.create(
        code="S-00001", dni="41234567", name="María Luz Tuanama Sangama", community="Tununtunumba"
    )
    segundo = Member.objects.create(
        code="S-00002", dni="01234567", name="Segundo Panaifo Amasifuen", community="Curiyacu"
    )
    rosa = Member.objects.create(
        code="S-00003", dni="42345678", name="Rosa Ríos Isuiza", community="Curiyacu"
    )
    plots = {
        # Fairtrade since 2020, organic certified from 2026-03-01 on: before that, Fairtrade only.
        "maria": Plot.objects.create(
            member=maria,
            code="S-00001-P1",
            cocoa_producing_ha=Decimal("2.0"),
            fairtrade_certified=True,
            fairtrade_since=date(2020, 1, 1),
            organic_stage=OrganicStage.ORGANIC,
            organic_certified_on=date(2026, 3, 1),
        ),
        "segundo": Plot.objects.create(
            member=segundo,
            code="S-00002-P1",
            cocoa_producing_ha=Decimal("0.5"),
            organic_stage=OrganicStage.TRANSITION_2,
        ),
        "rosa_ft": Plot.objects.create(
            member=rosa, code="S-00003-P1", cocoa_producing_ha=Decimal("1.0"), fairtrade_certified=True
        ),
        "rosa_conv": Plot.objects.create(member=rosa, code="S-00003-P2", cocoa_producing_ha=Decimal("1.0")),
    }
    return {
        "seasons": seasons,
        "centre": centre,
        "other_centre": other_centre,
        "maria": maria,
        "segundo": segundo,
        "rosa": rosa,
        "plots": plots,
        "claims": Certification,
    }


def record(coop: dict, user, **overrides):
    """Record a delivery with sensible defaults (María, dry grade I, 100 kg gross, 1 kg tare)."""
    arguments = {
        "member": coop["maria"],
        "plot": coop["plots"]["maria"],
        "centre": coop["centre"],
        "date": DAY,
        "form": CocoaForm.DRY,
        "grade": Grade.GRADE_1,
        "gross_kg": "100",
        "tare_kg": "1",
        "moisture_pct": "7.5",
        "user": user,
    }
    arguments.update(overrides)
    return purchases.record_delivery(**arguments)
