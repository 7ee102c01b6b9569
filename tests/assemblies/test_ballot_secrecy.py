"""A secret electronic vote cannot be linked back to its voters (issue 16).

Thirty members vote at a booth, each choice drawn at random (seeded), through the real services,
each vote in its own transaction as at a real assembly. Then the attacks that recovered 30 of 30
votes before are tried on what the database holds — row order, keys, times, and the transaction
id (PostgreSQL's xmin) or the rowid (SQLite) — while the voting is open and after the result is
published. None may do better than guessing the most common choice for everyone. The same attacks
on an open (not secret) vote, where the choice is recorded beside the voter on purpose, recover
every vote: they are real attacks.
"""

import importlib
import random
from collections import Counter

import pytest
from django.db import connection

from assemblies import services
from assemblies.models import Ballot, BallotCast, BallotCounter, MotionOption
from tests.assemblies.factories import check_in_many, convene, entry, make_members, make_rules

pytestmark = pytest.mark.django_db(transaction=True)

VOTERS = 30
KINDS = ("yes", "no", "abstain")


@pytest.fixture
def session(make_user):
    board = make_user("consejo_administracion", username="presidenta")
    make_rules()
    make_members(VOTERS)
    assembly = convene(board)
    check_in_many(assembly, board, VOTERS)
    services.open_session(assembly=assembly, call="first", user=board)
    return assembly, board


def vote(assembly, board, *, secret: bool, seed: int):
    """Open an electronic motion and let 30 members vote at a booth, in a shuffled order; return the
    motion and each voter's true choice (roll entry id → option kind)."""
    motion = services.draft_motion(
        assembly=assembly,
        kind="resolution",
        title="Aprobar la memoria 2025" if secret else "Aprobar el plan de capacitación",
        majority="simple",
        method="electronic",
        secret=secret,
        user=board,
    )
    services.open_motion(motion=motion, user=board)
    booth = services.open_booth(assembly=assembly, user=board)
    rng = random.Random(seed)
    codes = [f"S-{i:05d}" for i in range(1, VOTERS + 1)]
    rng.shuffle(codes)
    options = {o.kind: o.pk for o in motion.options.all()}
    truth = {}
    for code in codes:
        voter = entry(assembly, code)
        kind = rng.choices(KINDS, weights=(5, 3, 2))[0]
        services.unlock_booth(booth=booth, person=voter, user=board)
        services.vote_at_booth(booth=booth, option_id=options[kind])
        truth[voter.pk] = kind
    return motion, truth


def rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def kinds_of(motion):
    return dict(MotionOption.objects.filter(motion=motion).values_list("pk", "kind"))


def pair_in_order(voters_in_order, options_in_order, kinds):
    """Guess that the n-th voter cast the n-th choice."""
    return {voter: kinds[option] for voter, option in zip(voters_in_order, options_in_order, strict=False)}


def column_in_order(table, column, motion, order):
    """One column of a motion's rows, in the order given (the table's own names, never input)."""
    sql = f"SELECT {column} FROM {table} WHERE motion_id = %s ORDER BY {order}"  # noqa: S608 - fixed names
    return [value for (value,) in rows(sql, [motion.pk])]


def order_attacks(motion):
    """Each voter's guessed choice from ordering who voted and the per-vote rows that hold choices
    alike. (The option counters are one row per option, not per vote: their order pairs with nobody.)"""
    kinds = kinds_of(motion)
    physical = "ctid" if connection.vendor == "postgresql" else "rowid"
    casts = BallotCast.objects.filter(motion=motion)
    by_pk = list(casts.order_by("pk").values_list("voter_id", flat=True))
    by_time = list(casts.order_by("recorded_at", "pk").values_list("voter_id", flat=True))
    by_place = column_in_order("assemblies_ballotcast", "voter_id", motion, physical)
    ballots_by_key = list(
        Ballot.objects.filter(motion=motion).order_by("pk").values_list("option_id", flat=True)
    )
    ballots_by_place = column_in_order("assemblies_ballot", "option_id", motion, physical)
    attacks = {}
    for voters_name, voters in (("pk", by_pk), ("time", by_time), (physical, by_place)):
        for rows_name, options in (
            ("ballot key", ballots_by_key),
            (f"ballot {physical}", ballots_by_place),
        ):
            attacks[f"casts by {voters_name} ~ {rows_name}"] = pair_in_order(voters, options, kinds)
    return attacks


def xmin_attack(motion):
    """PostgreSQL: a voter's choice is whatever row holding a choice was written by the same transaction.
    When the transaction wrote rows of more than one option, it tells nothing (no guess)."""
    kinds = kinds_of(motion)
    written = {}
    for table, column in (
        ("assemblies_ballot", "option_id"),
        ("assemblies_ballotcounter", "option_id"),
        ("assemblies_motionoption", "id"),
    ):
        sql = f"SELECT xmin::text::bigint, {column} FROM {table} WHERE motion_id = %s"  # noqa: S608
        for xmin, option in rows(sql, [motion.pk]):
            written.setdefault(xmin, set()).add(option)
    guesses = {}
    for voter, xmin in rows(
        "SELECT voter_id, xmin::text::bigint FROM assemblies_ballotcast WHERE motion_id = %s", [motion.pk]
    ):
        options = written.get(xmin, set())
        if len(options) == 1:
            guesses[voter] = kinds[options.pop()]
    return {"xmin": guesses}


