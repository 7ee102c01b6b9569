"""The one reader for every number a person types: amounts, weights, prices, rates, percentages.

It reads what Minka itself shows («S/ 2,500.00», «US$ 1,734.50», «1,234.5 kg», «3.7512») and the
decimal comma where it cannot mean anything else («62,5», «2500,75»). It refuses, with a message that
repeats what was typed, anything it would have to guess:

- A single point or comma followed by exactly three digits («2,500», «1.250») is either thousands or
  decimals; the person is asked «¿2500 o 2.5? Escriba 2500 o 2.5». This is decided on the text
  alone, whatever the field allows. Not ambiguous when the integer part is empty or zero («0.125»,
  «-0,125», «.125»): no grouping starts with 0. When the decimal reading has more decimals than the
  field allows («S/ 2.505» for money) the message says so instead («Use como máximo 2 decimales»).
- With both marks, the last one is the decimal separator and the other one groups thousands
  («2,500.50», «1.234.567,89»); the same mark repeated only groups («1.234.567» = 1234567). A
  grouping has a first group of 1–3 digits (not starting with 0) and then groups of exactly three.
- A leading decimal mark is read as «0.»: «.5» and «,5» are 0.5. A trailing mark («5.») is refused.
- The minus sign may come before the currency sign (as Minka prints, «-S/ 2,500.00») or after it
  («S/ -2,500.00»); «−» (U+2212, from pasted documents) counts as a minus. There is no plus sign.
  «-0» is zero, not a negative number.
- Currency signs: «S/», «S/.» (followed by a space) and «PEN» for soles; «US$», «USD» and «$» for
  dollars; upper or lower case. Spaces (also U+00A0 and U+202F) may separate sign and number. A
  currency sign is accepted only when the caller names the expected currency, and must match it.
- No exponents («1e5»), no inf/NaN, only ASCII digits, and no more significant decimals than the
  field allows: trailing zeros do not count («2.50» is 2.5), so a weight of exactly three decimals
  can always be typed unambiguously with a fourth zero («62.1250» kg). The result is an exact
  Decimal as typed, never a float.

Messages are ValidationErrors with a code («empty», «invalid», «ambiguous», «wrong_currency»,
«negative», «out_of_range», «too_many_decimals») and the typed text (stripped) as ``params["typed"]``.
"""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

# Soles per US dollar have stayed between 2.5 and 4.5 for decades: outside this range a figure is a
# typing or file error. It also settles «3,418», which as an exchange rate can only be 3.418.
SOLES_PER_DOLLAR = (Decimal("0.5"), Decimal("20"))

CURRENCY_SIGNS = {"S/": "PEN", "S/.": "PEN", "PEN": "PEN", "US$": "USD", "USD": "USD", "$": "USD"}
SHOWN_SIGN = {"PEN": "S/", "USD": "US$"}

_SPACES = "[ \u00a0\u202f]*"
_TYPED_NUMBER = re.compile(
    rf"(?P<minus>[-\u2212])?(?:(?P<sign>S/\.?|US\$|USD|PEN|\$)(?P<gap>{_SPACES}))?(?P<minus_after>[-\u2212])?"
    rf"(?P<number>[0-9.,]+)(?:{_SPACES}(?P<unit>\S+))?",
    re.IGNORECASE,
)
_EXPONENT = re.compile(r"[0-9][eE][-+]?[0-9]")

