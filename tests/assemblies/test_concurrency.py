"""Two desks at once on PostgreSQL: a member is checked in once, a holder never passes the proxy cap."""

import pytest
from django.db import connection

from assemblies import services
from assemblies.models import AttendanceEvent, BallotCast, Presence
from tests.assemblies.factories import check_in_many, convene, entry, make_members, make_rules
from tests.concurrency import at_once

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def assembly(make_user):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers by itself")
    board = make_user("consejo_administracion", username="presidenta")
    make_rules(max_proxies_per_holder=2)
    make_members(30)
    return convene(board), board


def test_eight_desks_checking_in_the_same_member_record_one_check_in(assembly):
    assembly, board = assembly
    member = entry(assembly, "S-00007")
    outcomes = at_once(8, lambda i: services.check_in(assembly=assembly, entry=member, user=board))
    assert outcomes == ["done"] + ["refused"] * 7
    assert AttendanceEvent.objects.count() == 1 and Presence.objects.count() == 1


def test_eight_proxies_to_one_holder_at_once_stop_at_the_cap(assembly):
    assembly, board = assembly
    holder = entry(assembly, "S-00001")
    services.check_in(assembly=assembly, entry=holder, user=board)
    outcomes = at_once(
        8,
        lambda i: services.register_proxy(
            assembly=assembly,
            represented=entry(assembly, f"S-{i + 10:05d}"),
            holder=holder,
            letter=f"CP-{i}",
            user=board,
        ),
    )
    assert outcomes == ["done"] * 2 + ["refused"] * 6
    assert Presence.objects.filter(holder=holder).count() == 2


def test_the_same_vote_sent_from_two_booths_counts_once(assembly):
    assembly, board = assembly
    check_in_many(assembly, board, 20)
    services.open_session(assembly=assembly, call="first", user=board)
    motion = services.draft_motion(
        assembly=assembly,
        kind="resolution",
        title="Afiliación",
        majority="simple",
        method="electronic",
        secret=True,
        user=board,
    )
    services.open_motion(motion=motion, user=board)
    voter, yes = entry(assembly, "S-00003"), motion.options.get(kind="yes")
    outcomes = at_once(
        6, lambda i: services.cast_ballot(motion=motion, voter=voter, cast_by=voter, option=yes, user=board)
    )
    assert outcomes == ["done"] + ["refused"] * 5
    assert BallotCast.objects.count() == 1 and dict(motion.counters.values_list("option__kind", "count")) == {
        "yes": 1,
        "no": 0,
        "abstain": 0,
    }


def test_eight_secret_votes_at_once_are_all_counted(assembly):
    assembly, board = assembly
    check_in_many(assembly, board, 20)
    services.open_session(assembly=assembly, call="first", user=board)
    motion = services.draft_motion(
        assembly=assembly,
        kind="resolution",
        title="Afiliación",
        majority="simple",
        method="electronic",
        secret=True,
        user=board,
    )
    services.open_motion(motion=motion, user=board)
    options = list(motion.options.order_by("position"))
    outcomes = at_once(
        8,
        lambda i: services.cast_ballot(
            motion=motion,
            voter=entry(assembly, f"S-{i + 1:05d}"),
            cast_by=entry(assembly, f"S-{i + 1:05d}"),
            option=options[i % 2],
            user=board,
        ),
    )
    assert outcomes == ["done"] * 8
    services.close_voting(motion=motion, user=board, confirm=True)
    motion = services.publish_motion(motion=motion, user=board)
    assert dict(motion.options.values_list("kind", "votes")) == {"yes": 4, "no": 4, "abstain": 0}
    assert motion.ballots.count() == 8
