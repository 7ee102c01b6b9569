"""Dates as a person types them: dd/mm/aaaa, whatever the browser's language.

A browser's own date box shows mm/dd/yyyy in an English-speaking browser and dd/mm/yyyy in a Spanish
one, so «03/04/2026» would mean two days depending on the laptop. Minka's date inputs are text boxes
that always read day/month/year (a calendar button beside them fills the same text; static/js/minka.js).
The ISO form (2026-04-03) is read too: it cannot be mistaken and is what scripts send.
"""

from datetime import date, datetime

from django import forms
from django.utils.translation import gettext_lazy as _

TYPED_DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
SHOWN_DATE_FORMAT = "%d/%m/%Y"


def parse_typed_date(text) -> date | None:
    """The date in ``text`` (dd/mm/aaaa or ISO), or None when it is empty or not a date."""
    if isinstance(text, date):
        return text
    text = str(text or "").strip()
    for form in TYPED_DATE_FORMATS:
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None


class DateTextInput(forms.DateInput):
    """A text box for dd/mm/aaaa with a calendar button (added by minka.js for [data-date])."""

    def __init__(self, attrs=None):
        base = {
            "placeholder": _("dd/mm/aaaa"),
            "inputmode": "numeric",
            "autocomplete": "off",
            "data-date": "",
            "size": "10",
        }
        super().__init__(attrs={**base, **(attrs or {})}, format=SHOWN_DATE_FORMAT)


class TypedDateField(forms.DateField):
    widget = DateTextInput
    input_formats = TYPED_DATE_FORMATS
