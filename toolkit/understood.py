"""«Minka entiende: S/ 2,500.00»: what the one number parser reads in a number being typed.

Every form that records money (and the weights and rates beside it) shows this under the field as
the person types, so a «2,500» meant as two thousand five hundred is questioned before it is saved,
not discovered after two signatures. The page asks this view; the answer is the parser's own.
"""

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _

from toolkit.money import format_money, to_minor
from toolkit.numbers import SOLES_PER_DOLLAR, parse_decimal, parse_kg, parse_money, shown_decimal
from toolkit.roles import ALL_ROLES, role_required

# What a field holds -> how to read it and how to say what was read.
KINDS = {
    "pen": lambda text: format_money(to_minor(parse_money(text, currency="PEN")), "PEN"),
    "usd": lambda text: format_money(to_minor(parse_money(text, currency="USD")), "USD"),
    "kg": lambda text: f"{shown_decimal(parse_kg(text))} kg",
    "tonnes": lambda text: f"{shown_decimal(parse_decimal(text, max_decimals=3, unit='t'))} t",
    "exchange_rate": lambda text: (
        _("S/ %(rate)s por US$")
        % {"rate": shown_decimal(parse_decimal(text, max_decimals=4, between=SOLES_PER_DOLLAR))}
    ),
}


@role_required(*ALL_ROLES)
def understood_number(request):
    """?kind=pen&text=2,500 -> {"ok": false, "text": "«2,500»: ¿2500 o 2.5? …"}."""
    read = KINDS.get(request.GET.get("kind", ""))
    text = request.GET.get("text", "")[:60]
    if read is None:
        return JsonResponse({"ok": False, "text": ""}, status=422)  # no such kind of number
    if not text.strip():
        return JsonResponse({"ok": True, "text": ""})
    try:
        return JsonResponse({"ok": True, "text": _("Minka entiende: %(value)s") % {"value": read(text)}})
    except ValidationError as exc:
        return JsonResponse({"ok": False, "text": " ".join(exc.messages)})
