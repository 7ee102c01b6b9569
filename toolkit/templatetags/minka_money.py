"""Money and weights on pages and PDFs: the same formatting everywhere, so numbers match."""

from decimal import Decimal

from django import template

from toolkit.money import GRAMS_PER_KG, format_money
from toolkit.numbers import shown_decimal

register = template.Library()


@register.filter
def soles(minor) -> str:
    """Céntimos as Peru writes soles: S/ 1,234.56."""
    return "" if minor is None else format_money(int(minor), "PEN")


@register.filter
def dollars(cents) -> str:
    """US cents as US$ 1,234.56."""
    return "" if cents is None else format_money(int(cents), "USD")


@register.filter
def tonnes(kilograms) -> str:
    """Kilograms (Decimal or int) as tonnes, written as the parser reads them back: 25 t, 12.5 t."""
    return "" if kilograms is None else f"{shown_decimal(Decimal(kilograms) / 1000)} t"


@register.filter
def kg(grams) -> str:
    """Grams as kilograms, written as the parser reads them back: 1,234.5 kg, 1,234.0 kg, 62.1250 kg."""
    if grams is None:
        return ""
    return f"{shown_decimal(Decimal(int(grams)) / GRAMS_PER_KG)} kg"
