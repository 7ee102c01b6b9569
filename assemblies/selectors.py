"""Reads of the assemblies that pages compose: the list with its counts, a page of the attendance."""

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from assemblies.models import Assembly, Motion, Presence


def _count_of(model) -> Coalesce:
    """How many rows of ``model`` an assembly has, as a subquery (no join of motions × attendees)."""
    counted = (
        model.objects.filter(assembly=OuterRef("pk")).order_by().values("assembly").annotate(n=Count("pk"))
    )
    return Coalesce(Subquery(counted.values("n"), output_field=IntegerField()), Value(0))


def assemblies_with_counts():
    """Every assembly, newest first, with its motions and attendees counted."""
    return (
        Assembly.objects.select_related("rule_set")
        .annotate(motion_count=_count_of(Motion), attending=_count_of(Presence))
        .order_by("-first_call_at", "-id")
    )