def attacks_on(motion):
    attacks = order_attacks(motion)
    if connection.vendor == "postgresql":
        attacks.update(xmin_attack(motion))
    return attacks


def accuracy(guesses, truth, fallback):
    """Share of voters whose choice the attack gets right; a voter it cannot place gets ``fallback``."""
    return sum(guesses.get(voter, fallback) == kind for voter, kind in truth.items()) / len(truth)


def test_no_attack_links_a_secret_ballot_to_its_voter(session):
    assembly, board = session
    motion, truth = vote(assembly, board, secret=True, seed=16)
    tally = Counter(truth.values())
    majority, most = tally.most_common(1)[0]
    chance = most / VOTERS  # everyone guessed to have voted the most common choice
    assert 0.3 < chance < 0.7 and len(tally) == 3  # the seed gives a real spread of choices

    # While the voting is open, and after the result is published.
    while_open = attacks_on(motion)
    services.close_voting(motion=motion, user=board)
    motion = services.publish_motion(motion=motion, user=board)
    after = attacks_on(motion)
    results = {
        f"{moment}: {name}": accuracy(guesses, truth, majority)
        for moment, attacks in (("open", while_open), ("published", after))
        for name, guesses in attacks.items()
    }
    beaten = {name: f"{score:.0%}" for name, score in results.items() if score > chance}
    assert not beaten, f"better than chance ({chance:.0%}): {beaten}"

    # Who voted is known; what each one voted is not, and the published totals are right.
    assert BallotCast.objects.filter(motion=motion).count() == VOTERS
    assert not BallotCast.objects.filter(motion=motion).exclude(option=None).exists()
    assert dict(motion.options.values_list("kind", "votes")) == {k: tally[k] for k in KINDS}
    assert Counter(Ballot.objects.filter(motion=motion).values_list("option__kind", flat=True)) == tally
    assert motion.approved is (tally["yes"] > tally["no"])


def test_the_same_attacks_recover_an_open_vote(session):
    """The control: in an open vote the choice is written with each vote, so the attacks find it."""
    assembly, board = session
    motion, truth = vote(assembly, board, secret=False, seed=16)
    attacks = attacks_on(motion)
    assert accuracy(attacks["casts by pk ~ ballot key"], truth, None) < 1  # random keys have no order
    physical = "ctid" if connection.vendor == "postgresql" else "rowid"
    assert accuracy(attacks[f"casts by {physical} ~ ballot {physical}"], truth, None) == 1
    assert accuracy(attacks["casts by time ~ ballot " + physical], truth, None) == 1
    if connection.vendor == "postgresql":
        assert accuracy(attacks["xmin"], truth, None) == 1


@pytest.mark.parametrize("counters_from", ["migration", "next vote"])
def test_a_secret_vote_open_while_migrating_keeps_its_earlier_ballots(session, counters_from):
    """Votes cast before migration 0005 wrote one ballot each; the migration (or, failing it, the next
    vote) starts the counters at them, later votes only count, and closing adds only the ballots the
    counters add."""
    from django.apps import apps

    migration = importlib.import_module("assemblies.migrations.0006_secret_ballot_unlinked")
    assembly, board = session
    motion = services.draft_motion(
        assembly=assembly,
        kind="resolution",
        title="Cambiar el local de acopio",
        majority="simple",
        method="electronic",
        secret=True,
        user=board,
    )
    motion = services.open_motion(motion=motion, user=board)
    yes, no = motion.options.get(kind="yes"), motion.options.get(kind="no")
    # As the code before the migration left it: no counters, a ballot written with each vote.
    BallotCounter.objects.filter(motion=motion).delete()
    for code in ("S-00001", "S-00002", "S-00003"):
        voter = entry(assembly, code)
        BallotCast.objects.create(motion=motion, voter=voter, cast_by=voter, recorded_by=board)
        Ballot.objects.create(motion=motion, option=yes)
    if counters_from == "migration":
        migration.open_counters(apps, None)
        assert dict(motion.counters.values_list("option__kind", "count")) == {"yes": 3, "no": 0, "abstain": 0}
    for code, option in (("S-00004", no), ("S-00005", yes)):
        voter = entry(assembly, code)
        services.cast_ballot(motion=motion, voter=voter, cast_by=voter, option=option, user=board)
    assert Ballot.objects.filter(motion=motion).count() == 3  # the new votes only counted
    services.close_voting(motion=motion, user=board, confirm=True)
    motion = services.publish_motion(motion=motion, user=board)
    assert dict(motion.options.values_list("kind", "votes")) == {"yes": 4, "no": 1, "abstain": 0}
    assert Counter(Ballot.objects.filter(motion=motion).values_list("option__kind", flat=True)) == {
        "yes": 4,
        "no": 1,
    }
