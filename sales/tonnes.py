"""Tonnes, the unit contracts are written in: reading a quantity as typed."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

KG_PER_TONNE = 1000


def parse_tonnes(value) -> int:
    """Tonnes as typed (comma or point, up to 3 decimals) in kilograms."""
    text = str(value if value is not None else "").strip().replace(",", ".")
    try:
        tonnes = Decimal(text)
    except InvalidOperation:
        raise ValidationError({"tonnes": f"«{value}» no es una cantidad en toneladas."}) from None
    if not tonnes.is_finite() or tonnes <= 0:
        raise ValidationError({"tonnes": "La cantidad debe ser mayor que cero."})
    kg = tonnes * KG_PER_TONNE
    if kg != kg.to_integral_value():
        raise ValidationError({"tonnes": "Use como máximo 3 decimales (kilogramos)."})
    return int(kg)
