"""Money and weights on pages and PDFs: the same formatting everywhere, so numbers match."""

from decimal import Decimal

from django import template

from toolkit.money import GRAMS_PER_KG, format_money

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
    """Kilograms (Decimal or int) as tonnes with three decimals: 25.000 t."""
    return "" if kilograms is None else f"{Decimal(kilograms) / 1000:,.3f} t"


@register.filter
def kg(grams) -> str:
    """Grams as kilograms with up to three decimals: 1,234.5 kg."""
    if grams is None:
        return ""
    value = (Decimal(int(grams)) / GRAMS_PER_KG).normalize()
    text = f"{value:,.3f}".rstrip("0").rstrip(".")
    return f"{text} kg"
