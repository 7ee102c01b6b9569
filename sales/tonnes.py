"""Tonnes, the unit contracts are written in: reading a quantity as typed."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from toolkit.numbers import number_from_cell

KG_PER_TONNE = 1000


def parse_tonnes(value) -> int:
    """Tonnes in kilograms: text as typed, read by the one number parser (up to 3 decimals, «t»
    optional); a Decimal or int from code as it is."""
    try:
        tonnes = number_from_cell(
            value if value is not None else "", max_decimals=3, unit="t", allow_negative=True
        )
    except ValidationError as exc:
        raise ValidationError({"tonnes": exc.messages}) from None
    if tonnes <= 0:
        raise ValidationError({"tonnes": _("La cantidad debe ser mayor que cero.")})
    return int(tonnes * KG_PER_TONNE)
