"""A member's status and the words about her agree with her sex: «Activa», «Fallecida», «la socia», on the
register's pages, in the refusals and in what the clerk is told."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from coop.models import Member, MemberStatus, Sex
from coop.services import change_member_status
from coop.wording import member_noun, status_word
from toolkit.roles import ADMINISTRATOR

pytestmark = pytest.mark.django_db

WORDS = {
    MemberStatus.ACTIVE: ("Activo", "Activa"),
    MemberStatus.SUSPENDED: ("Suspendido", "Suspendida"),
    MemberStatus.WITHDRAWN: ("Retirado", "Retirada"),
    MemberStatus.DECEASED: ("Fallecido", "Fallecida"),
}


@pytest.mark.parametrize("status", list(WORDS))
def test_each_status_has_a_word_for_a_man_a_woman_and_an_unknown_sex(status):
    masculine, feminine = WORDS[status]
    assert status_word(status, Sex.MALE) == masculine
    assert status_word(status, Sex.FEMALE) == feminine
    assert status_word(status, "") == masculine  # the register's own word when the sex is not recorded


def test_the_noun_agrees_too():
    assert member_noun(Sex.FEMALE, capital=True) == "La socia"
    assert member_noun(Sex.MALE) == "el socio"


def member(code, sex, status=MemberStatus.ACTIVE):
    return Member.objects.create(
        code=code, dni=f"4{code[-7:]}", name=f"Nombre {code}", sex=sex, status=status, district="Chazuta"
    )


@pytest.fixture
def people():
    return {
        "ana": member("S-0000001", Sex.FEMALE, MemberStatus.DECEASED),
        "juan": member("S-0000002", Sex.MALE, MemberStatus.DECEASED),
        "rosa": member("S-0000003", Sex.FEMALE, MemberStatus.WITHDRAWN),
        "luis": member("S-0000004", Sex.MALE, MemberStatus.SUSPENDED),
        "eva": member("S-0000005", Sex.FEMALE, MemberStatus.ACTIVE),
    }


def badge(html: str, member: Member) -> str:
    """The status badge on the member's row of the list."""
    row = html.split(f">{member.code}<", 1)[1].split("</tr>", 1)[0]
    return row.split('<span class="badge', 1)[1].split(">", 1)[1].split("<", 1)[0]


def test_the_member_list_says_each_status_in_the_members_gender(people, role_clients):
    html = role_clients[ADMINISTRATOR].get(reverse("coop:member_list")).content.decode()
    assert badge(html, people["ana"]) == "Fallecida"
    assert badge(html, people["juan"]) == "Fallecido"
    assert badge(html, people["rosa"]) == "Retirada"
    assert badge(html, people["luis"]) == "Suspendido"
    assert badge(html, people["eva"]) == "Activa"


def test_the_member_page_heading_history_and_form_agree_with_her(people, role_users, role_clients):
    eva = people["eva"]
    change_member_status(
        member=eva,
        status=MemberStatus.SUSPENDED,
        effective_date=date(2024, 5, 2),
        user=role_users[ADMINISTRATOR],
    )
    html = role_clients[ADMINISTRATOR].get(eva.get_absolute_url()).content.decode()
    assert '<span class="badge suspended">Suspendida</span></h1>' in html
    assert '<td>02/05/2024</td><td><span class="badge suspended">Suspendida</span>' in html
    assert '<option value="deceased">Fallecida</option>' in html
    assert "Fallecido" not in html and "Suspendido" not in html


def test_the_page_of_a_man_keeps_the_masculine(people, role_clients):
    html = role_clients[ADMINISTRATOR].get(people["juan"].get_absolute_url()).content.decode()
    assert '<span class="badge deceased">Fallecido</span></h1>' in html
    assert '<option value="active">Activo</option>' in html


def test_a_status_change_message_agrees_with_the_member(people, role_clients):
    admin = role_clients[ADMINISTRATOR]
    url = reverse("coop:member_status_change", args=[people["eva"].code])
    response = admin.post(
        url, {"status": "withdrawn", "effective_date": "01/02/2025", "note": ""}, follow=True
    )
    assert "cambiado a «Retirada» desde el 01/02/2025" in response.content.decode()
    again = admin.post(url, {"status": "withdrawn", "effective_date": "02/02/2025", "note": ""}, follow=True)
    assert "La socia ya está retirada." in again.content.decode()


def test_refusals_say_la_socia_esta_fallecida(people, role_users):
    change_member_status(
        member=people["ana"],
        status=MemberStatus.DECEASED,
        effective_date=date(2024, 1, 1),
        user=role_users[ADMINISTRATOR],
    )
    with pytest.raises(ValidationError, match="La socia ya está fallecida."):
        change_member_status(
            member=people["ana"],
            status=MemberStatus.DECEASED,
            effective_date=date(2024, 2, 1),
            user=role_users[ADMINISTRATOR],
        )
    change_member_status(
        member=people["juan"],
        status=MemberStatus.DECEASED,
        effective_date=date(2024, 1, 1),
        user=role_users[ADMINISTRATOR],
    )
    with pytest.raises(ValidationError, match="El socio ya está fallecido."):
        change_member_status(
            member=people["juan"],
            status=MemberStatus.DECEASED,
            effective_date=date(2024, 2, 1),
            user=role_users[ADMINISTRATOR],
        )


def test_the_clerk_is_told_she_is_deceased(people):
    from acopio.selectors import quote_delivery

    for who, word in (("ana", "fallecida"), ("juan", "fallecido"), ("rosa", "retirada")):
        person = people[who]
        _quote, _moisture, errors = quote_delivery(
            member=person,
            plot=None,
            centre=None,
            date=None,
            form="dry",
            grade="g1",
            gross_kg="10",
            tare_kg="1",
            moisture_pct="7",
        )
        assert errors["member"] == f"{person.name} está {word}: no puede entregar."
