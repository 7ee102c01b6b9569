"""The member account form: it only reads what was typed; ledger.member_accounts checks the rules."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ledger.models import MovementKind, PaymentMethod
from toolkit.dates import TypedDateField
from toolkit.numbers import MoneyField


class MovementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Tipo"), choices=MovementKind.choices)
    method = forms.ChoiceField(
        label=_("Medio de pago"), choices=[("", "—")] + PaymentMethod.choices, required=False
    )
    date = TypedDateField(label=_("Fecha"), initial=timezone.localdate)
    amount = MoneyField(label=_("Importe (S/)"), max_length=16)  # read by member_accounts
    document = forms.CharField(
        label=_("Documento"), max_length=60, help_text=_("Voucher, número de operación o acuerdo firmado.")
    )
    note = forms.CharField(label=_("Detalle"), max_length=200, required=False)
    token = forms.UUIDField(widget=forms.HiddenInput)
