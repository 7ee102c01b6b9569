"""Forms of the clerk's page, and reading the numbers typed in them.

They only read what was typed; pricing lives in acopio.selectors (quote_delivery) and every rule
of recording in acopio.services, which report errors by field.
"""

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from acopio.models import CocoaForm, CollectionCentre, Grade
from coop.models import Member, Plot
from toolkit.money import GRAMS_PER_KG

MAX_DELIVERY_KG = Decimal("5000")
# What parse_kg says about each weight, one whole sentence per field and problem.
KG_MESSAGES = {
    "gross_kg": {
        "missing": _("Indique el peso bruto."),
        "not_a_number": _("El peso bruto: «%(value)s» no es un número."),
        "negative": _("El peso bruto no puede ser negativo."),
        "decimals": _("El peso bruto: use como máximo 3 decimales (gramos)."),
        "too_heavy": _("El peso bruto: %(kg)s kg es más de lo que recibe una balanza de acopio."),
    },
    "tare_kg": {
        "missing": _("Indique la tara."),
        "not_a_number": _("La tara: «%(value)s» no es un número."),
        "negative": _("La tara no puede ser negativa."),
        "decimals": _("La tara: use como máximo 3 decimales (gramos)."),
        "too_heavy": _("La tara: %(kg)s kg es más de lo que recibe una balanza de acopio."),
    },
}


def find_member(text: str) -> tuple[Member | None, str]:
    """A member by exact code or DNI, else by a name that matches one member only."""
    text = (text or "").strip()
    if not text:
        return None, ""
    exact = Member.objects.filter(code__iexact=text).first() or Member.objects.filter(dni=text).first()
    if exact:
        return exact, ""
    matches = list(Member.objects.search(text)[:6])
    if len(matches) == 1:
        return matches[0], ""
    if not matches:
        return None, gettext("Ningún socio tiene el código, DNI o nombre «%(text)s».") % {"text": text}
    names = ", ".join(f"{m.code} {m.name}" for m in matches[:5])
    return None, gettext("Varios socios coinciden con «%(text)s»: %(names)s. Escriba el código o el DNI.") % {
        "text": text,
        "names": names,
    }


class DeliveryForm(forms.Form):
    centre = forms.ModelChoiceField(
        label=_("Centro de acopio"), queryset=CollectionCentre.objects.filter(active=True), empty_label=None
    )
    date = forms.DateField(label=_("Fecha"), initial=timezone.localdate)
    member = forms.CharField(label=_("Socio (código, DNI o nombre)"), max_length=200)
    plot = forms.CharField(label=_("Parcela"), required=False, max_length=30)
    form = forms.ChoiceField(label=_("Forma"), choices=CocoaForm.choices, initial=CocoaForm.WET)
    grade = forms.ChoiceField(label=_("Grado"), choices=Grade.choices, initial=Grade.UNGRADED)
    gross_kg = forms.CharField(label=_("Peso bruto (kg)"), max_length=12)
    tare_kg = forms.CharField(label=_("Tara (kg)"), max_length=12)
    moisture_pct = forms.CharField(label=_("Humedad (%)"), max_length=6)
    token = forms.UUIDField(widget=forms.HiddenInput)
    replaces = forms.CharField(widget=forms.HiddenInput, required=False)

    def service_arguments(self) -> tuple[dict, dict]:
        """The keyword arguments for quote_delivery/record_delivery, and lookup errors by field."""
        data = self.data
        errors = {}
        member, problem = find_member(data.get("member", ""))
        if problem:
            errors["member"] = problem
        plot = None
        plot_code = (data.get("plot") or "").strip()
        if plot_code:
            plot = Plot.objects.filter(code=plot_code).first()
            if plot is None:
                errors["plot"] = gettext("No existe la parcela %(plot)s.") % {"plot": plot_code}
        centre = (
            CollectionCentre.objects.filter(pk=data.get("centre") or None).first()
            if str(data.get("centre") or "").isdigit()
            else None
        )
        try:
            date = self.fields["date"].to_python(data.get("date"))  # None when left empty
        except forms.ValidationError:
            date = None
            errors["date"] = gettext("Fecha no válida: use dd/mm/aaaa.")
        return {
            "member": member,
            "plot": plot,
            "centre": centre,
            "date": date,
            "form": data.get("form", ""),
            "grade": data.get("grade", ""),
            "gross_kg": data.get("gross_kg", ""),
            "tare_kg": data.get("tare_kg", ""),
            "moisture_pct": data.get("moisture_pct", ""),
        }, errors


# --- Reading the numbers typed -----------------------------------------------------


def parse_kg(value, field: str, errors: dict) -> int | None:
    """Kilograms as typed (comma or point, up to 3 decimals) in grams, or an error on ``field``.

    ``field`` is "gross_kg" or "tare_kg": the error names the weight (KG_MESSAGES).
    """
    said = KG_MESSAGES[field]
    text = str(value if value is not None else "").strip().replace(",", ".")
    if not text:
        errors[field] = str(said["missing"])
        return None
    try:
        kg = Decimal(text)
    except InvalidOperation:
        errors[field] = said["not_a_number"] % {"value": value}
        return None
    if not kg.is_finite() or kg < 0:
        errors[field] = str(said["negative"])
        return None
    grams = kg * GRAMS_PER_KG
    if grams != grams.to_integral_value():
        errors[field] = str(said["decimals"])
        return None
    if kg > MAX_DELIVERY_KG:
        errors[field] = said["too_heavy"] % {"kg": kg}
        return None
    return int(grams)


def parse_moisture(value, errors: dict) -> Decimal | None:
    text = str(value if value is not None else "").strip().replace(",", ".").rstrip("%").strip()
    if not text:
        errors["moisture_pct"] = gettext("Indique la humedad (%).")
        return None
    try:
        moisture = Decimal(text)
    except InvalidOperation:
        errors["moisture_pct"] = gettext("Humedad: «%(value)s» no es un número.") % {"value": value}
        return None
    if not moisture.is_finite() or not (0 <= moisture < 100):
        errors["moisture_pct"] = gettext("La humedad debe estar entre 0 y 99,9 %.")
        return None
    if moisture != moisture.quantize(Decimal("0.1")):
        errors["moisture_pct"] = gettext("Humedad: use como máximo un decimal.")
        return None
    return moisture
