"""Forms of the clerk's page, and reading the numbers typed in them.

They only read what was typed; pricing lives in acopio.selectors (quote_delivery) and every rule
of recording in acopio.services, which report errors by field.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from acopio.models import CocoaForm, CollectionCentre, Grade, Supplier
from coop.models import Member, Plot
from toolkit.dates import TypedDateField
from toolkit.money import GRAMS_PER_KG
from toolkit.numbers import KgField, MoneyField, PercentField, number_from_cell, shown_decimal

MAX_DELIVERY_KG = Decimal("5000")
# What parse_kg says about each weight, one whole sentence per field and problem.
KG_MESSAGES = {
    "gross_kg": {
        "missing": _("Indique el peso bruto."),
        "problem": _("El peso bruto: %(problem)s"),
        "too_heavy": _("El peso bruto: %(kg)s kg es más de lo que recibe una balanza de acopio."),
    },
    "tare_kg": {
        "missing": _("Indique la tara."),
        "problem": _("La tara: %(problem)s"),
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
    date = TypedDateField(label=_("Fecha"), initial=timezone.localdate)
    member = forms.CharField(label=_("Socio (código, DNI o nombre)"), max_length=200)
    plot = forms.CharField(label=_("Parcela"), required=False, max_length=30)
    form = forms.ChoiceField(label=_("Forma"), choices=CocoaForm.choices, initial=CocoaForm.WET)
    grade = forms.ChoiceField(label=_("Grado"), choices=Grade.choices, initial=Grade.UNGRADED)
    # Declared as typed numbers for their widget; the weights are read by parse_kg below.
    gross_kg = KgField(label=_("Peso bruto (kg)"), max_length=12)
    tare_kg = KgField(label=_("Tara (kg)"), max_length=12)
    moisture_pct = PercentField(label=_("Humedad (%)"), max_length=6)
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
    """A weight in grams, or an error on ``field`` ("gross_kg" or "tare_kg", named in the message).

    Text (typed, or a text cell) goes through the one number parser; a spreadsheet number is taken as
    the number it is (toolkit.numbers.number_from_cell).
    """
    said = KG_MESSAGES[field]
    if value is None or not str(value).strip():
        errors[field] = str(said["missing"])
        return None
    try:
        kg = number_from_cell(value, max_decimals=3, unit="kg")
    except ValidationError as exc:
        errors[field] = said["problem"] % {"problem": exc.messages[0]}
        return None
    if kg > MAX_DELIVERY_KG:
        errors[field] = said["too_heavy"] % {"kg": shown_decimal(kg)}
        return None
    return int(kg * GRAMS_PER_KG)


def parse_moisture(value, errors: dict) -> Decimal | None:
    """Moisture in percent, one decimal at most, «%» optional, read like every typed number."""
    if value is None or not str(value).strip():
        errors["moisture_pct"] = gettext("Indique la humedad (%).")
        return None
    try:
        moisture = number_from_cell(value, max_decimals=1, unit="%", max_digits=2)
    except ValidationError as exc:
        if exc.code == "too_many_decimals":
            errors["moisture_pct"] = gettext("Humedad: use como máximo un decimal.")
        elif exc.code == "out_of_range":
            errors["moisture_pct"] = gettext("La humedad debe estar entre 0 y 99.9 %.")
        else:
            errors["moisture_pct"] = gettext("Humedad: %(problem)s") % {"problem": exc.messages[0]}
        return None
    return moisture


# --- Non-member suppliers and their purchases ----------------------------------------


def find_supplier(text: str) -> tuple[Supplier | None, str]:
    """A non-member supplier by exact DNI or RUC, else by a name that matches one supplier only."""
    text = " ".join((text or "").split())
    if not text:
        return None, ""
    exact = Supplier.objects.filter(document="".join(text.split())).first()
    if exact:
        return exact, ""
    matches = list(Supplier.objects.filter(name__icontains=text).order_by("name")[:6])
    if len(matches) == 1:
        return matches[0], ""
    if not matches:
        return None, gettext(
            "Proveedor: ningún proveedor no socio tiene el DNI, RUC o nombre «%(text)s»; regístrelo abajo."
        ) % {"text": text}
    names = ", ".join(f"{s.document} {s.name}" for s in matches[:5])
    return None, gettext("Proveedor: varios coinciden con «%(text)s»: %(names)s. Escriba el DNI o RUC.") % {
        "text": text,
        "names": names,
    }


class SupplierForm(forms.Form):
    document = forms.CharField(label=_("DNI o RUC"), max_length=20)
    name = forms.CharField(label=_("Nombre o razón social"), max_length=250)
    origin = forms.CharField(label=_("Origen o parcela (si se conoce)"), max_length=250, required=False)


class PurchaseForm(forms.Form):
    """The clerk's page for a non-member: the supplier (found, or registered here when new) and the
    weighing; the price comes from the list unless the clerk types one."""

    centre = forms.ModelChoiceField(
        label=_("Centro de acopio"), queryset=CollectionCentre.objects.filter(active=True), empty_label=None
    )
    date = TypedDateField(label=_("Fecha"), initial=timezone.localdate)
    supplier = forms.CharField(
        label=_("Proveedor no socio: DNI, RUC o nombre"), max_length=200, required=False
    )
    new_document = forms.CharField(label=_("DNI o RUC del proveedor nuevo"), max_length=20, required=False)
    new_name = forms.CharField(label=_("Nombre o razón social"), max_length=250, required=False)
    new_origin = forms.CharField(label=_("Origen o parcela del proveedor"), max_length=250, required=False)
    origin = forms.CharField(label=_("Origen o parcela de esta compra"), max_length=250, required=False)
    form = forms.ChoiceField(label=_("Forma"), choices=CocoaForm.choices, initial=CocoaForm.WET)
    grade = forms.ChoiceField(label=_("Grado"), choices=Grade.choices, initial=Grade.UNGRADED)
    gross_kg = KgField(label=_("Peso bruto (kg)"), max_length=12)
    tare_kg = KgField(label=_("Tara (kg)"), max_length=12)
    moisture_pct = PercentField(label=_("Humedad (%)"), max_length=6)
    price_per_kg = MoneyField(
        label=_("Precio por kg (S/), vacío: lista de precios"), required=False, max_length=10
    )
    token = forms.UUIDField(widget=forms.HiddenInput)
    replaces = forms.CharField(widget=forms.HiddenInput, required=False)

    def service_arguments(self) -> tuple[dict, dict]:
        """The keyword arguments for record_purchase, and lookup errors by field."""
        data = self.data
        errors = {}
        supplier, new_supplier = None, None
        if (data.get("new_document") or "").strip() or (data.get("new_name") or "").strip():
            if (data.get("supplier") or "").strip():
                errors["supplier"] = gettext(
                    "Proveedor: elija uno registrado o registre uno nuevo, no los dos."
                )
            new_supplier = {
                "document": data.get("new_document", ""),
                "name": data.get("new_name", ""),
                "origin": data.get("new_origin", ""),
            }
        else:
            supplier, problem = find_supplier(data.get("supplier", ""))
            if problem:
                errors["supplier"] = problem
        centre = (
            CollectionCentre.objects.filter(pk=data.get("centre") or None).first()
            if str(data.get("centre") or "").isdigit()
            else None
        )
        try:
            date = self.fields["date"].to_python(data.get("date"))
        except forms.ValidationError:
            date = None
            errors["date"] = gettext("Fecha no válida: use dd/mm/aaaa.")
        return {
            "supplier": supplier,
            "new_supplier": new_supplier,
            "centre": centre,
            "date": date,
            "form": data.get("form", ""),
            "grade": data.get("grade", ""),
            "gross_kg": data.get("gross_kg", ""),
            "tare_kg": data.get("tare_kg", ""),
            "moisture_pct": data.get("moisture_pct", ""),
            "price_per_kg": data.get("price_per_kg", ""),
            "origin": data.get("origin", ""),
        }, errors


class SupplierPaymentForm(forms.Form):
    date = TypedDateField(label=_("Fecha"), initial=timezone.localdate)
    amount = MoneyField(label=_("Importe (S/)"), max_length=20)
    method = forms.ChoiceField(label=_("Medio de pago"))
    document = forms.CharField(label=_("Documento (recibo, operación)"), max_length=60)
