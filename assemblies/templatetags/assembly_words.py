"""Template filters for the assembly's counted phrases (assemblies/wording.py): ``{{ n|vote_count }}``."""

from django import template

from assemblies import wording

register = template.Library()

for _name in (
    "present_count",
    "represented_count",
    "attending_count",
    "member_count",
    "eligible_count",
    "vote_count",
    "votes_cast",
    "abstention_count",
    "proxy_count",
    "ballot_count",
    "represented_word",
    "in_person_count",
    "virtual_count",
):
    register.filter(_name, getattr(wording, _name))


@register.filter
def represented_by(holder, sex):
    """``{{ p.holder|represented_by:p.entry.member.sex }}``."""
    return wording.represented_by(sex or "", holder)
