"""Forms of the clerk's page.

They only read what was typed; pricing and every rule live in acopio.services,
which reports errors by field.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from acopio.models import CocoaForm, CollectionCentre, Grade
from coop.models import Member, Plot


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
        return None, f"Ningún socio tiene el código, DNI o nombre «{text}»."
    names = ", ".join(f"{m.code} {m.name}" for m in matches[:5])
    return None, f"Varios socios coinciden con «{text}»: {names}. Escriba el código o el DNI."


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
                errors["plot"] = f"No existe la parcela {plot_code}."
        centre = (
            CollectionCentre.objects.filter(pk=data.get("centre") or None).first()
            if str(data.get("centre") or "").isdigit()
            else None
        )
        try:
            date = self.fields["date"].to_python(data.get("date"))  # None when left empty
        except forms.ValidationError:
            date = None
            errors["date"] = "Fecha no válida: use dd/mm/aaaa."
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
