"""Money as exact integers in minor units (céntimos, cents).

The ledger stores and sums integers only, so totals are exact on SQLite and
PostgreSQL alike. Decimal appears only at the edges: reading an amount a
person typed or a file carried, and showing one.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

GRAMS_PER_KG = 1000  # weights are integer grams, like money in minor units
CURRENCY_SYMBOLS = {"PEN": "S/", "USD": "US$"}
MINOR_UNIT = Decimal("0.01")


def _as_decimal(amount: Decimal | int | str) -> Decimal:
    # A float has already lost the céntimo it was meant to carry: refuse it outright.
    if isinstance(amount, float | bool):
        raise TypeError("Los montos se pasan como Decimal, int o texto, nunca como float.")
    try:
        value = Decimal(amount.strip() if isinstance(amount, str) else amount)
    except InvalidOperation:
        raise ValidationError(_("«%(amount)s» no es un monto válido.") % {"amount": amount}) from None
    if not value.is_finite():
        raise ValidationError(_("«%(amount)s» no es un monto válido.") % {"amount": amount})
    return value


def _quantize(value: Decimal, amount, rounding=None) -> Decimal:
    try:
        return value.quantize(MINOR_UNIT, rounding=rounding)
    except InvalidOperation:
        raise ValidationError(_("El monto %(amount)s es demasiado grande.") % {"amount": amount}) from None


def to_minor(amount: Decimal | int | str) -> int:
    """An amount as given (e.g. soles) in minor units. More than two decimals is refused, not rounded."""
    value = _as_decimal(amount)
    if _quantize(value, amount) != value:
        raise ValidationError(_("El monto %(amount)s tiene más de dos decimales.") % {"amount": amount})
    return int(value.scaleb(2))


def typed_to_minor(amount, currency: str = "PEN") -> int:
    """An amount in ``currency`` in minor units. Text is what a person typed and is read by the one
    number parser (toolkit.numbers.parse_money), which refuses what it would have to guess; a Decimal
    or int comes from code and is taken as it is (see ``to_minor``). Negative amounts are read, so
    callers say themselves why a negative amount is refused."""
    if isinstance(amount, str):
        from toolkit.numbers import parse_money  # numbers imports forms; money stays light

        amount = parse_money(amount, currency=currency, allow_negative=True)
    return to_minor(amount)


def round_to_minor(amount: Decimal | int | str) -> int:
    """The one rounding step for computed amounts (price × weight): half up to the minor unit."""
    value = _as_decimal(amount)
    return int(_quantize(value, amount, rounding=ROUND_HALF_UP).scaleb(2))


def from_minor(minor: int) -> Decimal:
    """Minor units back to a Decimal with exactly two places (exact: no division)."""
    return Decimal(int(minor)).scaleb(-2)


def format_money(minor: int, currency: str) -> str:
    """'S/ 1,234.56', 'US$ 1,234.56', '-S/ 0.05'."""
    symbol = CURRENCY_SYMBOLS[currency]
    sign = "-" if minor < 0 else ""
    major, cents = divmod(abs(int(minor)), 100)
    return f"{sign}{symbol} {major:,}.{cents:02d}"
