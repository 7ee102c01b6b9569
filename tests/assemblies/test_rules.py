"""The statute's arithmetic at its boundaries: exactly half, exactly two thirds, abstentions both ways."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assemblies.rules import Base, Count, Majority, MajorityRule, Threshold, decide, quorum_met

MORE_THAN_HALF = Threshold(1, 2, strict=True)
TWO_THIRDS = Threshold(2, 3, strict=False)


@pytest.mark.parametrize(("base", "needed"), [(300, 151), (301, 151), (2, 2), (1, 1), (0, 1)])
def test_more_than_half(base, needed):
    assert MORE_THAN_HALF.needed(base) == needed


@pytest.mark.parametrize(("base", "needed"), [(300, 200), (301, 201), (299, 200), (3, 2), (1, 1)])
def test_at_least_two_thirds_is_exact(base, needed):
    assert TWO_THIRDS.needed(base) == needed


def test_at_least_half_accepts_exactly_half():
    assert Threshold(1, 2, strict=False).needed(300) == 150


def test_fixed_quorum_ignores_the_roll():
    assert Threshold(fixed=40).needed(5000) == 40
    assert Threshold(fixed=40).describe() == "al menos 40 socios"


def test_quorum_exactly_half_is_not_more_than_half():
    assert quorum_met(MORE_THAN_HALF, roll=300, attending=150) == (False, 151)
    assert quorum_met(MORE_THAN_HALF, roll=300, attending=151) == (True, 151)


def test_simple_majority_tie_fails_and_abstentions_do_not_decide_it():
    rule = MajorityRule(Majority.SIMPLE, abstentions_in_base=True)
    assert not decide(rule, Count(yes=40, no=40, abstain=100), present=180).approved
    assert decide(rule, Count(yes=41, no=40, abstain=100), present=181).approved


def test_absolute_majority_exactly_half_of_votes_cast_fails():
    rule = MajorityRule(Majority.ABSOLUTE, Base.CAST, MORE_THAN_HALF)
    exactly_half = decide(rule, Count(yes=50, no=50), present=120)
    assert (exactly_half.approved, exactly_half.base, exactly_half.needed) == (False, 100, 51)
    assert decide(rule, Count(yes=51, no=49), present=120).approved


def test_abstentions_both_ways():
    count = Count(yes=51, no=40, abstain=20)
    ignored = decide(MajorityRule(Majority.ABSOLUTE, Base.CAST, MORE_THAN_HALF), count, present=111)
    counted = decide(
        MajorityRule(Majority.ABSOLUTE, Base.CAST, MORE_THAN_HALF, abstentions_in_base=True),
        count,
        present=111,
    )
    assert (ignored.approved, ignored.base, ignored.needed) == (True, 91, 46)
    assert (counted.approved, counted.base, counted.needed) == (False, 111, 56)


def test_blank_votes_follow_their_own_rule():
    count = Count(yes=60, no=40, abstain=0, blank=30)
    assert decide(MajorityRule(Majority.ABSOLUTE, Base.CAST, MORE_THAN_HALF), count, present=130).approved
    assert not decide(
        MajorityRule(Majority.ABSOLUTE, Base.CAST, MORE_THAN_HALF, blank_in_base=True), count, present=130
    ).approved


def test_absolute_majority_of_those_present_counts_the_silent():
    rule = MajorityRule(Majority.ABSOLUTE, Base.PRESENT, MORE_THAN_HALF)
    outcome = decide(rule, Count(yes=140, no=20), present=300)
    assert (outcome.approved, outcome.base, outcome.needed) == (False, 300, 151)


def test_two_thirds_of_300_needs_200():
    rule = MajorityRule(Majority.QUALIFIED, Base.CAST, TWO_THIRDS)
    assert decide(rule, Count(yes=200, no=100), present=300).approved
    missed = decide(rule, Count(yes=199, no=101), present=300)
    assert (missed.approved, missed.needed) == (False, 200)
    assert missed.explain(Count(yes=199, no=101)) == (
        "No aprobada: 199 a favor, 101 en contra, 0 abstenciones; se necesitaban 200 a favor "
        "(mayoría calificada (al menos dos tercios de los votos emitidos), base 300)."
    )


def test_two_thirds_of_those_present_with_abstentions():
    rule = MajorityRule(Majority.QUALIFIED, Base.PRESENT, TWO_THIRDS)
    assert not decide(rule, Count(yes=199, no=50, abstain=51), present=300).approved
    assert decide(rule, Count(yes=200, no=50, abstain=50), present=300).approved


@given(base=st.integers(0, 100_000), num=st.integers(1, 12), den=st.integers(1, 12), strict=st.booleans())
def test_threshold_is_the_smallest_count_that_clears_the_bar(base, num, den, strict):
    """needed is exact: it clears the fraction and one less does not (integers only, no floats)."""
    num = min(num, den)
    needed = Threshold(num, den, strict).needed(base)

    def clears(n):
        return n * den > base * num if strict else n * den >= base * num

    assert clears(needed)
    assert needed == 0 or not clears(needed - 1)
