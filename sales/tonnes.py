"""Tonnes, the unit contracts are written in: reading a quantity as typed."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

KG_PER_TONNE = 1000


def parse_tonnes(value) -> int:
    """Tonnes as typed (comma or point, up to 3 decimals) in kilograms."""
    text = str(value if value is not None else "").strip().replace(",", ".")
    try:
        tonnes = Decimal(text)
    except InvalidOperation:
        raise ValidationError(
            {"tonnes": _("«%(value)s» no es una cantidad en toneladas.") % {"value": value}}
        ) from None
    if not tonnes.is_finite() or tonnes <= 0:
        raise ValidationError({"tonnes": _("La cantidad debe ser mayor que cero.")})
    kg = tonnes * KG_PER_TONNE
    if kg != kg.to_integral_value():
        raise ValidationError({"tonnes": _("Use como máximo 3 decimales (kilogramos).")})
    return int(kg)
