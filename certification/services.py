"""The one write of certification's own settings: the inclusion page's age bands."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from certification.inclusion import Band
from certification.models import AgeBand

OLDEST = 120


@transaction.atomic
def set_age_bands(*, bands: list[tuple[int, int | None]], user) -> list[AgeBand]:
    """Replace the cooperative's age bands with ``bands`` ((from, to or None for «and over»)), or
    refuse with every problem named and change nothing. Bands may leave gaps; they may not overlap."""
    errors = []
    if not bands:
        errors.append(_("Indique al menos un tramo de edad."))
    checked = sorted((Band(low, high) for low, high in bands), key=lambda b: (b.min_age, b.max_age or OLDEST))
    for band in checked:
        if band.max_age is not None and band.max_age < band.min_age:
            errors.append(
                _("El tramo que empieza en %(low)s años termina antes (%(high)s años).")
                % {"low": band.min_age, "high": band.max_age}
            )
        if band.min_age > OLDEST or (band.max_age or 0) > OLDEST:
            errors.append(_("Una edad de más de %(max)s años no es un tramo posible.") % {"max": OLDEST})
    for before, after in zip(checked, checked[1:], strict=False) if not errors else ():
        if before.max_age is None or before.max_age >= after.min_age:
            errors.append(
                _(
                    "Los tramos «%(first)s» y «%(second)s» se superponen: una edad no puede estar en "
                    "dos tramos."
                )
                % {"first": before.label, "second": after.label}
            )
    if errors:
        raise ValidationError(errors)
    AgeBand.objects.all().delete()
    return AgeBand.objects.bulk_create(
        [AgeBand(min_age=b.min_age, max_age=b.max_age, set_by=user) for b in checked]
    )
