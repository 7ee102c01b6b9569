"""Words about a member that agree with the member's sex: «activa», «fallecida», «la socia».

Spanish marks gender on the status words and on the noun; a woman is «fallecida», «retirada»,
«socia». Where the register does not say the sex, the words are the masculine ones, the register's
own (``MemberStatus`` labels), as the statutes write them.
"""

from django.utils.translation import pgettext, pgettext_lazy

from coop.models import MemberStatus, Sex

# The feminine forms; the masculine ones are MemberStatus's labels.
_FEMININE = {
    MemberStatus.ACTIVE: pgettext_lazy("estado de una socia", "Activa"),
    MemberStatus.SUSPENDED: pgettext_lazy("estado de una socia", "Suspendida"),
    MemberStatus.WITHDRAWN: pgettext_lazy("estado de una socia", "Retirada"),
    MemberStatus.DECEASED: pgettext_lazy("estado de una socia", "Fallecida"),
}


def status_word(status: str, sex: str = "") -> str:
    """The status as a word for this member: «Fallecida» for a woman, «Fallecido» for a man."""
    if sex == Sex.FEMALE and status in _FEMININE:
        return str(_FEMININE[status])
    try:
        return str(MemberStatus(status).label)
    except ValueError:
        return status


def member_status_word(member) -> str:
    return status_word(member.status, member.sex)


def member_noun(sex: str = "", *, capital: bool = False) -> str:
    """«el socio» or «la socia» (with the article, as a sentence uses it)."""
    if sex == Sex.FEMALE:
        return pgettext("con artículo", "La socia") if capital else pgettext("con artículo", "la socia")
    return pgettext("con artículo", "El socio") if capital else pgettext("con artículo", "el socio")
