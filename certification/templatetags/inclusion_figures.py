"""An inclusion figure as the page, the member list and the season report's PDF all write it."""

from decimal import Decimal

from django import template

from certification import inclusion
from toolkit.templatetags.minka_money import kg, soles

register = template.Library()


def figure_text(value, kind: str) -> str:
    if value is None:
        return "—"
    if kind == inclusion.KG:
        return kg(value)
    if kind == inclusion.MONEY:
        return soles(value)
    if kind == inclusion.HECTARES:
        return f"{Decimal(value).quantize(Decimal('0.01')):,} ha"
    if kind == inclusion.PERCENT:
        return f"{value} %"
    return f"{int(value):,}"


@register.filter
def figure(value, kind: str) -> str:
    """``{{ cell.value|figure:row.figure.spec.kind }}``: «1,234», «12,345.5 kg», «S/ 1,234.56», «12.50 ha»,
    «67.9 %», «—» when there is nothing to count."""
    return figure_text(value, kind)


@register.filter
def share(value) -> str:
    """A per cent or «—»."""
    return "—" if value is None else f"{value} %"


@register.filter
def points(value) -> str:
    """A change in percentage points, signed: «+2.6», «-1.0», «—»."""
    if value is None:
        return "—"
    return f"{value:+}"


@register.filter
def by_band(figure, key):
    return figure.by_band[key]


@register.filter
def by_sex_unknown(figure):
    return figure.by_sex[inclusion.UNKNOWN_SEX]


@register.filter
def band_heading(report, key):
    return report.band_label(key)
