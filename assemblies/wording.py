"""Counts beside nouns, as an assembly's pages and minutes say them: «1 representado», «2 votos»,
«1 abstención», «Representada por …» for a woman.

Each phrase is one ``ngettext`` (so English and any other catalogue choose their own plural), with the
number written as the pages write numbers (grouped: «12,000 socios»). The minutes are a signed legal
document: they use these same phrases, so «1 presentes» cannot reach a paper.
"""

from django.utils.formats import localize
from django.utils.translation import gettext, ngettext, pgettext

FEMALE = "F"  # coop.models.Sex.FEMALE; a plain value here, so the rules and models can import this module


def _n(n) -> int:
    return int(n or 0)


def present_count(n) -> str:
    n = _n(n)
    return ngettext("%(count)s presente", "%(count)s presentes", n) % {"count": localize(n)}


def represented_count(n) -> str:
    n = _n(n)
    return ngettext("%(count)s representado", "%(count)s representados", n) % {"count": localize(n)}


def attending_count(n) -> str:
    """Members present or represented, one figure."""
    n = _n(n)
    return ngettext(
        "%(count)s socio presente o representado", "%(count)s socios presentes y representados", n
    ) % {"count": localize(n)}


def member_count(n) -> str:
    n = _n(n)
    return ngettext("%(count)s socio", "%(count)s socios", n) % {"count": localize(n)}


def eligible_count(n) -> str:
    """Members on the roll («socios hábiles»)."""
    n = _n(n)
    return ngettext("%(count)s socio hábil", "%(count)s socios hábiles", n) % {"count": localize(n)}


def vote_count(n) -> str:
    n = _n(n)
    return ngettext("%(count)s voto", "%(count)s votos", n) % {"count": localize(n)}


def votes_cast(n) -> str:
    n = _n(n)
    return ngettext("%(count)s voto emitido", "%(count)s votos emitidos", n) % {"count": localize(n)}


def abstention_count(n) -> str:
    n = _n(n)
    return ngettext("%(count)s abstención", "%(count)s abstenciones", n) % {"count": localize(n)}


def yes_count(n) -> str:
    n = _n(n)
    return ngettext("%(count)s a favor", "%(count)s a favor", n) % {"count": localize(n)}


def no_count(n) -> str:
    n = _n(n)
    return ngettext("%(count)s en contra", "%(count)s en contra", n) % {"count": localize(n)}


def blank_count(n) -> str:
    n = _n(n)
    return ngettext("%(count)s en blanco", "%(count)s en blanco", n) % {"count": localize(n)}


def proxy_count(n) -> str:
    n = _n(n)
    return ngettext("%(count)s poder", "%(count)s poderes", n) % {"count": localize(n)}


def ballot_count(n) -> str:
    n = _n(n)
    return ngettext("%(count)s cédula", "%(count)s cédulas", n) % {"count": localize(n)}


def attendance(present, represented) -> str:
    """«1 presente y 2 representados»."""
    return gettext("%(present)s y %(represented)s") % {
        "present": present_count(present),
        "represented": represented_count(represented),
    }


def in_person_count(n) -> str:
    n = _n(n)
    return ngettext("%(count)s en persona", "%(count)s en persona", n) % {"count": localize(n)}


def virtual_count(n) -> str:
    n = _n(n)
    return ngettext("%(count)s en forma virtual", "%(count)s en forma virtual", n) % {"count": localize(n)}


def attendance_by_way(in_person, virtual, represented) -> str:
    """«3 presentes (2 en persona, 1 en forma virtual) y 1 representado»; without virtual attendance,
    as ``attendance``."""
    if not _n(virtual):
        return attendance(in_person, represented)
    return gettext("%(present)s (%(in_person)s, %(virtual)s) y %(represented)s") % {
        "present": present_count(_n(in_person) + _n(virtual)),
        "in_person": in_person_count(in_person),
        "virtual": virtual_count(virtual),
        "represented": represented_count(represented),
    }


def tally(yes, no, abstain, blank=0) -> str:
    """«3 a favor, 1 en contra, 1 abstención» (and «…, 2 en blanco» when there were blank votes)."""
    parts = [yes_count(yes), no_count(no), abstention_count(abstain)]
    if blank:
        parts.append(blank_count(blank))
    return ", ".join(parts)


def represented_by(sex: str, holder, *, capital: bool = True) -> str:
    """«Representado por …», «Representada por …» for a woman (``capital=False`` inside a sentence)."""
    if sex == FEMALE:
        text = (
            pgettext("socia", "Representada por %(holder)s")
            if capital
            else pgettext("socia", "representada por %(holder)s")
        )
    else:
        text = (
            pgettext("socio", "Representado por %(holder)s")
            if capital
            else pgettext("socio", "representado por %(holder)s")
        )
    return text % {"holder": holder}


def represented_word(sex: str) -> str:
    """The badge beside a name: «Representado», «Representada»."""
    if sex == FEMALE:
        return pgettext("socia", "Representada")
    return pgettext("socio", "Representado")


def joined(names) -> str:
    """«A», «A y B», «A, B y C»."""
    names = [str(name) for name in names]
    if len(names) <= 1:
        return "".join(names)
    return gettext("%(first)s y %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}
