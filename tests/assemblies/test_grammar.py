"""Counts agree with their noun and words with the member's sex, on the assembly's pages and in its minutes
(a signed legal document): «1 presente y 1 representado», «1 abstención», «Representada por …»."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from assemblies import services, wording
from assemblies.kept import build_minutes
from coop.models import Member, Sex
from tests.assemblies.factories import convene, entry, make_members, make_rules

pytestmark = pytest.mark.django_db


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    return " ".join(text.split())


@pytest.fixture
def board(make_user):
    return make_user("consejo_administracion", username="presidenta")


@pytest.fixture
def board_client(client, board):
    client.force_login(board)
    return client


def hold(board, *, roll: int, present: int, represented: int, counts: dict[int, int], sexes=None):
    """An assembly of ``roll`` members: the first ``present`` check in, the next ``represented`` give
    their proxy to the first ones (two each at most), one show-of-hands motion with ``counts``
    (1 yes, 2 no, 3 abstain), published, and the session closed."""
    make_rules()
    members = make_members(roll)
    for code, sex in (sexes or {}).items():
        Member.objects.filter(code=code).update(sex=sex)
    assembly = convene(board)
    for i in range(1, present + 1):
        services.check_in(assembly=assembly, entry=entry(assembly, f"S-{i:05d}"), user=board)
    for k in range(represented):
        services.register_proxy(
            assembly=assembly,
            represented=entry(assembly, f"S-{present + k + 1:05d}"),
            holder=entry(assembly, f"S-{k // 2 + 1:05d}"),
            letter=f"CP-{k + 1}",
            user=board,
        )
    services.open_session(assembly=assembly, call="first", user=board)
    motion = services.draft_motion(
        assembly=assembly,
        kind="resolution",
        title="Aprobar la memoria",
        majority="simple",
        method="hands",
        user=board,
    )
    services.open_motion(motion=motion, user=board)
    services.record_tally(motion=motion, counts=counts, user=board)
    motion = services.publish_motion(motion=motion, user=board)
    assert len(members) == roll
    return assembly, motion


EXPECTED = {
    0: ["0 presentes", "0 representados", "0 votos", "0 votos emitidos", "0 abstenciones", "0 socios"],
    1: ["1 presente", "1 representado", "1 voto", "1 voto emitido", "1 abstención", "1 socio"],
    2: ["2 presentes", "2 representados", "2 votos", "2 votos emitidos", "2 abstenciones", "2 socios"],
}
ELIGIBLE = {0: "0 socios hábiles", 1: "1 socio hábil", 2: "2 socios hábiles"}


@pytest.mark.parametrize("n", [0, 1, 2])
def test_each_count_agrees_with_its_noun(n):
    said = [
        wording.present_count(n),
        wording.represented_count(n),
        wording.vote_count(n),
        wording.votes_cast(n),
        wording.abstention_count(n),
        wording.member_count(n),
    ]
    assert said == EXPECTED[n]
    assert wording.eligible_count(n) == ELIGIBLE[n]


def test_large_counts_are_grouped_as_the_pages_write_numbers():
    assert wording.eligible_count(12000) == "12,000 socios hábiles"


def test_one_present_one_represented_one_abstention_in_the_pages_and_the_minutes(board, board_client):
    assembly, motion = hold(
        board,
        roll=3,
        present=1,
        represented=1,
        counts={1: 1, 2: 0, 3: 1},
        sexes={"S-00002": Sex.FEMALE},
    )
    assert "1 a favor, 0 en contra, 1 abstención" in motion.result_text

    detail = board_client.get(assembly.get_absolute_url()).content.decode()
    assert "3 socios hábiles al" in detail
    assert "1 presente y 1 representado; quórum exigido 2." in detail

    attendance = board_client.get(reverse("assemblies:attendance_list", args=[assembly.pk])).content.decode()
    assert "1 presente y 1 representado de 3 socios del padrón." in attendance
    assert "Representada por S-00001" in attendance  # S-00002 is a woman

    page = board_client.get(motion.get_absolute_url()).content.decode()
    assert "1 socio presente o representado" not in page  # attending at open is two
    assert "2 socios presentes y representados" in page
    assert "1 abstención" in page and "1 abstenciones" not in page

    services.close_assembly(assembly=assembly, user=board)
    build_minutes.call(assembly.pk)  # the background task, run here
    minutes = pdf_text(board_client.get(reverse("assemblies:minutes", args=[assembly.pk])))
    assert "3 socios hábiles a la fecha de corte" in minutes
    assert "1 presente y 1 representado;" in minutes
    assert "1 presentes" not in minutes and "1 representados" not in minutes
    assert "1 a favor, 0 en contra, 1 abstención" in minutes and "1 abstenciones" not in minutes
    assert "Asistentes (1 presente al cierre)" in minutes


def test_two_and_two_and_none_abstaining_in_the_pages_and_the_minutes(board, board_client):
    assembly, motion = hold(
        board,
        roll=5,
        present=2,
        represented=2,
        counts={1: 3, 2: 1, 3: 0},
        sexes={"S-00003": Sex.MALE, "S-00004": Sex.FEMALE},
    )
    assert "3 a favor, 1 en contra, 0 abstenciones" in motion.result_text
    attendance = board_client.get(reverse("assemblies:attendance_list", args=[assembly.pk])).content.decode()
    assert "2 presentes y 2 representados de 5 socios del padrón." in attendance
    assert "Representado por S-00001" in attendance and "Representada por S-00001" in attendance

    services.close_assembly(assembly=assembly, user=board)
    build_minutes.call(assembly.pk)  # the background task, run here
    minutes = pdf_text(board_client.get(reverse("assemblies:minutes", args=[assembly.pk])))
    assert "5 socios hábiles a la fecha de corte" in minutes
    assert "2 presentes y 2 representados;" in minutes
    assert "3 a favor, 1 en contra, 0 abstenciones" in minutes
    assert "Asistentes (2 presentes al cierre)" in minutes


def test_nobody_represented_reads_zero_represented(board, board_client):
    assembly, motion = hold(board, roll=2, present=2, represented=0, counts={1: 2, 2: 0, 3: 0})
    detail = board_client.get(assembly.get_absolute_url()).content.decode()
    assert "2 presentes y 0 representados" in detail
    services.close_assembly(assembly=assembly, user=board)
    build_minutes.call(assembly.pk)  # the background task, run here
    minutes = pdf_text(board_client.get(reverse("assemblies:minutes", args=[assembly.pk])))
    assert "2 presentes y 0 representados;" in minutes


def test_one_member_on_the_roll_in_the_signature_sheet(board, board_client):
    make_rules()
    make_members(1)
    assembly = convene(board)
    detail = board_client.get(assembly.get_absolute_url()).content.decode()
    assert "1 socio hábil al" in detail and "1 socios" not in detail
    sheet = pdf_text(board_client.get(reverse("assemblies:signature_sheet", args=[assembly.pk])))
    assert "1 socio hábil al" in sheet


def test_a_woman_already_represented_is_told_so_in_the_feminine(board):
    make_rules()
    make_members(3)
    Member.objects.filter(code="S-00002").update(sex=Sex.FEMALE)
    assembly = convene(board)
    services.check_in(assembly=assembly, entry=entry(assembly, "S-00001"), user=board)
    services.register_proxy(
        assembly=assembly,
        represented=entry(assembly, "S-00002"),
        holder=entry(assembly, "S-00001"),
        letter="CP-7",
        user=board,
    )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="ya está representada por S-00001"):
        services.check_in(assembly=assembly, entry=entry(assembly, "S-00002"), user=board)
