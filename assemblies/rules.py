"""The arithmetic of a statute: quorum and majorities in exact integers.

No floats anywhere: "more than half" and "at least two thirds" are computed
with integer division, so a two-thirds majority of 300 needs exactly 200 and
more than half of 301 needs exactly 151. These functions know nothing of the
database; the models hand them plain numbers.
"""

from dataclasses import dataclass


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
            return f"al menos {self.fixed} socios"
        fraction = FRACTION_WORDS.get(
            (self.numerator, self.denominator), f"{self.numerator}/{self.denominator}"
        )
        return f"{'más de' if self.strict else 'al menos'} {fraction}"


FRACTION_WORDS = {
    (1, 2): "la mitad",
    (1, 3): "un tercio",
    (2, 3): "dos tercios",
    (1, 4): "un cuarto",
    (3, 4): "tres cuartos",
    (3, 5): "tres quintos",
    (1, 5): "un quinto",
    (1, 1): "la totalidad",
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
            return "mayoría simple (más votos a favor que en contra)"
        base = (
            "de los votos emitidos" if self.base == Base.CAST else "de los socios presentes y representados"
        )
        name = "mayoría absoluta" if self.kind == Majority.ABSOLUTE else "mayoría calificada"
        return f"{name} ({self.threshold.describe()} {base})"


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
        verdict = "Aprobada" if self.approved else "No aprobada"
        votes = f"{count.yes} a favor, {count.no} en contra, {count.abstain} abstenciones"
        if count.blank:
            votes += f", {count.blank} en blanco"
        if self.simple:
            return f"{verdict}: {votes} ({self.rule})."
        return f"{verdict}: {votes}; se necesitaban {self.needed} a favor ({self.rule}, base {self.base})."


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
