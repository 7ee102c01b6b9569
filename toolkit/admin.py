"""What every admin page shares: numbers typed in the admin go through the one number parser.

Django's own number fields read «1.250» as 1.25 and «1.000» in a whole-number field as 1: on a price
list or the Fairtrade terms that is a price a thousand times off. Each ModelAdmin and inline of Minka
mixes in ``TypedNumbersAdmin`` (tests/test_number_inputs.py checks that none is missed).
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.fields import AutoFieldMixin, PositiveIntegerRelDbTypeMixin

from toolkit.numbers import TypedNumberField, prefilled


class ModelNumberField(TypedNumberField):
    """The form field for a model's DecimalField or IntegerField: read by the parser with the model
    field's decimals and digits, shown the way it reads back (``shown_decimal``)."""

    def __init__(
        self,
        *,
        max_digits=None,
        decimal_places=0,
        allow_negative=False,
        min_value=None,
        max_value=None,
        between=None,
        **kwargs,
    ):
        kwargs.pop("max_length", None)
        kwargs.pop("step_size", None)
        options = {"max_decimals": decimal_places or 0, "allow_negative": allow_negative}
        if between is not None:  # a quantity whose every value lies in a range: see parse_decimal
            options["between"] = between
        if max_digits is not None:
            options["max_digits"] = max_digits - (decimal_places or 0)
        self.whole = not decimal_places
        super().__init__(parse_options=options, **kwargs)
        if min_value is not None:
            self.validators.append(MinValueValidator(min_value))
        if max_value is not None:
            self.validators.append(MaxValueValidator(max_value))

    def to_python(self, value):
        if isinstance(value, int | Decimal):
            return value
        number = super().to_python(value)
        return int(number) if number is not None and self.whole else number

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return prefilled(value)
        return value


def _may_be_negative(db_field) -> bool:
    if isinstance(db_field, PositiveIntegerRelDbTypeMixin):
        return False
    floors = [v.limit_value for v in db_field.validators if v.__class__.__name__ == "MinValueValidator"]
    return not floors or min(floors) < 0


class TypedNumbersAdmin:
    """Mix into a ModelAdmin or an inline, before Django's class."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        is_number = isinstance(db_field, models.DecimalField | models.IntegerField)
        if is_number and not db_field.choices and not isinstance(db_field, AutoFieldMixin):
            kwargs.setdefault("form_class", ModelNumberField)
            kwargs.setdefault("allow_negative", _may_be_negative(db_field))
            if isinstance(db_field, models.DecimalField):
                kwargs.setdefault("max_digits", db_field.max_digits)
                kwargs.setdefault("decimal_places", db_field.decimal_places)
            return db_field.formfield(**kwargs)
        return super().formfield_for_dbfield(db_field, request, **kwargs)
