"""Paper votes: the ballots handed out for the whole vote, the boxes that must add up to it, and
spoiled ballots («nulos») counted on their own."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assemblies import selectors, services
from assemblies.models import TallyRecord
from tests.assemblies.factories import check_in_many, convene, make_members, make_rules


@pytest.fixture
def board(make_user):
    return make_user("consejo_administracion", username="presidenta")


@pytest.fixture
def vote(db, board):
    make_rules()
    make_members(20)
    assembly = convene(board)
    check_in_many(assembly, board, 16)
    services.open_session(assembly=assembly, call="first", user=board)
    motion = services.draft_motion(
        assembly=assembly,
        kind="resolution",
        title="Reforma del artículo 12",
        majority="simple",
        method="paper",
        user=board,
    )
    return services.open_motion(motion=motion, user=board)


def counts(vote, yes, no, abstain=0, blank=0):
    positions = {o.kind: o.position for o in vote.options.all()}
    return {
        positions["yes"]: yes,
        positions["no"]: no,
        positions["abstain"]: abstain,
        positions["blank"]: blank,
    }


def test_the_boxes_must_add_up_to_the_ballots_handed_out_before_publishing(vote, board):
    services.record_tally(
        motion=vote,
        box="Ánfora 1",
        ballots_issued="9",
        total_issued="15",
        counts=counts(vote, 5, 4),
        user=board,
    )
    vote.refresh_from_db()
    assert vote.ballots_issued == 15
    # A second box that would pass the whole is refused, nothing written.
    with pytest.raises(
        ValidationError, match="Las ánforas suman 16 cédulas y en toda la votación se entregaron 15"
    ):
        services.record_tally(
            motion=vote, box="Ánfora 2", ballots_issued="7", counts=counts(vote, 7, 0), user=board
        )
    with pytest.raises(ValidationError, match="falta el conteo de alguna ánfora"):
        services.publish_motion(motion=vote, user=board)
    # The total typed again differently needs a reason.
    with pytest.raises(ValidationError, match="Ya se registró que se entregaron 15 cédulas en total"):
        services.record_tally(
            motion=vote,
            box="Ánfora 2",
            ballots_issued="6",
            total_issued="16",
            counts=counts(vote, 6, 0),
            user=board,
        )
    services.record_tally(
        motion=vote, box="Ánfora 2", ballots_issued="6", counts=counts(vote, 4, 1, 1), user=board
    )
    published = services.publish_motion(motion=vote, user=board)
    assert published.approved and {o.kind: o.votes for o in published.options.all()}["yes"] == 9


def test_spoiled_ballots_are_a_count_of_their_own(vote, board, client):
    with pytest.raises(
        ValidationError, match="los votos suman 8 y los nulos 1 \\(9 cédulas\\), y se entregaron 10"
    ):
        services.record_tally(
            motion=vote,
            box="Ánfora 1",
            ballots_issued="10",
            spoiled="1",
            total_issued="10",
            counts=counts(vote, 5, 2, 0, 1),
            user=board,
        )
    services.record_tally(
        motion=vote,
        box="Ánfora 1",
        ballots_issued="10",
        spoiled="2",
        total_issued="10",
        counts=counts(vote, 5, 2, 0, 1),
        user=board,
    )
    assert TallyRecord.objects.get().spoiled == 2
    vote.refresh_from_db()
    turnout = selectors.turnout(vote)
    assert (turnout["voted"], turnout["blank"], turnout["spoiled"]) == (10, 1, 2)
    client.force_login(board)
    page = client.get(vote.get_absolute_url()).content.decode()
    assert "En blanco: 1." in page and "Nulos: 2." in page


def test_typed_totals_and_spoiled_go_through_the_parser(vote, board, client):
    client.force_login(board)
    url = reverse("assemblies:motion_tally", args=[vote.assembly_id, vote.number])
    typed = {f"option_{p}": str(n) for p, n in counts(vote, 5, 4).items()}
    base = {"box": "Ánfora 1", "ballots_issued": "9", **typed}
    missing = client.post(url, base, follow=True).content.decode()
    assert "Indique cuántas cédulas se entregaron en total, en toda la votación" in missing
    ambiguous = client.post(url, {**base, "total_issued": "1,250"}, follow=True).content.decode()
    assert "¿1250?" in ambiguous
    decimal = client.post(url, {**base, "total_issued": "15", "spoiled": "2,5"}, follow=True).content.decode()
    assert "«Nulos»: escriba un número entero (0 si no hubo votos nulos)." in decimal
    assert not TallyRecord.objects.exists()
    client.post(url, {**base, "total_issued": "15", "spoiled": "0"})
    vote.refresh_from_db()
    assert vote.ballots_issued == 15 and TallyRecord.objects.get().spoiled == 0
