"""What a person types besides amounts: dates read day first whatever the browser's language, and
the «Minka entiende» line under a number field answers with the one parser."""

from datetime import date

import pytest
from django.urls import reverse

from ledger.forms import MovementForm
from toolkit.dates import parse_typed_date
from toolkit.roles import ALL_ROLES


@pytest.mark.parametrize(
    "typed, day",
    [
        ("03/04/2026", date(2026, 4, 3)),  # 3 April, never March 4th
        ("3/4/2026", date(2026, 4, 3)),
        ("03-04-2026", date(2026, 4, 3)),
        ("2026-04-03", date(2026, 4, 3)),
        (" 31/12/2025 ", date(2025, 12, 31)),
        ("31/02/2026", None),
        ("04/03", None),
        ("", None),
        ("mañana", None),
    ],
)
def test_typed_dates_are_day_month_year(typed, day):
    assert parse_typed_date(typed) == day


def test_a_date_field_shows_and_reads_dd_mm_aaaa():
    form = MovementForm(initial={"date": date(2026, 4, 3)})
    html = str(form["date"])
    assert 'value="03/04/2026"' in html and 'placeholder="dd/mm/aaaa"' in html and 'type="text"' in html
    bound = MovementForm(data={"date": "03/04/2026"})
    bound.is_valid()
    assert bound.cleaned_data["date"] == date(2026, 4, 3)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kind, typed, ok, says",
    [
        ("pen", "S/ 2,500.00", True, "Minka entiende: S/ 2,500.00"),
        ("pen", "2500,75", True, "Minka entiende: S/ 2,500.75"),
        ("pen", "2,500", False, "«2,500»: ¿2500 o 2.5? Escriba 2500 o 2.5."),
        ("usd", "US$ 1,734.5", True, "Minka entiende: US$ 1,734.50"),
        ("usd", "S/ 10", False, "«S/ 10» no es un monto en US$."),
        ("kg", "1,250.5", True, "Minka entiende: 1,250.5 kg"),
        ("kg", "1.250", False, "«1.250»: ¿1250 o 1.25? Escriba 1250 o 1.25."),
        ("tonnes", "25", True, "Minka entiende: 25 t"),
        ("exchange_rate", "3,725", True, "Minka entiende: S/ 3.7250 por US$"),
        ("pen", "   ", True, ""),
    ],
)
def test_the_understood_line_says_what_the_parser_reads(client, make_user, kind, typed, ok, says):
    client.force_login(make_user("acopiador"))
    answer = client.get(reverse("understood_number"), {"kind": kind, "text": typed}).json()
    assert answer == {"ok": ok, "text": says}


@pytest.mark.django_db
def test_the_understood_line_is_for_signed_in_staff_only(client, make_user):
    url = reverse("understood_number")
    assert client.get(url, {"kind": "pen", "text": "1"}).status_code == 302  # to sign in
    client.force_login(make_user(None))
    assert client.get(url, {"kind": "pen", "text": "1"}).status_code == 403
    for role in sorted(ALL_ROLES):
        client.force_login(make_user(role, username=f"u_{role}"))
        assert client.get(url, {"kind": "pen", "text": "1"}).status_code == 200
    assert client.get(url, {"kind": "bogus", "text": "1"}).status_code == 422
