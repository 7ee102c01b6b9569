"""Validating some fields of a model instance by the model's own rules.

Services validate with the model's ``full_clean()`` (lengths, choices, validators, the Spanish
messages and field names the model declares) plus their business checks. Where a row is checked
before it can be built whole (a purchase's origin before its receipt number, a plot's text cells
in an import whose numbers the cell parsers checked), ``clean_only`` runs the same checks on the
named fields alone.
"""

from django.core.exceptions import ValidationError
from django.db import models


def clean_only(instance: models.Model, fields: list[str] | tuple[str, ...]) -> None:
    """``instance.clean_fields()`` on ``fields`` alone: a ValidationError by field, or nothing."""
    instance.clean_fields(exclude=[f.name for f in instance._meta.fields if f.name not in fields])


def field_errors(instance: models.Model, fields: list[str] | tuple[str, ...]) -> dict[str, list[str]]:
    """What ``clean_only`` would refuse, as {field: messages} (empty when the fields are good)."""
    try:
        clean_only(instance, fields)
    except ValidationError as exc:
        return exc.message_dict
    return {}
