"""A small cooperative with a statute and a convened assembly, for the assembly tests."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from assemblies import services
from assemblies.models import RuleSet
from coop.models import Member, member_search_text


def make_members(n: int, *, joined: date = date(2015, 3, 1), start: int = 1) -> list[Member]:
    return Member.objects.bulk_create(
        [
            Member(
                code=f"S-{i:05d}",
                dni=f"{40000000 + i:08d}",
                name=f"Socia Número {i}",
                join_date=joined,
                search_text=member_search_text(
                    code=f"S-{i:05d}", dni=f"{40000000 + i:08d}", name=f"Socia Número {i}"
                ),
            )
            for i in range(start, start + n)
        ]
    )


def make_rules(**overrides) -> RuleSet:
    fields = {
        "name": "Estatuto 2024",
        "version": 1,
        "valid_from": date(2010, 1, 1),
        "statute_reference": "Arts. 30 a 41",
        "max_proxies_per_holder": 2,
    }
    fields.update(overrides)
    return RuleSet.objects.create(**fields)


def convene(user, *, registered_before_cutoff: bool = True, **overrides):
    """An ordinary in-person assembly whose calls are already past, with the roll cut 30 days ago.

    Members a test created without a join date were registered «today», after the cut-off, and so
    are not on the roll; with ``registered_before_cutoff`` (the default) they count as registered
    the day before the cut-off, as the members of a real register were.
    """
    now = timezone.now()
    arguments = {
        "kind": "ordinary",
        "mode": "in_person",
        "place": "Local comunal de Chazuta",
        "first_call_at": now - timedelta(hours=2),
        "second_call_at": now - timedelta(hours=1),
        "agenda": "1. Informe del consejo\n2. Plan de uso de la prima",
        "cutoff_date": timezone.localdate() - timedelta(days=30),
        "convened_on": timezone.localdate() - timedelta(days=20),
        "user": user,
    }
    arguments.update(overrides)
    if registered_before_cutoff:
        cutoff = arguments["cutoff_date"]
        day_before = timezone.make_aware(datetime.combine(cutoff - timedelta(days=1), time(12)))
        Member.objects.filter(join_date__isnull=True, created_at__date__gt=cutoff).update(
            created_at=day_before
        )
    return services.convene_assembly(**arguments)


def entry(assembly, code: str):
    return assembly.roll.get(code=code)


def check_in_many(assembly, user, n: int):
    """Check in the first ``n`` members of the roll."""
    for roll_entry in assembly.roll.all()[:n]:
        services.check_in(assembly=assembly, entry=roll_entry, user=user)