MESSAGES = {
    "empty": _("Escriba un número."),
    "invalid": _("«%(typed)s» no es un número."),
    "exponent": _("«%(typed)s» está en notación científica; escriba el número completo."),
    "separators": _("«%(typed)s» tiene los separadores de miles o de decimales fuera de lugar."),
    "ambiguous": _("«%(typed)s»: ¿%(grouped)s o %(decimal)s? Escriba %(grouped)s o %(decimal_typed)s."),
    "currency": _("«%(typed)s» no es un monto en %(currency)s."),
    "no_currency": _("«%(typed)s» lleva un símbolo de moneda; aquí se escribe solo el número."),
    "negative": _("«%(typed)s»: el número no puede ser negativo."),
    "out_of_range": _(
        "«%(typed)s» es demasiado grande: use como máximo %(max)s cifras antes de los decimales."
    ),
    "whole": _("«%(typed)s» lleva decimales; escriba un número entero."),
    "whole_grouped": _(
        "«%(typed)s»: ¿%(grouped)s? Un número entero se escribe sin punto ni coma: %(grouped)s."
    ),
    "too_many_decimals": ngettext_lazy(
        "«%(typed)s» tiene demasiados decimales. Use como máximo %(max)s decimal.",
        "«%(typed)s» tiene demasiados decimales. Use como máximo %(max)s decimales.",
        "max",
    ),
}


def _refuse(message: str, code: str, typed: str, **params) -> ValidationError:
    return ValidationError(MESSAGES[message], code=code, params={"typed": typed, **params})


def parse_decimal(
    typed: str,
    *,
    max_decimals: int | None = None,
    currency: str | None = None,
    unit: str | None = None,
    allow_negative: bool = False,
    max_digits: int = 15,
    between: tuple[Decimal, Decimal] | None = None,
) -> Decimal:
    """The exact Decimal a person meant by ``typed``, or a ValidationError saying why not.

    ``currency`` ("PEN"/"USD") allows that currency's signs and refuses the others; ``unit`` (e.g. "kg",
    "%") allows that suffix; ``max_digits`` limits the digits before the decimal separator.
    ``between`` (low, high) is for a quantity whose every possible value lies in that range, such as
    an exchange rate in soles per dollar: of the two readings of «3,418» only 3.418 can be a rate, so
    it is taken instead of asked about. Without it the text alone decides.
    """
    if not isinstance(typed, str):
        raise TypeError("parse_decimal reads text; use number_from_cell for spreadsheet cells.")
    if currency is not None and currency not in SHOWN_SIGN:
        raise ValueError(f"Unknown currency {currency!r}")
    typed = typed.strip()
    if not typed:
        raise ValidationError(MESSAGES["empty"], code="empty", params={"typed": typed})
    not_a_number = _refuse("exponent" if _EXPONENT.search(typed) else "invalid", "invalid", typed)
    match = _TYPED_NUMBER.fullmatch(typed)
    if not match:
        raise not_a_number
    sign, number, typed_unit = match["sign"], match["number"], match["unit"]
    if (match["minus"] and match["minus_after"]) or not any(c.isdigit() for c in number):
        raise not_a_number
    if typed_unit is not None and (unit is None or typed_unit.lower() != unit.lower()):
        raise not_a_number  # also «1e5»: a «1» with the unit «e5»
    if sign is not None:
        if sign.upper() == "S/." and not match["gap"]:  # «S/.5»: is the point the sign's or the number's?
            raise _refuse("invalid", "invalid", typed)
        if currency is None:
            raise _refuse("no_currency", "wrong_currency", typed)
        if CURRENCY_SIGNS[sign.upper()] != currency:
            raise _refuse("currency", "wrong_currency", typed, currency=SHOWN_SIGN[currency])
    negative = bool(match["minus"] or match["minus_after"]) and number.strip("0.,") != ""
    if negative and not allow_negative:
        raise _refuse("negative", "negative", typed)
    whole, fraction = _whole_and_fraction(number, typed, max_decimals, "-" if negative else "", between)
    _check_size(typed, len(whole.lstrip("0")), len(fraction.rstrip("0")), max_decimals, max_digits)
    value = Decimal(f"{whole or '0'}.{fraction}" if fraction else whole)
    return -value if negative else value


