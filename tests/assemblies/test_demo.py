"""The demonstration cooperative's premium plans are approved by assemblies whose minutes check out."""

import pytest

from assemblies.demo import convene_upcoming, hold_assembly
from assemblies.minutes import minutes_match
from assemblies.models import Assembly, MotionKind
from config.demo import generate_seasons
from coop.demo import generate_demo
from fund.models import BudgetLine, Spending, SpendingStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(make_user):
    make_user("consejo_administracion", username="consejo")
    make_user("tesorero", username="tesorero")
    generate_demo(members=60, seed=4)
    generate_seasons(seed=4, approve_plan=hold_assembly)
    return convene_upcoming(user=None)


def test_past_assemblies_approved_the_plans_and_the_spending_followed(demo):
    closed = Assembly.objects.filter(status="closed").order_by("first_call_at")
    assert [a.first_call_at.date().isoformat() for a in closed] == ["2020-03-14", "2026-03-21"]
    for assembly in closed:
        assert minutes_match(assembly)
        assert assembly.quorum_present + assembly.quorum_represented >= assembly.quorum_needed
        budget = assembly.motions.get(kind=MotionKind.BUDGET)
        assert budget.approved and budget.authorization is not None
        lines = BudgetLine.objects.filter(authorization=budget.authorization)
        assert lines.count() == budget.budget_lines.count() > 0
        assert Spending.objects.filter(line__in=lines, status=SpendingStatus.PAID).exists()
    # Every authorized line of the demo came from an assembly's motion.
    assert not BudgetLine.objects.filter(authorization__isnull=False, motion_lines__isnull=True).exists()
    election = closed.last().motions.get(kind=MotionKind.ELECTION)
    assert election.tallies.filter(corrects__isnull=False).exists()


def test_an_assembly_is_convened_for_today_to_try_the_desk(demo):
    assert demo.status == "convened" and demo.roll_size > 0
    assert list(demo.motions.values_list("status", flat=True)) == ["draft", "draft"]
    assert convene_upcoming(user=None) is None  # loaded once
