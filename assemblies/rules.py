"""The arithmetic of a statute: quorum and majorities in exact integers.

No floats anywhere: "more than half" and "at least two thirds" are computed
with integer division, so a two-thirds majority of 300 needs exactly 200 and
more than half of 301 needs exactly 151. These functions know nothing of the
database; the models hand them plain numbers.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from assemblies import wording


@dataclass(frozen=True)
class Threshold:
    """A bar to reach: a fixed number, or "more than" / "at least" a fraction of a base."""

    numerator: int = 1
    denominator: int = 2
    strict: bool = True  # True: more than the fraction; False: at least the fraction
    fixed: int | None = None

    def needed(self, base: int) -> int:
        """The smallest whole count that clears the bar for ``base``."""
        if self.fixed is not None:
            return self.fixed
        if self.strict:
            return base * self.numerator // self.denominator + 1
        return -(-base * self.numerator // self.denominator)  # ceiling, in integers

    def describe(self) -> str:
        if self.fixed is not None:
            return ngettext("al menos %(count)d socio", "al menos %(count)d socios", self.fixed) % {
                "count": self.fixed
            }
        fraction = FRACTION_WORDS.get(
            (self.numerator, self.denominator), f"{self.numerator}/{self.denominator}"
        )
        if self.strict:
            return _("más de %(fraction)s") % {"fraction": fraction}
        return _("al menos %(fraction)s") % {"fraction": fraction}


FRACTION_WORDS = {
    (1, 2): gettext_lazy("la mitad"),
    (1, 3): gettext_lazy("un tercio"),
    (2, 3): gettext_lazy("dos tercios"),
    (1, 4): gettext_lazy("un cuarto"),
    (3, 4): gettext_lazy("tres cuartos"),
    (3, 5): gettext_lazy("tres quintos"),
    (1, 5): gettext_lazy("un quinto"),
    (1, 1): gettext_lazy("la totalidad"),
}


class Majority:
    SIMPLE = "simple"
    ABSOLUTE = "absolute"
    QUALIFIED = "qualified"


class Base:
    CAST = "cast"  # votes cast (yes + no, and abstentions or blank votes when the statute counts them)
    PRESENT = "present"  # members present or represented when voting opened


@dataclass(frozen=True)
class MajorityRule:
    """How a statute counts one kind of majority."""

    kind: str
    base: str = Base.CAST
    threshold: Threshold = Threshold()
    abstentions_in_base: bool = False
    blank_in_base: bool = False

    def describe(self) -> str:
        if self.kind == Majority.SIMPLE:
            return _("mayoría simple (más votos a favor que en contra)")
        threshold = {"threshold": self.threshold.describe()}
        if self.kind == Majority.ABSOLUTE:
            if self.base == Base.CAST:
                return _("mayoría absoluta (%(threshold)s de los votos emitidos)") % threshold
            return _("mayoría absoluta (%(threshold)s de los socios presentes y representados)") % threshold
        if self.base == Base.CAST:
            return _("mayoría calificada (%(threshold)s de los votos emitidos)") % threshold
        return _("mayoría calificada (%(threshold)s de los socios presentes y representados)") % threshold


@dataclass(frozen=True)
class Count:
    """The votes on a yes/no motion."""

    yes: int
    no: int
    abstain: int = 0
    blank: int = 0


@dataclass(frozen=True)
class Outcome:
    approved: bool
    base: int  # what the majority was measured against
    needed: int  # yes votes needed to pass
    rule: str  # the rule in words, for the page and the minutes
    simple: bool = False  # more yes than no: no base to state

    def explain(self, count: Count) -> str:
        votes = wording.tally(count.yes, count.no, count.abstain, count.blank)
        values = {"votes": votes, "rule": self.rule, "needed": self.needed, "base": self.base}
        if self.simple:
            if self.approved:
                return _("Aprobada: %(votes)s (%(rule)s).") % values
            return _("No aprobada: %(votes)s (%(rule)s).") % values
        if self.approved:
            return (
                _("Aprobada: %(votes)s; se necesitaban %(needed)d a favor (%(rule)s, base %(base)d).")
                % values
            )
        return (
            _("No aprobada: %(votes)s; se necesitaban %(needed)d a favor (%(rule)s, base %(base)d).") % values
        )


def cast_base(rule: MajorityRule, count: Count) -> int:
    base = count.yes + count.no
    if rule.abstentions_in_base:
        base += count.abstain
    if rule.blank_in_base:
        base += count.blank
    return base


def decide(rule: MajorityRule, count: Count, *, present: int) -> Outcome:
    """Whether a yes/no motion passed, with the base and the yes votes it needed."""
    if rule.kind == Majority.SIMPLE:
        # More yes than no: abstentions and blank votes never decide a simple majority.
        return Outcome(count.yes > count.no, count.yes + count.no, count.no + 1, rule.describe(), simple=True)
    base = present if rule.base == Base.PRESENT else cast_base(rule, count)
    needed = max(rule.threshold.needed(base), 1)
    # A qualified or absolute majority also has to beat the votes against.
    approved = count.yes >= needed and count.yes > count.no
    return Outcome(approved, base, needed, rule.describe())


def quorum_met(threshold: Threshold, *, roll: int, attending: int) -> tuple[bool, int]:
    """Whether those present and represented reach the quorum of a roll; and how many it takes."""
    needed = threshold.needed(roll)
    return attending >= needed, needed


@dataclass(frozen=True)
class ElectionRule:
    """How a statute runs an election: who may stand, how many marks a ballot holds, how long a term is."""

    vote_per_seat: bool = False  # True: a voter marks up to one candidate per seat; False: one mark
    candidates_from_register: bool = False  # True: any member of the register; False: the roll only
    term_years: int = 2

    def marks_allowed(self, seats: int) -> int:
        return seats if self.vote_per_seat else 1

    def describe_marks(self, seats: int) -> str:
        """The rule applied to a ballot, in words, for refusals and the ballot itself."""
        if self.vote_per_seat and seats > 1:
            return ngettext(
                "un voto por cargo: hasta %(seats)d candidato por cédula, cada uno una sola vez",
                "un voto por cargo: hasta %(seats)d candidatos por cédula, cada uno una sola vez",
                seats,
            ) % {"seats": seats}
        return _("un voto por socio: un solo candidato por cédula")

    def describe_candidates(self) -> str:
        if self.candidates_from_register:
            return _("los candidatos deben ser socios hábiles del registro")
        return _("los candidatos deben estar en el padrón de la asamblea")