def _whole_and_fraction(
    number: str, typed: str, max_decimals: int | None, minus: str, between=None
) -> tuple[str, str]:
    """The digits before and after the decimal separator of ``number`` (digits, points, commas)."""
    marks = [c for c in number if c in ".,"]
    parts = re.split("[.,]", number)
    if not marks:
        return number, ""
    if len(marks) == 1:
        whole, fraction = parts
        if not fraction:
            raise _refuse("separators", "invalid", typed)
        if len(fraction) == 3 and whole.strip("0"):
            if between is not None:
                low, high = between
                as_decimal_fits = low <= Decimal(f"{minus}{whole}.{fraction}") <= high
                as_grouped_fits = low <= Decimal(f"{minus}{whole}{fraction}") <= high
                if as_decimal_fits != as_grouped_fits:
                    return (whole, fraction) if as_decimal_fits else (whole + fraction, "")
            if max_decimals == 0 and fraction.rstrip("0"):
                # A count cannot be 1.25: «1,250» is most likely 1250 with a thousands mark, so ask that.
                raise _refuse(
                    "whole_grouped", "ambiguous", typed, grouped=f"{minus}{whole.lstrip('0')}{fraction}"
                )
            if max_decimals is not None and len(fraction.rstrip("0")) > max_decimals:
                # Read as decimals it has too many for this field: say that rather than offer it.
                raise _too_many_decimals(typed, max_decimals)
            whole = whole.lstrip("0")
            as_decimal = f"{whole}.{fraction}".rstrip("0").rstrip(".")
            # «62.125» is typed unambiguously as «62.1250»: offer that spelling.
            typable = as_decimal + "0" if len(as_decimal.partition(".")[2]) == 3 else as_decimal
            raise _refuse(
                "ambiguous",
                "ambiguous",
                typed,
                grouped=f"{minus}{whole}{fraction}",
                decimal=f"{minus}{as_decimal}",
                decimal_typed=f"{minus}{typable}",
            )
        return whole, fraction
    if len(set(marks)) == 1:
        groups, fraction = parts, ""
    elif len(set(marks[:-1])) == 1 and marks[-1] != marks[0]:
        groups, fraction = parts[:-1], parts[-1]
        if not fraction:
            raise _refuse("separators", "invalid", typed)
    else:
        raise _refuse("separators", "invalid", typed)
    first, *rest = groups
    if not (1 <= len(first) <= 3 and first[0] != "0" and all(len(group) == 3 for group in rest)):
        raise _refuse("separators", "invalid", typed)
    return "".join(groups), fraction


def _too_many_decimals(typed: str, max_decimals: int) -> ValidationError:
    if max_decimals == 0:
        return _refuse("whole", "too_many_decimals", typed, max=0)
    return _refuse("too_many_decimals", "too_many_decimals", typed, max=max_decimals)


def _check_size(
    typed: str, whole_digits: int, decimals: int, max_decimals: int | None, max_digits: int
) -> None:
    if whole_digits > max_digits:
        raise _refuse("out_of_range", "out_of_range", typed, max=max_digits)
    if max_decimals is not None and decimals > max_decimals:
        raise _too_many_decimals(typed, max_decimals)


def shown_decimal(value: Decimal, *, decimals: int | None = None) -> str:
    """``value`` as Minka shows a number, with thousands grouped («1,234.5»), written so that the
    parser reads it back as itself: a single mark followed by exactly three digits would be asked
    about, so «1,234» is shown «1,234.0» and «62.125» is shown «62.1250».

    ``decimals`` fixes the number of decimals; without it trailing zeros are dropped."""
    text = f"{value:,.{decimals}f}" if decimals is not None else f"{value.normalize():,f}"
    if decimals is None and "." in text:
        text = text.rstrip("0").rstrip(".")
    digits = text.lstrip("-")
    marks = [c for c in digits if c in ".,"]
    if len(marks) == 1 and len(digits.split(marks[0])[1]) == 3 and digits.split(marks[0])[0].strip("0"):
        text += "0" if marks[0] == "." else ".0"
    return text


def prefilled(value: Decimal) -> str:
    """``value`` as a form field is filled with it (a corrected receipt, an admin form): without
    grouping, and never in a shape the parser would question («200», «62.1250», «1234.5»)."""
    return shown_decimal(value).replace(",", "")


def parse_whole(typed: str) -> int:
    """A count a person types (votes, ballots, seats): a whole number, never negative, read like
    every other number («1,250» is asked about; «²» or «1e3» is not a number)."""
    return int(parse_decimal(typed, max_decimals=0))


def parse_money(typed: str, *, currency: str = "PEN", allow_negative: bool = False) -> Decimal:
    """An amount in soles or dollars, at most two decimals: «S/ 2,500.00», «US$ 1,734.5», «2500»."""
    return parse_decimal(typed, max_decimals=2, currency=currency, allow_negative=allow_negative)


def parse_kg(typed: str, *, allow_negative: bool = False) -> Decimal:
    """A weight in kilograms, at most three decimals (grams), «kg» optional: «1,234.5 kg»."""
    return parse_decimal(typed, max_decimals=3, unit="kg", allow_negative=allow_negative)


def parse_rate(typed: str, *, allow_negative: bool = False, between=None) -> Decimal:
    """An exchange rate or factor, at most four decimals: «3.7512». See parse_decimal for ``between``."""
    return parse_decimal(typed, max_decimals=4, allow_negative=allow_negative, between=between)


def parse_percent(typed: str, *, allow_negative: bool = False) -> Decimal:
    """A percentage as written (62.5 means 62.5 %), at most two decimals, «%» optional: «62,5 %»."""
    return parse_decimal(typed, max_decimals=2, unit="%", allow_negative=allow_negative)


def number_from_cell(value, **options) -> Decimal | None:
    """A spreadsheet cell as a Decimal: numbers are taken as numbers, text goes through parse_decimal
    (``options`` are its keywords). A float is read as it displays (repr: 0.1 is 0.1, not its binary
    value). An empty cell (None) gives None."""
    if value is None:
        return None
    if isinstance(value, str):
        return parse_decimal(value, **options)
    typed = repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise _refuse("invalid", "invalid", typed)
    number = Decimal(typed) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise _refuse("invalid", "invalid", typed)
    if number < 0 and not options.get("allow_negative", False):
        raise _refuse("negative", "negative", typed)
    whole_digits = number.adjusted() + 1 if number else 0
    _check_size(
        typed,
        max(whole_digits, 0),
        max(-number.normalize().as_tuple().exponent, 0) if number else 0,
        options.get("max_decimals"),
        options.get("max_digits", 15),
    )
    return number.copy_abs() if number == 0 else number


class TypedNumberField(forms.CharField):
    """A form field for a typed number: a text box (inputmode=decimal, not type=number, which browsers
    in other locales rewrite) whose cleaned value is a Decimal, or None when left empty."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
    parse = staticmethod(parse_decimal)

    def __init__(self, *, parse_options: dict | None = None, max_length: int | None = None, **kwargs):
        self.parse_options = parse_options or {}
        super().__init__(**kwargs)  # no max_length: its validator would measure the Decimal
        if max_length is not None:
            self.widget.attrs["maxlength"] = str(max_length)

    def to_python(self, value):
        text = super().to_python(value)
        return None if text in self.empty_values else self.parse(text, **self.parse_options)


class MoneyField(TypedNumberField):
    parse = staticmethod(parse_money)

    def __init__(self, *, currency: str = "PEN", allow_negative: bool = False, **kwargs):
        super().__init__(parse_options={"currency": currency, "allow_negative": allow_negative}, **kwargs)


class KgField(TypedNumberField):
    parse = staticmethod(parse_kg)


class RateField(TypedNumberField):
    parse = staticmethod(parse_rate)


class PercentField(TypedNumberField):
    parse = staticmethod(parse_percent)
